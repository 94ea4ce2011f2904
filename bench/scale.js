/* global fetch */
// Scale on one PostgreSQL primary (issue 16 item 5): the sustained POST /auth/refresh rate through two
// Tessera processes on one database, direct and through pgbouncer 1.18 in transaction mode
// (--pg-pooler transaction), at rising concurrency, with p50/p99 from autocannon; the highest rate whose
// p99 stays under 50 ms is the "sustained" figure. Next to it: pgbench -N through the same pgbouncer (the
// limit: a small write transaction per request, no Tessera), what one refresh costs the primary (CPU of
// the postgres processes, WAL bytes, commits), and how long a logout on one node takes to be refused on
// the other (LISTEN/NOTIFY direct, the polled feed through pgbouncer). README "Scale" extrapolates from it.
//   Rows per concurrency C (connections per node, so 2C in all), in rounds with the order rotating.
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { formatRate, formatTable, median, spreadPct } from './lib/stats.js';
import { OPTIONS_ENV, childOptions, inBatches, listenOn, runChild, serve } from './peers/child.js';
import { createFleet, freePort, startLoad } from './peers/fleet.js';

const run$ = promisify(execFile);
const PG = 'postgres://postgres@127.0.0.1:5432';
const P99_BUDGET_MS = 50;
const ISSUER = 'https://auth.bench';
const TICK_MS = 1000 / 100; // /proc/<pid>/stat counts CPU in clock ticks (USER_HZ = 100 on Linux)

/** Runs the section; returns { settings, rows, sustained, pgbench, cost, revocationLagMs, notes }. */
export async function run({ quick, log }) {
  const settings = quick
    ? { concurrency: [4, 16], seconds: 2, rounds: 1, users: 1500, lagTrials: 3, pgbenchC: 16 }
    : {
        concurrency: [1, 2, 4, 8, 16, 32],
        seconds: 5,
        rounds: 3,
        users: 4000,
        lagTrials: 9,
        pgbenchC: 16,
      };
  const fleet = createFleet();
  const stamp = `${process.pid}_${Date.now()}`;
  const databases = {
    direct: `tessera_scale_direct_${stamp}`,
    pgbouncer: `tessera_scale_pooled_${stamp}`,
  };
  const pgbenchDb = `tessera_scale_pgbench_${stamp}`;
  const admin = new pg.Client({ connectionString: `${PG}/postgres` });
  await admin.connect();
  let bouncer;
  const cleanup = [];
  try {
    for (const name of [...Object.values(databases), pgbenchDb]) {
      await admin.query(`CREATE DATABASE ${name}`);
      cleanup.push(() => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }
    // Fewer server connections than clients (2 nodes x 10 pooled + pgbench): the pooler multiplexes.
    bouncer = await startPgbouncer({ poolSize: 10 });
    const urls = {
      direct: `${PG}/${databases.direct}`,
      pgbouncer: bouncer.url(databases.pgbouncer),
    };
    const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-scale-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const script = fileURLToPath(import.meta.url);
    const nodes = {};
    for (const mode of ['direct', 'pgbouncer']) {
      // One after the other: the first node migrates the fresh database and creates the keyring.
      const pooler = mode === 'pgbouncer' ? 'transaction' : 'none';
      const a = await fleet.start(script, { dir, url: urls[mode], pooler, name: `${mode}-a` });
      const b = await fleet.start(script, { dir, url: urls[mode], pooler, name: `${mode}-b` });
      nodes[mode] = [a, b];
    }
    const loads = [startLoad(fleet), startLoad(fleet)];
    for (const mode of Object.keys(nodes))
      for (let k = 0; k < 2; k++) {
        const users = await nodes[mode][k].seed(settings.users);
        await loads[k].store(
          mode,
          users.map((user) => user.refreshToken),
        );
      }
    log(
      `2 Tessera processes per row on one PostgreSQL 15 (${settings.users} sessions per node), pgbouncer ${bouncer.version} pool_mode=transaction default_pool_size=10; C per node = ${settings.concurrency.join(', ')}; ${settings.rounds} round(s) of ${settings.seconds} s.`,
    );

    const samples = {};
    for (const c of settings.concurrency) {
      samples[c] = { direct: [], pgbouncer: [] };
      for (let round = 0; round < settings.rounds; round++) {
        const order = round % 2 === 0 ? ['direct', 'pgbouncer'] : ['pgbouncer', 'direct'];
        for (const mode of order) {
          const pids = nodes[mode].map((node) => node.child.pid);
          samples[c][mode].push(
            await measureCell({
              admin,
              loads,
              nodes: nodes[mode],
              mode,
              c,
              seconds: settings.seconds,
              pids,
              database: databases[mode],
            }),
          );
        }
      }
    }
    const rows = {};
    const table = [
      [
        'C/node',
        'mode',
        'refresh/s',
        'spread',
        'p50 ms',
        'p99 ms',
        'failed',
        'CPU ms/refresh: pg',
        'tessera',
        'bouncer',
        'WAL B (server)',
        'commits',
      ],
    ];
    for (const c of settings.concurrency)
      for (const mode of ['direct', 'pgbouncer']) {
        const cell = samples[c][mode];
        const row = {
          rate: median(cell.map((s) => s.rate)),
          spreadPct: spreadPct(cell.map((s) => s.rate)),
          p50: median(cell.map((s) => s.p50)),
          p99: median(cell.map((s) => s.p99)),
          p99Max: Math.max(...cell.map((s) => s.p99)),
          failed: cell.reduce((sum, s) => sum + s.failed, 0),
          cost: medianCost(cell.map((s) => s.cost)),
          samples: cell.map((s) => ({ rate: s.rate, p50: s.p50, p99: s.p99 })),
        };
        (rows[mode] ??= {})[c] = row;
        table.push([
          c,
          mode,
          formatRate(row.rate),
          `${row.spreadPct}%`,
          row.p50,
          row.p99,
          row.failed,
          row.cost.pgCpuMs,
          row.cost.tesseraCpuMs,
          row.cost.bouncerCpuMs,
          row.cost.walBytes,
          row.cost.commits,
        ]);
      }
    for (const line of formatTable(table)) log(line);

    const sustained = {};
    for (const mode of ['direct', 'pgbouncer']) {
      const fit = settings.concurrency
        .map((c) => ({ c, ...rows[mode][c] }))
        .filter((row) => row.p99 < P99_BUDGET_MS && row.failed === 0);
      const best = fit.sort((x, y) => y.rate - x.rate)[0];
      sustained[mode] = best
        ? {
            concurrencyPerNode: best.c,
            rate: best.rate,
            p50: best.p50,
            p99: best.p99,
            cost: best.cost,
          }
        : null;
      log(
        best
          ? `sustained (${mode}): ${formatRate(best.rate)} refresh/s at C=${best.c}/node, p50 ${best.p50} ms, p99 ${best.p99} ms; per refresh: postgres ${best.cost.pgCpuMs} ms CPU, tessera ${best.cost.tesseraCpuMs} ms CPU, pgbouncer ${best.cost.bouncerCpuMs} ms CPU, ${best.cost.walBytes} B WAL, ${best.cost.commits} commits`
          : `sustained (${mode}): no concurrency kept p99 under ${P99_BUDGET_MS} ms`,
      );
    }

    const pgbench = await runPgbench({ admin, bouncer, database: pgbenchDb, settings });
    log(
      `limit: pgbench -N -c ${settings.pgbenchC} via pgbouncer: ${formatRate(pgbench.tps.median)} tps (spread ${pgbench.tps.spreadPct}%), p50 ${pgbench.p50} ms, p99 ${pgbench.p99} ms; postgres ${pgbench.pgCpuMsPerTx} ms CPU per transaction`,
    );

    const revocationLagMs = {};
    for (const mode of ['direct', 'pgbouncer']) {
      const lags = await measureRevocationLag(nodes[mode], settings.lagTrials);
      revocationLagMs[mode] = { median: median(lags), max: Math.max(...lags), samples: lags };
      log(
        `logout on node A refused on node B (${mode === 'direct' ? 'LISTEN/NOTIFY' : 'feed polled every 500 ms'}): median ${median(lags)} ms, max ${Math.max(...lags)} ms over ${lags.length}`,
      );
    }
    return {
      settings,
      rows,
      sustained,
      pgbench,
      revocationLagMs,
      cpus: (await import('node:os')).cpus().length,
    };
  } finally {
    await fleet.stopAll();
    await bouncer?.stop();
    for (const step of cleanup.reverse())
      await Promise.resolve()
        .then(step)
        .catch(() => undefined);
    await admin.end();
  }
}

/** One cell: both nodes loaded at once for `seconds`, with CPU, WAL and commits read around it. */
async function measureCell({ admin, loads, nodes, mode, c, seconds, pids, database }) {
  const before = await primaryCounters(admin, database, pids);
  const results = await Promise.all(
    nodes.map((node, k) =>
      loads[k].run({
        key: mode,
        url: `http://127.0.0.1:${node.port}`,
        kind: 'refresh',
        path: '/auth/refresh',
        field: 'refresh_token',
        connections: c,
        seconds,
      }),
    ),
  );
  // PostgreSQL flushes its statistics at most once a second.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const after = await primaryCounters(admin, database, pids);
  const rate = results.reduce((sum, r) => sum + r.rate, 0);
  const done = results.reduce((sum, r) => sum + r.requests - r.non2xx, 0);
  const per = (value) => (done > 0 ? Math.round((value / done) * 1000) / 1000 : 0);
  return {
    rate,
    // The nodes' latencies side by side: p50 the mean of theirs, p99 the worse of the two.
    p50: Math.round(((results[0].p50 + results[1].p50) / 2) * 10) / 10,
    p99: Math.max(results[0].p99, results[1].p99),
    failed: results.reduce((sum, r) => sum + r.non2xx + r.errors, 0),
    cost: {
      pgCpuMs: per(backendDelta(before.backends, after.backends)),
      tesseraCpuMs: per(after.tesseraCpuMs - before.tesseraCpuMs),
      bouncerCpuMs: per(after.bouncerCpuMs - before.bouncerCpuMs),
      walBytes: Math.round(per(after.wal - before.wal)),
      commits: per(after.commits - before.commits),
    },
  };
}

function medianCost(costs) {
  const out = {};
  for (const key of Object.keys(costs[0])) out[key] = median(costs.map((cost) => cost[key]));
  return out;
}

/**
 * CPU milliseconds of the backends serving `database` (by pid, so other clients of the shared server do
 * not count; WAL writer and checkpointer are not included), of pgbouncer and of the given processes; the
 * server's WAL position (the whole server's: an upper bound) and the commits in `database`.
 */
async function primaryCounters(admin, database, pids) {
  const { rows } = await admin.query(
    `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8 AS wal,
       (SELECT xact_commit FROM pg_stat_database WHERE datname = $1)::float8 AS commits,
       ARRAY(SELECT pid FROM pg_stat_activity WHERE datname = $1) AS backends`,
    [database],
  );
  const cpu = processCpu();
  return {
    wal: rows[0].wal,
    commits: rows[0].commits,
    backends: new Map(rows[0].backends.map((pid) => [pid, cpu.byPid.get(pid) ?? 0])),
    bouncerCpuMs: cpu.pgbouncer ?? 0,
    tesseraCpuMs: pids.reduce((sum, pid) => sum + (cpu.byPid.get(pid) ?? 0), 0),
  };
}

// CPU the backends alive at `after` spent since `before` (a backend born in between: all of it).
function backendDelta(before, after) {
  let sum = 0;
  for (const [pid, ms] of after) sum += ms - (before.get(pid) ?? 0);
  return sum;
}

// Sums utime + stime by command name (postgres, pgbouncer) and by pid.
function processCpu() {
  const out = { byPid: new Map() };
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    out.byPid.set(Number(entry), ms);
    if (comm === 'postgres' || comm === 'pgbouncer') out[comm] = (out[comm] ?? 0) + ms;
  }
  return out;
}

/** pgbench -N through the pooler: the ceiling of small write transactions on this primary and machine. */
async function runPgbench({ admin, bouncer, database, settings }) {
  const args = (...rest) => ['-h', '127.0.0.1', '-U', 'postgres', ...rest];
  await run$('pgbench', args('-i', '-q', '-s', '1', database), { maxBuffer: 1 << 24 });
  const logs = mkdtempSync(join(tmpdir(), 'tessera-scale-pgbench-'));
  const tps = [];
  const latencies = [];
  const cpu = [];
  try {
    for (let round = 0; round < settings.rounds; round++) {
      for (const file of readdirSync(logs)) rmSync(join(logs, file));
      const before = await primaryCounters(admin, database, []);
      const { stdout } = await run$(
        'pgbench',
        [
          '-h',
          '127.0.0.1',
          '-p',
          String(bouncer.port),
          '-U',
          'postgres',
          '-N',
          '-n',
          '-c',
          String(settings.pgbenchC),
          '-j',
          '2',
          '-T',
          String(settings.seconds),
          '-l',
          '--log-prefix',
          join(logs, 'tx'),
          database,
        ],
        { maxBuffer: 1 << 24 },
      );
      // pgbouncer keeps its server connections after pgbench disconnects, so they are still there.
      const after = await primaryCounters(admin, database, []);
      const pgCpu = backendDelta(before.backends, after.backends);
      const found = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
      if (found === null) throw new Error(`cannot read tps from pgbench: ${stdout.slice(-300)}`);
      tps.push(Number(found[1]));
      let count = 0;
      for (const file of readdirSync(logs))
        for (const line of readFileSync(join(logs, file), 'utf8').split('\n')) {
          const fields = line.split(' ');
          if (fields.length >= 3) {
            latencies.push(Number(fields[2]) / 1000);
            count++;
          }
        }
      cpu.push(count > 0 ? pgCpu / count : 0);
    }
  } finally {
    rmSync(logs, { recursive: true, force: true });
  }
  latencies.sort((a, b) => a - b);
  const at = (q) => Math.round(latencies[Math.floor((latencies.length - 1) * q)] * 100) / 100;
  return {
    tps: { median: median(tps), spreadPct: spreadPct(tps), samples: tps },
    p50: at(0.5),
    p99: at(0.99),
    pgCpuMsPerTx: Math.round(median(cpu) * 1000) / 1000,
  };
}

/** Logs out on node A, then asks node B until it refuses the access token: ms from the logout's answer. */
async function measureRevocationLag([a, b], trials) {
  const [session] = await a.seed(1);
  const lags = [];
  for (let i = 0; i < trials; i++) {
    const [user] = i === 0 ? [session] : await a.seed(1);
    const me = () =>
      fetch(`http://127.0.0.1:${b.port}/auth/me`, {
        headers: { authorization: `Bearer ${user.accessToken}` },
      }).then((response) => (response.body?.cancel(), response.status));
    if ((await me()) !== 200) throw new Error('node B refused a live session');
    // Start at a random phase of the 500 ms poll, as a real logout would.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 500));
    const logout = await fetch(`http://127.0.0.1:${a.port}/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: user.refreshToken }),
    });
    if (logout.status !== 204) throw new Error(`logout answered ${logout.status}`);
    const from = performance.now();
    while ((await me()) === 200) {
      if (performance.now() - from > 10_000) throw new Error('node B still accepts after 10 s');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    lags.push(Math.round(performance.now() - from));
  }
  return lags;
}

/** Starts Debian's pgbouncer (transaction mode, trust) on a free port; as root it runs as postgres. */
async function startPgbouncer({ poolSize }) {
  const binary = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((path) => existsSync(path));
  if (binary === undefined)
    throw new Error('pgbouncer is not installed: apt-get install -y pgbouncer');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-pgbouncer-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  writeFileSync(join(dir, 'users.txt'), '"postgres" ""\n', { mode: 0o644 });
  const ini = join(dir, 'pgbouncer.ini');
  writeFileSync(
    ini,
    [
      '[databases]',
      '* = host=127.0.0.1 port=5432',
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      'max_client_conn = 500',
      `default_pool_size = ${poolSize}`,
      'ignore_startup_parameters = extra_float_digits,options',
      ...(process.getuid?.() === 0 ? ['user = postgres'] : []),
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const { stdout: version } = await run$(binary, ['--version']);
  const child = spawn(binary, [ini], { stdio: 'ignore' });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let tries = 0; ; tries++) {
    const client = new pg.Client({
      connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
    });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (tries > 100) {
        await stop();
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    port,
    version: /PgBouncer (\S+)/.exec(version)?.[1] ?? 'unknown',
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop,
  };
}

/** The child: `tessera serve` as configuration builds it, on the given database, in Express. */
async function startChild() {
  const options = childOptions();
  const { default: express } = await import('express');
  const { tesseraRoutes } = await import('../dist/adapters/express.js');
  const { resolveConfig } = await import('../dist/server/config.js');
  const { createTesseraServer } = await import('../dist/server/create-server.js');
  const cwd = mkdtempSync(join(options.dir, `${options.name}-`));
  const flags = {
    db: join(cwd, 'unused.db'),
    issuer: ISSUER,
    audience: 'api',
    'access-ttl': '15m',
    'database-url': options.url,
    'pg-pooler': options.pooler,
    // Each bench session refreshes far more often than a client would: the limit must not answer 429.
    'refresh-rate-limit': '10000',
  };
  const tessera = await createTesseraServer({
    config: await resolveConfig({ flags, env: {}, cwd }),
  });
  const app = express();
  app.use(tesseraRoutes(tessera.handler));
  const server = await listenOn(app, 0);
  serve({
    port: server.address().port,
    seed: (count) =>
      inBatches(count, 20, async (i) => {
        const tokens = await tessera.sessions.issueSession(`${options.name}-${Date.now()}-${i}`, {
          transport: 'body',
        });
        return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
      }),
    close: () => new Promise((done) => server.close(() => done())).then(() => tessera.close()),
  });
}

if (process.env[OPTIONS_ENV] !== undefined && process.send !== undefined) runChild(startChild);
