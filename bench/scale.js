/* global fetch */
// Scale on one PostgreSQL primary (issue 16 item 5): the sustained POST /auth/refresh rate through two
// Tessera processes on one database, direct and through pgbouncer 1.18 in transaction mode
// (--pg-pooler transaction), at rising concurrency, with p50/p99 from autocannon; the highest rate whose
// p99 stays under 50 ms is the "sustained" figure. Next to it: pgbench -N through the same pgbouncer (the
// limit: a small write transaction per request, no Tessera), what one refresh costs the primary (CPU of
// its backends, WAL bytes, commits), and how long a logout on one node takes to be refused on
// the other (LISTEN/NOTIFY direct, the polled feed through pgbouncer). README "Scale" extrapolates from it.
//   Rows per concurrency C (connections per node, so 2C in all), in rounds with the order rotating.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { formatRate, formatTable, median, spreadPct } from './lib/stats.js';
import { createFleet, startLoad } from './peers/fleet.js';
import { startPgbouncer } from './scale/pgbouncer.js';
import { backendDelta, primaryCounters, runPgbench } from './scale/primary-cost.js';

const PG = 'postgres://postgres@127.0.0.1:5432';
const P99_BUDGET_MS = 50;
const NODE = fileURLToPath(new URL('./scale/server.js', import.meta.url));

/** Runs the section; returns { settings, rows, sustained, pgbench, cost, revocationLagMs, notes }. */
export async function run({ quick, log }) {
  const settings = quick
    ? // One concurrency, below the knee the full run finds (C = 8 per node has p99 near the 50 ms
      // budget on this machine): the quick run checks the path, the full run measures the rate.
      {
        concurrency: [4],
        seconds: 1,
        rounds: 1,
        users: 400,
        lagTrials: 3,
        pgbenchC: 16,
        warmupSeconds: 0.5,
      }
    : {
        concurrency: [1, 2, 4, 8, 16, 32],
        seconds: 5,
        rounds: 3,
        users: 4000,
        lagTrials: 9,
        pgbenchC: 16,
        warmupSeconds: 1,
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
    const nodes = {};
    for (const mode of ['direct', 'pgbouncer']) {
      // One after the other: the first node migrates the fresh database and creates the keyring.
      const pooler = mode === 'pgbouncer' ? 'transaction' : 'none';
      const a = await fleet.start(NODE, { dir, url: urls[mode], pooler, name: `${mode}-a` });
      const b = await fleet.start(NODE, { dir, url: urls[mode], pooler, name: `${mode}-b` });
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

    // Not counted: JIT, the pools' connections and PostgreSQL's caches; a single measured second would
    // otherwise carry them in its p99.
    for (const mode of Object.keys(nodes))
      await refreshOnBoth({
        loads,
        nodes: nodes[mode],
        mode,
        c: settings.concurrency[0],
        seconds: settings.warmupSeconds,
      });
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
    // Issue 16: a sustained refresh rate with p99 under the budget, direct and through the pooler, and a
    // logout reaching the other node within about a second either way.
    const targets = {};
    for (const mode of ['direct', 'pgbouncer']) {
      targets[`${mode}: a sustained refresh rate with p99 < ${P99_BUDGET_MS} ms (two nodes)`] = {
        value: sustained[mode]?.rate ?? 0,
        met: sustained[mode] !== null,
        note: sustained[mode] ? `p99 ${sustained[mode].p99} ms` : 'no concurrency kept p99 under',
      };
      targets[`${mode}: logout reaches the other node <= 1000 ms (max)`] = {
        value: revocationLagMs[mode].max,
        met: revocationLagMs[mode].max <= 1000,
      };
    }
    return {
      settings,
      rows,
      sustained,
      pgbench,
      revocationLagMs,
      targets,
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

/** Both nodes refreshing at once, C connections each from its own load generator, for `seconds`. */
function refreshOnBoth({ loads, nodes, mode, c, seconds }) {
  return Promise.all(
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
}

/** One cell: both nodes loaded at once for `seconds`, with CPU, WAL and commits read around it. */
async function measureCell({ admin, loads, nodes, mode, c, seconds, pids, database }) {
  const before = await primaryCounters(admin, database, pids);
  const results = await refreshOnBoth({ loads, nodes, mode, c, seconds });
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
