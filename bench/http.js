// The HTTP layer under load (issue 4). The server runs in a child process (this file, forked) so the load
// generator and the server each get a core of the 2-core machine; load is a bounded loop of keep-alive
// http.request calls at concurrency C.
//   requireAuth   one Fastify app, GET /api/guarded behind requireAuth() and GET /api/open with the same
//                 handler and no guard, interleaved in slices of the same requests (same Authorization
//                 header on both). Tokens belong to many distinct users: a `warm` pool smaller than the
//                 verifier's cache (10 000 entries) and a `cold` pool larger than it, cycled round-robin so
//                 every cold request misses the cache. Target: guarded/open >= 0.85.
//   refresh       POST /auth/refresh end to end (body transport) on SQLite and PostgreSQL, next to
//                 SessionManager.refresh() on the same server, same store, same run: the rotation figure
//                 of issue 3. Chains move to a fresh session after 25 rotations (the server allows 30 per
//                 session per minute), so the rate limiter is on and never refuses.
import { Buffer } from 'node:buffer';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  formatRate,
  formatTable,
  measureInterleaved,
  median,
  pairedRatio,
  roundRatio,
} from './lib/stats.js';

const TARGET = 0.85;
const ROTATIONS_PER_SESSION = 25;
const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs the section; returns { settings, requireAuth, refresh, targets }. */
export async function run({ quick, log }) {
  const settings = quick
    ? {
        concurrency: [16, 64],
        warmUsers: 1000,
        coldUsers: 12_000,
        items: 1536,
        rounds: 2,
        refreshSeconds: 1,
        refreshRounds: 1,
        pool: 800,
      }
    : {
        concurrency: [16, 64],
        warmUsers: 1000,
        coldUsers: 20_000,
        items: 4096,
        rounds: 5,
        refreshSeconds: 3,
        refreshRounds: 3,
        pool: 2500,
      };
  const result = { settings, requireAuth: {}, refresh: {}, targets: {} };

  log(
    `requireAuth: Fastify, C = ${settings.concurrency.join(', ')}; ${settings.rounds} rounds of ${settings.items} requests per contender; ratio = median of per-slice ratios (IQR %).`,
  );
  const guard = await startChild({
    mode: 'guard',
    warmUsers: settings.warmUsers,
    coldUsers: settings.coldUsers,
  });
  try {
    const rows = [
      [
        'pool',
        'users',
        'C',
        'guarded req/s',
        'open req/s',
        'wall guarded/open',
        'IQR %',
        'server-CPU guarded/open',
        'IQR %',
        'errors',
      ],
    ];
    for (const pool of ['warm', 'cold']) {
      const tokens = guard.info.tokens[pool];
      for (const c of settings.concurrency) {
        const agent = new Agent({ keepAlive: true, maxSockets: c });
        const errors = { count: 0 };
        // The server's own CPU per slice, read over IPC around each slice: the load generator shares the
        // machine, so wall-clock rates can be bound by the client; server CPU per request cannot.
        const serverCpu = { guarded: [], open: [] };
        const pass = (name, path) => async (from, to) => {
          const before = (await guard.ask({ command: 'cpu' })).ms;
          await drive({
            port: guard.info.port,
            agent,
            concurrency: c,
            from,
            to,
            errors,
            build: (i) => ({
              method: 'GET',
              path,
              headers: { authorization: `Bearer ${tokens[i % tokens.length]}` },
            }),
          });
          serverCpu[name].push(Math.max((await guard.ask({ command: 'cpu' })).ms - before, 0.001));
        };
        const figures = await measureInterleaved({
          contenders: [
            { name: 'guarded', pass: pass('guarded', '/api/guarded') },
            { name: 'open', pass: pass('open', '/api/open') },
          ],
          items: settings.items,
          rounds: settings.rounds,
          sliceSize: 8 * c,
        });
        agent.destroy();
        const ratio = roundRatio(pairedRatio(figures.guarded, figures.open));
        // Warm-up slices are in serverCpu too; pairing by index stays aligned since both lists hold the same slices.
        const cpuRatio = roundRatio(
          pairedRatio({ sliceMs: serverCpu.guarded }, { sliceMs: serverCpu.open }),
        );
        result.requireAuth[`${pool}-c${c}`] = {
          users: tokens.length,
          guarded: Math.round(figures.guarded.median),
          open: Math.round(figures.open.median),
          ratio: ratio.median,
          spreadPct: ratio.spreadPct,
          serverCpuRatio: cpuRatio.median,
          serverCpuSpreadPct: cpuRatio.spreadPct,
          errors: errors.count,
        };
        result.targets[`requireAuth ${pool} c${c} >= ${TARGET}x (server CPU per request)`] = {
          value: cpuRatio.median,
          met: cpuRatio.median >= TARGET && errors.count === 0,
        };
        rows.push([
          pool,
          tokens.length,
          c,
          formatRate(figures.guarded.median),
          formatRate(figures.open.median),
          `${ratio.median.toFixed(3)}x`,
          ratio.spreadPct,
          `${cpuRatio.median.toFixed(3)}x`,
          cpuRatio.spreadPct,
          errors.count,
        ]);
      }
    }
    for (const line of formatTable(rows)) log(line);
  } finally {
    await guard.stop();
  }

  log(
    `refresh: body transport, C = ${settings.concurrency.join(', ')}; ${settings.refreshRounds} round(s) of ${settings.refreshSeconds} s per contender; http/core = median of per-round ratios.`,
  );
  const rows = [
    ['store', 'C', 'HTTP refresh/s', 'p50 ms', 'p99 ms', 'core refresh/s', 'http/core', 'errors'],
  ];
  for (const store of ['sqlite', 'postgres']) {
    let database;
    let child;
    try {
      database = store === 'postgres' ? await createDatabase() : undefined;
      child = await startChild({
        mode: 'refresh',
        databaseUrl: database?.url,
        pool: settings.pool * settings.concurrency.length * 2,
      });
      result.refresh[store] = {};
      const heads = child.info.heads;
      for (const c of settings.concurrency) {
        const agent = new Agent({ keepAlive: true, maxSockets: c });
        const httpRates = [];
        const coreRates = [];
        const latencies = [];
        let errors = 0;
        for (let round = 0; round < settings.refreshRounds; round++) {
          for (const which of round % 2 === 0 ? ['http', 'core'] : ['core', 'http']) {
            if (which === 'core') {
              coreRates.push(
                (
                  await child.ask({
                    command: 'core',
                    concurrency: c,
                    seconds: settings.refreshSeconds,
                  })
                ).opsPerSec,
              );
              continue;
            }
            const figure = await driveRefreshChains({
              port: child.info.port,
              agent,
              heads,
              concurrency: c,
              seconds: settings.refreshSeconds,
            });
            httpRates.push(figure.opsPerSec);
            latencies.push(...figure.latencies);
            errors += figure.errors;
          }
        }
        agent.destroy();
        latencies.sort((a, b) => a - b);
        const at = (q) =>
          latencies.length === 0
            ? null
            : Number(
                latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(
                  2,
                ),
              );
        const ratio = Number(median(httpRates.map((rate, i) => rate / coreRates[i])).toFixed(3));
        const figure = {
          http: Math.round(median(httpRates)),
          core: Math.round(median(coreRates)),
          p50Ms: at(0.5),
          p99Ms: at(0.99),
          httpOverCore: ratio,
          errors,
        };
        result.refresh[store][c] = figure;
        rows.push([
          store,
          c,
          formatRate(figure.http),
          figure.p50Ms,
          figure.p99Ms,
          formatRate(figure.core),
          `${ratio.toFixed(2)}x`,
          errors,
        ]);
      }
    } catch (error) {
      result.refresh[store] = { error: String(error?.message ?? error) };
      log(`${store}: not measured: ${result.refresh[store].error}`);
    } finally {
      await child?.stop();
      await database?.drop();
    }
  }
  for (const line of formatTable(rows)) log(line);
  log(
    'core = SessionManager.refresh() in the server process on the same store (the issue-3 rotation path with the real signer and rate limiter).',
  );
  for (const [name, target] of Object.entries(result.targets))
    log(`${target.met ? 'met   ' : 'MISSED'}  ${name}: ${target.value.toFixed(3)}x`);
  return result;
}

/** Sends requests from..to at `concurrency` in flight; each non-2xx answer counts as an error. */
async function drive({ port, agent, concurrency, from, to, errors, build }) {
  let next = from;
  const worker = async () => {
    while (next < to) {
      const i = next++;
      const { status } = await send(port, agent, build(i));
      if (status < 200 || status >= 300) errors.count++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, to - from) }, worker));
}

/** C chains refreshing over HTTP for `seconds`, each moving to a fresh session after 25 rotations. */
async function driveRefreshChains({ port, agent, heads, concurrency, seconds }) {
  const latencies = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline && heads.length > 0) {
        let token = heads.pop();
        for (let k = 0; k < ROTATIONS_PER_SESSION && performance.now() < deadline; k++) {
          const t = performance.now();
          const { status, body } = await send(port, agent, {
            method: 'POST',
            path: '/auth/refresh',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ refresh_token: token }),
          });
          latencies.push(performance.now() - t);
          if (status !== 200) {
            errors++;
            break;
          }
          token = JSON.parse(body).refresh_token;
        }
      }
    }),
  );
  return {
    opsPerSec: (latencies.length - errors) / ((performance.now() - started) / 1000),
    latencies,
    errors,
  };
}

function send(port, agent, { method, path, headers, body }) {
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers:
          body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
        agent,
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () =>
          resolvePromise({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    // Without this, Nagle holds a POST's body behind its headers until the server's delayed ACK (~40 ms).
    req.on('socket', (socket) => socket.setNoDelay(true));
    req.on('error', reject);
    req.end(body);
  });
}

async function createDatabase() {
  const name = `tessera_http_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    async drop() {
      const client = new pg.Client({ connectionString: PG_ADMIN });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Forks this file as the server; resolves with its first message (`info`) and an ask/stop pair. */
function startChild(options) {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: {
      ...process.env,
      TESSERA_BENCH_HTTP_CHILD: JSON.stringify(options),
      TESSERA_LOG_LEVEL: 'silent',
    },
    serialization: 'advanced',
  });
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    child.once('message', (info) => {
      if (info.error) return reject(new Error(info.error));
      resolvePromise({
        info,
        ask: (message) => new Promise((done) => (child.once('message', done), child.send(message))),
        stop: () =>
          new Promise(
            (done) => (
              child.removeAllListeners('exit'),
              child.once('exit', () => done()),
              child.send({ command: 'stop' })
            ),
          ),
      });
    });
  });
}

/** The child: a real server from configuration, answering the parent over IPC. */
async function serveChild(options) {
  const { resolveConfig } = await import('../dist/server/config.js');
  const { createTesseraServer } = await import('../dist/server/create-server.js');
  const directory = mkdtempSync(join(tmpdir(), 'tessera-bench-http-'));
  const flags = {
    db: join(directory, 'tessera.db'),
    issuer: 'https://auth.bench',
    audience: 'api',
    'access-ttl': '15m',
    ...(options.databaseUrl ? { 'database-url': options.databaseUrl } : {}),
  };
  const server = await createTesseraServer({
    config: await resolveConfig({ flags, env: {}, cwd: directory }),
  });
  const issue = async (count, prefix) => {
    const tokens = [];
    for (let i = 0; i < count; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, count - i) }, (_, k) =>
          server.sessions.issueSession(`${prefix}-${i + k}`, { transport: 'body' }),
        ),
      );
      tokens.push(...batch);
    }
    return tokens;
  };
  let closeHttp;
  let info;
  if (options.mode === 'guard') {
    const { default: fastify } = await import('fastify');
    const { tesseraRoutes, requireAuth } = await import('../dist/adapters/fastify.js');
    const app = fastify();
    tesseraRoutes(app, server.handler);
    const handler = async (request) => ({
      ok: true,
      length: request.headers.authorization?.length ?? 0,
    });
    app.get(
      '/api/guarded',
      {
        preHandler: requireAuth({
          issuer: 'https://auth.bench',
          audience: 'api',
          keys: server.keyring,
          revocations: server.revocations,
        }),
      },
      handler,
    );
    app.get('/api/open', handler);
    await app.listen({ port: 0, host: '127.0.0.1' });
    closeHttp = () => app.close();
    const access = async (count, prefix) => (await issue(count, prefix)).map((t) => t.accessToken);
    info = {
      port: app.server.address().port,
      tokens: {
        warm: await access(options.warmUsers, 'warm'),
        cold: await access(options.coldUsers, 'cold'),
      },
    };
  } else {
    const { listen } = await import('../dist/adapters/node.js');
    const { server: http, port } = await listen(server.handler, { port: 0, host: '127.0.0.1' });
    closeHttp = () => new Promise((done) => http.close(() => done()));
    info = { port, heads: (await issue(options.pool, 'http')).map((t) => t.refreshToken) };
  }
  const corePool =
    options.mode === 'refresh'
      ? (await issue(options.pool, 'core')).map((t) => t.refreshToken)
      : [];
  process.on('message', async (message) => {
    if (message.command === 'stop') {
      await closeHttp();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
      process.exit(0);
    }
    if (message.command === 'cpu') {
      const usage = process.cpuUsage();
      process.send({ ms: (usage.user + usage.system) / 1000 });
      return;
    }
    if (message.command === 'core') {
      let done = 0;
      const started = performance.now();
      const deadline = started + message.seconds * 1000;
      await Promise.all(
        Array.from({ length: message.concurrency }, async () => {
          while (performance.now() < deadline && corePool.length > 0) {
            let token = corePool.pop();
            for (let k = 0; k < ROTATIONS_PER_SESSION && performance.now() < deadline; k++) {
              token = (await server.sessions.refresh(token, { transport: 'body' })).refreshToken;
              done++;
            }
          }
        }),
      );
      process.send({ opsPerSec: done / ((performance.now() - started) / 1000) });
    }
  });
  process.send(info);
}

if (process.env.TESSERA_BENCH_HTTP_CHILD !== undefined && process.send !== undefined) {
  serveChild(JSON.parse(process.env.TESSERA_BENCH_HTTP_CHILD)).catch((error) => {
    process.send({ error: String(error?.stack ?? error) });
    process.exit(1);
  });
}
