// What the primary spends: CPU of the backends serving one database (read from /proc by pid, so other
// clients of a shared PostgreSQL server do not count), WAL, commits; and pgbench -N as the limit.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { median, spreadPct } from '../lib/stats.js';

const run$ = promisify(execFile);
const TICK_MS = 1000 / 100; // /proc/<pid>/stat counts CPU in clock ticks (USER_HZ = 100 on Linux)

/**
 * CPU milliseconds of the backends serving `database` (by pid, so other clients of the shared server do
 * not count; WAL writer and checkpointer are not included), of pgbouncer and of the given processes; the
 * server's WAL position (the whole server's: an upper bound) and the commits in `database`.
 */
export async function primaryCounters(admin, database, pids) {
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
export function backendDelta(before, after) {
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
export async function runPgbench({ admin, bouncer, database, settings }) {
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
          // pgbench takes whole seconds only.
          String(Math.max(1, Math.round(settings.seconds))),
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
