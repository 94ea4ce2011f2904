// The refresh storm: N concurrent requests across M simulated tabs right after the access token expired.
// Counts refresh calls at the server (target: exactly 1 per storm) and the latency the refresh adds to the
// requests that waited for it, against the same requests with a valid token.
// The tabs are tessera-auth/client instances sharing one lock and one channel (what Web Locks and a
// BroadcastChannel give a browser) and one refresh-token store (the cookie jar's part). Runs on dist/.
import { mkdtempSync, rmSync } from 'node:fs';
import { setImmediate } from 'node:timers';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTesseraServer, listen, resolveConfig } from '../dist/index.js';
import { createAuthClient, createMemoryStorage } from '../dist/client/index.js';
import { median, summarize } from './lib/stats.js';

const TTL_S = 2;

/** Tabs of one browser: a shared lock and a channel delivering asynchronously to the other tabs. */
function createTabHub() {
  let lock = Promise.resolve();
  let busy = 0;
  let generation = 0;
  const members = new Map();
  let next = 0;
  return {
    join() {
      const tabId = `tab${++next}`;
      const handlers = new Set();
      members.set(tabId, handlers);
      return {
        tabId,
        withLock(task) {
          const contended = busy++ > 0;
          const run = lock.then(() => task(contended)).finally(() => busy--);
          lock = run.catch(() => undefined);
          return run;
        },
        sharedGeneration: () => generation,
        publishGeneration: (gen) => {
          generation = gen;
        },
        post(message) {
          for (const [id, set] of members)
            if (id !== tabId) setImmediate(() => set.forEach((handler) => handler(message)));
        },
        onMessage(handler) {
          handlers.add(handler);
          return () => handlers.delete(handler);
        },
        close: () => members.delete(tabId),
      };
    },
  };
}

const percentile = (values, q) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function storm({ url, tabs: tabCount, requests, counter, round }) {
  const hub = createTabHub();
  const jar = createMemoryStorage();
  const tabs = Array.from({ length: tabCount }, () =>
    createAuthClient({
      baseUrl: url,
      transport: 'body',
      storage: jar,
      tabs: hub.join(),
      proactiveRefresh: false,
      lifecycle: null,
    }),
  );
  await tabs[0].signup(
    `storm-${process.pid}-${round}-${Date.now()}@example.com`,
    'correct horse battery',
  );
  await sleep(20);
  if (tabs.some((tab) => tab.getState().status !== 'signed-in'))
    throw new Error('a tab did not hear the login');
  const fire = async () => {
    const started = performance.now();
    const statuses = await Promise.all(
      Array.from({ length: requests }, async (_, i) => {
        const t0 = performance.now();
        const response = await tabs[i % tabCount].fetch(`${url}/demo/api/hello`);
        await response.arrayBuffer();
        return { status: response.status, ms: performance.now() - t0 };
      }),
    );
    return { wallMs: performance.now() - started, results: statuses };
  };
  const valid = await fire();
  await sleep(TTL_S * 1000 + 150);
  const before = counter.refresh;
  const expired = await fire();
  const refreshes = counter.refresh - before;
  const failures = [...valid.results, ...expired.results].filter((r) => r.status !== 200).length;
  const loggedOut = tabs.filter((tab) => tab.getState().status !== 'signed-in').length;
  for (const tab of tabs) tab.close();
  return {
    refreshes,
    failures,
    loggedOut,
    validMedianMs: median(valid.results.map((r) => r.ms)),
    validP95Ms: percentile(
      valid.results.map((r) => r.ms),
      0.95,
    ),
    expiredMedianMs: median(expired.results.map((r) => r.ms)),
    expiredP95Ms: percentile(
      expired.results.map((r) => r.ms),
      0.95,
    ),
  };
}

export async function run({ quick, log }) {
  const settings = quick
    ? { tabs: 5, requests: 40, rounds: 3 }
    : { tabs: 10, requests: 200, rounds: 7 };
  const dir = mkdtempSync(join(tmpdir(), 'tessera-storm-'));
  const config = await resolveConfig({
    flags: { port: '0', db: join(dir, 'storm.db'), 'access-ttl': `${TTL_S}s`, leeway: '0' },
    env: {},
    cwd: dir,
  });
  const { pino } = await import('pino');
  // Signups would print their development verification links (tokens) on the console: mail goes nowhere.
  const server = await createTesseraServer({
    config,
    logger: pino({ level: 'silent' }),
    deliverMail: () => undefined,
  });
  const counter = { refresh: 0 };
  const counted = {
    handles: (pathname) => server.handler.handles(pathname),
    fetch(request, info) {
      if (request.method === 'POST' && new URL(request.url).pathname === '/auth/refresh')
        counter.refresh++;
      return server.handler.fetch(request, info);
    },
  };
  const { server: http, port } = await listen(counted, { port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  log(
    `${settings.requests} concurrent requests across ${settings.tabs} tabs, access tokens of ${TTL_S} s, ${settings.rounds} rounds; real server over HTTP on this machine.`,
  );
  const rounds = [];
  try {
    for (let round = 0; round < settings.rounds; round++)
      rounds.push(
        await storm({ url, tabs: settings.tabs, requests: settings.requests, counter, round }),
      );
  } finally {
    http.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const pick = (key) => summarize(rounds.map((r) => Math.round(r[key] * 100) / 100));
  const result = {
    tabs: settings.tabs,
    requests: settings.requests,
    refreshesPerStorm: rounds.map((r) => r.refreshes),
    failedRequests: rounds.reduce((sum, r) => sum + r.failures, 0),
    tabsLoggedOut: rounds.reduce((sum, r) => sum + r.loggedOut, 0),
    validMedianMs: pick('validMedianMs'),
    expiredMedianMs: pick('expiredMedianMs'),
    validP95Ms: pick('validP95Ms'),
    expiredP95Ms: pick('expiredP95Ms'),
    addedMedianMs:
      Math.round(
        (median(rounds.map((r) => r.expiredMedianMs)) -
          median(rounds.map((r) => r.validMedianMs))) *
          100,
      ) / 100,
  };
  log(`refresh calls at the server per storm: ${result.refreshesPerStorm.join(', ')} (target 1)`);
  log(`failed requests: ${result.failedRequests}; tabs logged out: ${result.tabsLoggedOut}`);
  log(
    `request latency, median of round medians: valid token ${result.validMedianMs.median} ms, after expiry ${result.expiredMedianMs.median} ms (added ${result.addedMedianMs} ms); p95 ${result.validP95Ms.median} vs ${result.expiredP95Ms.median} ms`,
  );
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await run({
    quick: process.argv.includes('--quick'),
    log: (line) => console.log(line),
  });
  console.log(
    JSON.stringify({
      storm: {
        ...result,
        validMedianMs: result.validMedianMs.median,
        expiredMedianMs: result.expiredMedianMs.median,
      },
    }),
  );
}
