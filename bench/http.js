// The HTTP layer under load (issue 4, issue 16 item 2). Three processes: the server (this file, forked),
// the load generator (autocannon, this file forked in `load` mode) and this one, which only conducts.
//   requireAuth   one Fastify app, GET /api/guarded behind requireAuth() and GET /api/open with the same
//                 handler and no guard, in interleaved rounds with the same Authorization headers on both.
//                 Tokens belong to many distinct users: a `warm` pool smaller than the verifier's cache
//                 (10 000 entries) and a `cold` pool larger than it, cycled round-robin so every cold
//                 request misses the cache. Target: guarded/open >= 0.95 (server CPU per request).
//   refresh       POST /auth/refresh end to end (body transport) on SQLite and PostgreSQL, next to
//                 SessionManager.refresh() on the same server, same store, same run: the rotation figure
//                 of issue 3. Chains move to a fresh session after 25 rotations (the server allows 30 per
//                 session per minute, a budget kept on the session row), so the limit is on and never
//                 refuses. Target: >= 0.8x.
//                 Beside them the floor: a bare node:http handler calling the same refresh(), the most
//                 any HTTP layer could reach on this machine.
// TESSERA_BENCH_HTTP_SKIP_GUARD=1 or TESSERA_BENCH_HTTP_SKIP_REFRESH=1 runs one half only.
import { Buffer } from 'node:buffer';
import { fork } from 'node:child_process';
import { verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { formatRate, formatTable, median, spreadPct } from './lib/stats.js';

const GUARD_TARGET = 0.95;
const REFRESH_TARGET = 0.8;
const ROTATIONS_PER_SESSION = 25;
const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs the section; returns { settings, requireAuth, refresh, targets }. */
export async function run({ quick, log }) {
  const settings = quick
    ? {
        concurrency: [16, 64],
        warmUsers: 1000,
        coldUsers: 12_000,
        seconds: 0.6,
        rounds: 2,
        refreshSeconds: 0.6,
        refreshRounds: 2,
        pool: 250,
        // Warm-ups are short and only before a pool's or store's first cell: the next cell runs in the
        // same, already warm processes.
        warmupSeconds: 0.5,
        warmEveryCell: false,
      }
    : {
        concurrency: [16, 64],
        warmUsers: 1000,
        coldUsers: 20_000,
        seconds: 2,
        rounds: 5,
        refreshSeconds: 3,
        refreshRounds: 3,
        pool: 400,
        warmupSeconds: 2,
        warmEveryCell: true,
      };
  const result = { settings, requireAuth: {}, refresh: {}, targets: {} };
  // The load generator is autocannon in a process of its own (this file, forked in `load` mode), so
  // neither its parsing nor its timers are billed to the server, and the server's CPU is read over IPC.
  const load = await startChild({ mode: 'load' });
  try {
    if (!process.env.TESSERA_BENCH_HTTP_SKIP_GUARD)
      await measureGuard({ settings, result, log, load });
    if (!process.env.TESSERA_BENCH_HTTP_SKIP_REFRESH)
      await measureRefresh({ settings, result, log, load });
  } finally {
    await load.stop();
  }
  for (const [name, target] of Object.entries(result.targets))
    log(`${target.met ? 'met   ' : 'MISSED'}  ${name}: ${target.value.toFixed(3)}x`);
  return result;
}

const spreadOf = (values) =>
  values.length === 0 ? '-' : `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;

async function measureGuard({ settings, result, log, load }) {
  log(
    `requireAuth: Fastify, autocannon C = ${settings.concurrency.join(', ')}; ${settings.rounds} interleaved rounds of ${settings.seconds} s per contender; ratio = median of per-round ratios (min–max).`,
  );
  const setupStarted = performance.now();
  const guard = await startChild({
    mode: 'guard',
    warmUsers: settings.warmUsers,
    coldUsers: settings.coldUsers,
  });
  log(`(requireAuth setup: ${((performance.now() - setupStarted) / 1000).toFixed(1)} s)`);
  try {
    const rows = [
      [
        'pool',
        'users',
        'C',
        'guarded req/s',
        'p50/p99 ms',
        'open req/s',
        'p50/p99 ms',
        'wall g/o',
        'min–max',
        'server-CPU g/o',
        'min–max',
        'limit/o',
        'g/limit',
        'errors',
      ],
    ];
    // The limits, in server CPU, measured as a third contender on the same server. Warm: the route
    // behind a preHandler that only calls done(), the least any Fastify guard costs. Cold: the route
    // behind a preHandler doing one bare crypto.verify of the Bearer token's signature (no parsing, no
    // claims, no cache): no guard that verifies a token it has not seen can beat it, and it pays what
    // the machine adds to a CPU-bound server (its loopback writes wake a sleeping load generator).
    for (const pool of ['warm', 'cold']) {
      const tokens = guard.info.tokens[pool];
      for (const c of settings.concurrency) {
        const runs = { guarded: [], open: [], hooked: [], raw: [] };
        const limit = pool === 'warm' ? 'hooked' : 'raw';
        const names = ['guarded', 'open', limit];
        const wall = [];
        const cpu = [];
        let errors = 0;
        const pass = async (name, seconds = settings.seconds) => {
          const before = (await guard.ask({ command: 'cpu' })).ms;
          const figure = await load.ask({
            command: 'guard',
            port: guard.info.port,
            path: `/api/${name}`,
            pool,
            tokens,
            connections: c,
            seconds,
          });
          const ms = Math.max((await guard.ask({ command: 'cpu' })).ms - before, 0.001);
          errors += figure.errors;
          runs[name].push({ ...figure, cpuPerRequest: ms / Math.max(figure.requests, 1) });
        };
        // Warm-up, not counted: JIT and sockets, and for the warm pool the verifier's cache (the first
        // guarded pass verifies every token once; the cold pool misses by construction anyway).
        if (settings.warmEveryCell || c === settings.concurrency[0]) {
          await pass('guarded', settings.warmupSeconds);
          await pass('open', settings.warmupSeconds);
        }
        runs.open.length = runs.guarded.length = 0;
        for (let round = 0; round < settings.rounds; round++) {
          for (let k = 0; k < names.length; k++) await pass(names[(round + k) % names.length]);
          const g = runs.guarded[round];
          const o = runs.open[round];
          wall.push(g.rps / o.rps);
          cpu.push(o.cpuPerRequest / g.cpuPerRequest);
        }
        const mid = (name, key) => median(runs[name].map((r) => r[key]));
        const figure = {
          users: tokens.length,
          guarded: Math.round(mid('guarded', 'rps')),
          guardedP50Ms: mid('guarded', 'p50'),
          guardedP99Ms: mid('guarded', 'p99'),
          open: Math.round(mid('open', 'rps')),
          openP50Ms: mid('open', 'p50'),
          openP99Ms: mid('open', 'p99'),
          ratio: Number(median(wall).toFixed(3)),
          ratios: wall.map((r) => Number(r.toFixed(3))),
          serverCpuRatio: Number(median(cpu).toFixed(3)),
          serverCpuRatios: cpu.map((r) => Number(r.toFixed(3))),
          limit,
          limitServerCpuRatio: Number(
            median(runs.open.map((o, i) => o.cpuPerRequest / runs[limit][i].cpuPerRequest)).toFixed(
              3,
            ),
          ),
          guardedOverLimitServerCpu: Number(
            median(
              runs.guarded.map((g, i) => runs[limit][i].cpuPerRequest / g.cpuPerRequest),
            ).toFixed(3),
          ),
          errors,
        };
        result.requireAuth[`${pool}-c${c}`] = figure;
        result.targets[`requireAuth ${pool} c${c} >= ${GUARD_TARGET}x (server CPU per request)`] = {
          value: figure.serverCpuRatio,
          spreadPct: spreadPct(cpu),
          met: figure.serverCpuRatio >= GUARD_TARGET && errors === 0,
          note: `limit ${figure.limitServerCpuRatio}x (${pool === 'cold' ? 'a preHandler doing one bare ES256 crypto.verify' : 'a preHandler that only calls done()'}); requireAuth/limit ${figure.guardedOverLimitServerCpu}x`,
        };
        rows.push([
          pool,
          tokens.length,
          c,
          formatRate(figure.guarded),
          `${figure.guardedP50Ms}/${figure.guardedP99Ms}`,
          formatRate(figure.open),
          `${figure.openP50Ms}/${figure.openP99Ms}`,
          `${figure.ratio.toFixed(3)}x`,
          spreadOf(wall),
          `${figure.serverCpuRatio.toFixed(3)}x`,
          spreadOf(cpu),
          `${figure.limitServerCpuRatio.toFixed(3)}x`,
          `${figure.guardedOverLimitServerCpu.toFixed(3)}x`,
          errors,
        ]);
      }
    }
    for (const line of formatTable(rows)) log(line);
    log(
      'limit/o and g/limit, server CPU per request: the best a Fastify guard could do, measured on the same server. warm: the route behind a preHandler that only calls done(); cold: behind a preHandler doing one bare ES256 crypto.verify of the Bearer token (no parsing, no claims, no cache).',
    );
  } finally {
    await guard.stop();
  }
}

async function measureRefresh({ settings, result, log, load }) {
  log(
    `refresh: POST /auth/refresh, body transport, autocannon C = ${settings.concurrency.join(', ')}; ${settings.refreshRounds} interleaved round(s) of ${settings.refreshSeconds} s per contender; http/core = median of per-round ratios (min–max).`,
  );
  const rows = [
    [
      'store',
      'C',
      'HTTP refresh/s',
      'p50 ms',
      'p99 ms',
      'core refresh/s',
      'wall http/core',
      'min–max',
      'server-CPU http/core',
      'min–max',
      'floor/core',
      'http/floor',
      'min–max',
      'errors',
    ],
  ];
  for (const store of ['sqlite', 'postgres']) {
    let database;
    let child;
    try {
      const setupStarted = performance.now();
      database = store === 'postgres' ? await createDatabase() : undefined;
      child = await startChild({
        mode: 'refresh',
        databaseUrl: database?.url,
        pool: settings.pool * settings.concurrency.length * (settings.refreshRounds + 1) * 2,
      });
      log(`(refresh ${store} setup: ${((performance.now() - setupStarted) / 1000).toFixed(1)} s)`);
      result.refresh[store] = {};
      const heads = child.info.heads;
      for (const c of settings.concurrency) {
        const httpRuns = [];
        const coreRates = [];
        let errors = 0;
        const floorRuns = [];
        const over = async (port, seconds) => {
          const before = (await child.ask({ command: 'cpu' })).ms;
          const figure = await load.ask({
            command: 'refresh',
            port,
            heads: heads.splice(0, settings.pool),
            connections: c,
            seconds,
          });
          errors += figure.errors;
          const ms = (await child.ask({ command: 'cpu' })).ms - before;
          return { ...figure, cpuPerOp: ms / Math.max(figure.requests, 1) };
        };
        const core = async (seconds) => child.ask({ command: 'core', concurrency: c, seconds });
        const contenders = {
          http: async (seconds) => httpRuns.push(await over(child.info.port, seconds)),
          floor: async (seconds) => floorRuns.push(await over(child.info.floorPort, seconds)),
          core: async (seconds) => coreRates.push(await core(seconds)),
        };
        // Warm-up of each, not counted (JIT; the first rounds would otherwise pay it unevenly).
        if (settings.warmEveryCell || c === settings.concurrency[0])
          for (const run of Object.values(contenders)) await run(settings.warmupSeconds);
        httpRuns.length = floorRuns.length = coreRates.length = errors = 0;
        const order = Object.keys(contenders);
        for (let round = 0; round < settings.refreshRounds; round++)
          for (let k = 0; k < order.length; k++)
            await contenders[order[(round + k) % order.length]](settings.refreshSeconds);
        const ratios = httpRuns.map((figure, i) => figure.rps / coreRates[i].opsPerSec);
        const cpuRatios = httpRuns.map((figure, i) => coreRates[i].cpuPerOp / figure.cpuPerOp);
        const floorCpuRatios = floorRuns.map((f, i) => coreRates[i].cpuPerOp / f.cpuPerOp);
        const overFloorCpu = httpRuns.map((f, i) => floorRuns[i].cpuPerOp / f.cpuPerOp);
        const figure = {
          http: Math.round(median(httpRuns.map((r) => r.rps))),
          core: Math.round(median(coreRates.map((r) => r.opsPerSec))),
          p50Ms: median(httpRuns.map((r) => r.p50)),
          p99Ms: median(httpRuns.map((r) => r.p99)),
          httpOverCore: Number(median(ratios).toFixed(3)),
          ratios: ratios.map((r) => Number(r.toFixed(3))),
          serverCpuRatio: Number(median(cpuRatios).toFixed(3)),
          serverCpuRatios: cpuRatios.map((r) => Number(r.toFixed(3))),
          floor: Math.round(median(floorRuns.map((r) => r.rps))),
          floorServerCpuRatio: Number(median(floorCpuRatios).toFixed(3)),
          httpOverFloorServerCpu: Number(median(overFloorCpu).toFixed(3)),
          httpOverFloorServerCpus: overFloorCpu.map((r) => Number(r.toFixed(3))),
          errors,
        };
        result.refresh[store][c] = figure;
        result.targets[`refresh ${store} c${c} >= ${REFRESH_TARGET}x of the core (wall)`] = {
          value: figure.httpOverCore,
          spreadPct: spreadPct(ratios),
          met: figure.httpOverCore >= REFRESH_TARGET && errors === 0,
        };
        result.targets[
          `refresh ${store} c${c} >= ${REFRESH_TARGET}x of the core (server CPU per op)`
        ] = {
          value: figure.serverCpuRatio,
          spreadPct: spreadPct(cpuRatios),
          met: figure.serverCpuRatio >= REFRESH_TARGET && errors === 0,
        };
        rows.push([
          store,
          c,
          formatRate(figure.http),
          figure.p50Ms,
          figure.p99Ms,
          formatRate(figure.core),
          `${figure.httpOverCore.toFixed(2)}x`,
          spreadOf(ratios),
          `${figure.serverCpuRatio.toFixed(2)}x`,
          spreadOf(cpuRatios),
          `${figure.floorServerCpuRatio.toFixed(2)}x`,
          `${figure.httpOverFloorServerCpu.toFixed(2)}x`,
          spreadOf(overFloorCpu),
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
    'core = SessionManager.refresh() in the server process on the same store, C chains in flight (the issue-3 rotation path with the real signer and rate limiter). floor = a bare node:http handler in the same process that parses the JSON body, calls the same refresh() and writes a JSON answer: the physical limit of a refresh over HTTP on this machine. floor/core and http/floor are server CPU per op.',
  );
}

/** The floor: node:http, JSON in, SessionManager.refresh(), JSON out, nothing else. */
async function listenFloor(sessions) {
  const { createServer } = await import('node:http');
  const floor = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      try {
        const { refresh_token } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const tokens = await sessions.refresh(refresh_token, {
          transport: 'body',
          ip: req.socket.remoteAddress ?? null,
          userAgent: null,
        });
        const body = JSON.stringify({
          access_token: tokens.accessToken,
          token_type: 'Bearer',
          expires_in: tokens.expiresIn,
          refresh_token: tokens.refreshToken,
        });
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'cache-control': 'no-store',
        });
        res.end(body);
      } catch {
        res.writeHead(401).end();
      }
    });
  });
  await new Promise((done) => floor.listen(0, '127.0.0.1', done));
  return floor;
}

/** One bare crypto.verify of an ES256 token's signature (P1363, prepared KeyObject): (token) => boolean. */
function rawVerifierOf(keyring) {
  const options = { key: keyring.signingKey().publicKey, dsaEncoding: 'ieee-p1363' };
  return (token) => {
    const dot = token.lastIndexOf('.');
    if (dot < 0) return false;
    const data = Buffer.from(token.slice(0, dot), 'latin1');
    return verify('sha256', data, options, Buffer.from(token.slice(dot + 1), 'base64url'));
  };
}

/** The load child: autocannon runs asked for over IPC, answered with rate, p50/p99 and errors. */
async function serveLoad() {
  const { default: autocannon } = await import('autocannon');
  const summary = (figure) => ({
    rps: figure['2xx'] / (figure.duration || 1),
    requests: figure['2xx'] + figure.non2xx,
    p50: figure.latency.p50,
    p99: figure.latency.p99,
    errors: figure.errors + figure.timeouts + figure.non2xx,
  });
  const cursors = new Map();
  process.on('message', async (message) => {
    if (message.command === 'stop') process.exit(0);
    if (message.command === 'guard') {
      // Round-robin over the pool across all connections, carried on from the pool's previous pass: with
      // the cold pool (more tokens than the verifier's FIFO cache holds) every request misses the cache,
      // however short the pass. Restarting at the first token each pass, a pass that sent fewer requests
      // than the cache holds would be answered from the cache from the second pass on.
      // One cursor per pool and route: the open route's passes must not move the guarded one's.
      const cursor = `${message.pool} ${message.path}`;
      let next = cursors.get(cursor) ?? 0;
      const { tokens } = message;
      const figure = await autocannon({
        url: `http://127.0.0.1:${message.port}`,
        connections: message.connections,
        duration: message.seconds,
        // autocannon checks its stop flag once per sample; at its default (1 s) a 0.6 s cell ran 1 s.
        sampleInt: 100,
        requests: [
          {
            method: 'GET',
            path: message.path,
            setupRequest: (request) => ({
              ...request,
              headers: { authorization: `Bearer ${tokens[next++ % tokens.length]}` },
            }),
          },
        ],
      });
      cursors.set(cursor, next % tokens.length);
      process.send(summary(figure));
    }
    if (message.command === 'refresh') {
      // autocannon resets a connection's context after its list of requests: one list is one chain of
      // ROTATIONS_PER_SESSION rotations, the first taking a fresh session, each next one the token the
      // previous answer gave (the server allows 30 per session per minute, so the limiter never refuses).
      const { heads } = message;
      const chain = Array.from({ length: ROTATIONS_PER_SESSION }, (_, k) => ({
        method: 'POST',
        path: '/auth/refresh',
        setupRequest: (request, context) => {
          if (k === 0) context.token = heads.pop() ?? 'rt_exhausted.pool';
          return {
            ...request,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ refresh_token: context.token }),
          };
        },
        onResponse: (status, body, context) => {
          if (status === 200) context.token = JSON.parse(body).refresh_token;
        },
      }));
      const figure = await autocannon({
        url: `http://127.0.0.1:${message.port}`,
        connections: message.connections,
        duration: message.seconds,
        sampleInt: 100,
        requests: chain,
      });
      process.send({ ...summary(figure), headsLeft: heads.length });
    }
  });
  process.send({ ready: true });
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
    app.get('/api/hooked', { preHandler: (_request, _reply, done) => done() }, handler);
    const rawVerify = rawVerifierOf(server.keyring);
    app.get(
      '/api/raw',
      {
        preHandler: (request, reply, done) => {
          if (rawVerify(request.headers.authorization?.slice('Bearer '.length) ?? '')) done();
          else reply.code(401).send();
        },
      },
      handler,
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    closeHttp = () => app.close();
    // The warm pool is real sessions. The cold pool is only there to outnumber the verifier's cache, and
    // the guard never reads a session row, so its tokens come from the server's own signer and keyring
    // (the same key, claims and lifetime a login gives): minting 12 000+ sessions took longer than
    // every guarded cell of a quick run together.
    const { createAccessTokenSigner } = await import('../dist/jwt/sign-access-token.js');
    const sign = createAccessTokenSigner({
      keys: server.keyring,
      issuer: 'https://auth.bench',
      audience: 'api',
      ttlSeconds: 900,
    });
    const cold = Array.from(
      { length: options.coldUsers },
      (_, i) => sign({ sub: `cold-${i}`, sid: `cold-session-${i}`, clientId: 'tessera' }).token,
    );
    info = {
      port: app.server.address().port,
      tokens: {
        warm: (await issue(options.warmUsers, 'warm')).map((t) => t.accessToken),
        cold,
      },
    };
  } else {
    const { listen } = await import('../dist/adapters/node.js');
    const { server: http, port } = await listen(server.handler, { port: 0, host: '127.0.0.1' });
    const floor = await listenFloor(server.sessions);
    closeHttp = async () => {
      await new Promise((done) => http.close(() => done()));
      await new Promise((done) => floor.close(() => done()));
    };
    info = {
      port,
      floorPort: floor.address().port,
      heads: (await issue(options.pool, 'http')).map((t) => t.refreshToken),
    };
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
      const cpuBefore = process.cpuUsage();
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
      const cpu = process.cpuUsage(cpuBefore);
      process.send({
        opsPerSec: done / ((performance.now() - started) / 1000),
        cpuPerOp: (cpu.user + cpu.system) / 1000 / Math.max(done, 1),
      });
    }
  });
  process.send(info);
}

if (process.env.TESSERA_BENCH_HTTP_CHILD !== undefined && process.send !== undefined) {
  const options = JSON.parse(process.env.TESSERA_BENCH_HTTP_CHILD);
  (options.mode === 'load' ? serveLoad() : serveChild(options)).catch((error) => {
    process.send({ error: String(error?.stack ?? error) });
    process.exit(1);
  });
}
