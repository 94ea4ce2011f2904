/* global fetch */
// Revocation lag at a remote API (issue 13 item 5: "measure the lag from a logout to a separate API
// process"; goal about a second). This process runs a Tessera server on SQLite; a child process runs an
// API that knows it only by URL: node:http + requireAuth's guard with a remote JWKS and
// `revocations: { follow: { credential } }` at its defaults (background poll every 1 s, 30 s bound).
// Each sample issues a session, checks the API accepts its token, waits a pseudo-random part of the poll
// interval (so the logout lands at a random phase of the follower's timer), logs out over HTTP, and
// measures from the logout's answer (the revocation is committed) until the API first answers 401,
// asking it every 5 ms. Figures: median, p95, min, max and the IQR as % of the median.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable, iqrPct, median } from './lib/stats.js';

const TARGET_MS = 1000;
const WATCH_LIMIT_MS = 10_000;
const ISSUER = 'https://auth.bench';
const AUDIENCE = 'api';

/** Runs the section; returns { settings, lag, targets }. */
export async function run({ quick, log }) {
  const settings = { samples: quick ? 6 : 30, pollIntervalMs: 1000, stalenessSeconds: 30 };
  log(
    `${settings.samples} logouts; lag = logout answered by the auth server -> a separate API process answers 401 (follower polls every ${settings.pollIntervalMs} ms).`,
  );
  const { pino } = await import('pino');
  const { resolveConfig } = await import('../dist/server/config.js');
  const { createTesseraServer } = await import('../dist/server/create-server.js');
  const { listen } = await import('../dist/adapters/node.js');
  const { createFeedCredentials } = await import('../dist/sessions/feed-credentials.js');
  const directory = mkdtempSync(join(tmpdir(), 'tessera-bench-remote-'));
  const server = await createTesseraServer({
    config: await resolveConfig({
      flags: { db: join(directory, 'tessera.db'), issuer: ISSUER, audience: AUDIENCE },
      env: {},
      cwd: directory,
    }),
    logger: pino({ level: 'silent' }),
  });
  const { server: http, port } = await listen(server.handler, { port: 0, host: '127.0.0.1' });
  const authUrl = `http://127.0.0.1:${port}`;
  const { value: credential } = await createFeedCredentials({ store: server.store }).create(
    'bench-api',
  );
  const api = await startApi({ authUrl, credential });
  const random = seededRandom(20_261_202);
  const lags = [];
  try {
    for (let i = 0; i < settings.samples; i += 1) {
      const tokens = await server.sessions.issueSession(`bench-${i}`, { transport: 'body' });
      const first = await askApi(api.url, tokens.accessToken);
      if (first !== 200) throw new Error(`the API refused a fresh token: HTTP ${first}`);
      await sleep(random() * settings.pollIntervalMs);
      const logout = await fetch(`${authUrl}/auth/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: tokens.refreshToken }),
      });
      if (logout.status !== 204) throw new Error(`logout answered ${logout.status}`);
      const committed = performance.now();
      for (;;) {
        const status = await askApi(api.url, tokens.accessToken);
        const elapsed = performance.now() - committed;
        if (status === 401) {
          lags.push(elapsed);
          break;
        }
        if (elapsed > WATCH_LIMIT_MS) throw new Error('the API never refused the token');
        await sleep(5);
      }
    }
  } finally {
    api.stop();
    await new Promise((done) => http.close(() => done()));
    http.closeAllConnections();
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  }
  const sorted = [...lags].sort((a, b) => a - b);
  const round = (value) => Math.round(value);
  const lag = {
    n: lags.length,
    medianMs: round(median(lags)),
    p95Ms: round(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]),
    minMs: round(sorted[0]),
    maxMs: round(sorted.at(-1)),
    iqrPct: iqrPct(lags),
  };
  const targets = {
    [`remote API p95 revocation lag <= ${TARGET_MS} ms (about a second)`]: {
      value: lag.p95Ms,
      met: lag.p95Ms <= TARGET_MS,
    },
  };
  for (const line of formatTable([
    ['API', 'follower', 'n', 'median ms', 'p95 ms', 'min ms', 'max ms', 'IQR %'],
    [
      'separate process',
      'poll 1 s',
      lag.n,
      lag.medianMs,
      lag.p95Ms,
      lag.minMs,
      lag.maxMs,
      lag.iqrPct,
    ],
  ]))
    log(line);
  for (const [name, target] of Object.entries(targets))
    log(`${target.met ? 'met   ' : 'MISSED'}  ${name}: ${target.value} ms`);
  return { settings, lag, targets };
}

/** Spawns this file as the API process; resolves once it listens. */
function startApi({ authUrl, credential }) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--remote-api'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_AUTH_URL: authUrl, TESSERA_FEED_CREDENTIAL: credential },
  });
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (chunk) => {
      seen += chunk.toString();
      const match = /listening (\d+)/.exec(seen);
      if (match)
        resolve({ url: `http://127.0.0.1:${match[1]}`, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`the API process exited ${code}`)));
  });
}

/** The API process: every request is checked by the guard; 200 or the guard's problem status. */
async function serveApi() {
  const { createResourceGuard } = await import('../dist/http/require-auth.js');
  const authUrl = process.env.BENCH_AUTH_URL;
  const guard = createResourceGuard({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUrl: `${authUrl}/.well-known/jwks.json`,
    revocations: {
      follow: {
        credential: process.env.TESSERA_FEED_CREDENTIAL ?? '',
        url: `${authUrl}/auth/revocations`,
      },
    },
  });
  const api = createServer(async (request, response) => {
    const result = await guard.check({
      url: request.url ?? '/',
      authorization: request.headers.authorization,
    });
    response.writeHead(result.ok ? 200 : result.problem.status).end();
  });
  api.listen(0, '127.0.0.1', () => console.log(`listening ${api.address().port}`));
}

async function askApi(url, token) {
  const response = await fetch(`${url}/api`, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

if (process.argv[2] === '--remote-api') await serveApi();
