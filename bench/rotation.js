// Refresh-token rotation next to the limit of its store, measured in the same run (issue 3).
//   rotation      SessionManager.refresh() on the real store: token lookup, compare-and-swap rotation (new
//                 token row, sealed successor), audit event. The access-token signer is a constant, so this
//                 is the rotation itself; the judged figure.
//   +EdDSA        the same with a real EdDSA access token signed per refresh (informational: what a client sees)
//   limit         SQLite: a bare UPDATE sessions + INSERT refresh_tokens transaction (BEGIN IMMEDIATE) on the
//                 same schema with the same pragmas (WAL, synchronous NORMAL). PostgreSQL: `pgbench -N` (one
//                 UPDATE, one SELECT, one INSERT per transaction) at the same concurrency on the same server.
//                 The judged ratio is rotation / limit.
//   writes        The limit with the part of the gap that is the store's own writes (informational, beside the
//                 judged ratio, never instead of it). SQLite: the bare transaction plus the audit-event INSERT a
//                 refresh writes in the same transaction. PostgreSQL: pgbench -M prepared running, in one
//                 statement and one commit, the rows a refresh writes on the store's own schema (the session
//                 UPDATE with its five indexes, the token INSERT with its foreign key, the event INSERT with its
//                 three indexes), random token ids like ours: no lookup, no client work.
// Concurrency C = C refresh chains in flight in this process (C pooled connections on PostgreSQL). Each figure
// is the median over rounds; contenders alternate within a round so a noisy neighbour hits all of them. The
// ratio is the median of per-round ratios. p50/p99 are per-operation latencies over all rounds.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Keyring, createAccessTokenSigner, generateKeyMaterial } from '../dist/index.js';
import { createSessionManager } from '../dist/sessions/session-manager.js';
import { openPostgresStore } from '../dist/store/postgres/open-postgres-store.js';
import { openSqliteStore } from '../dist/store/sqlite/open-sqlite-store.js';
import { collectGarbage, formatRate, formatTable, median, spreadPct } from './lib/stats.js';

const run$ = promisify(execFile);
const CONCURRENCY = [1, 16, 64];
const TARGET = 0.7;
const PG_HOST = process.env.TESSERA_BENCH_PG_HOST ?? '127.0.0.1';
const PG_USER = process.env.TESSERA_BENCH_PG_USER ?? 'postgres';
const PG_DATABASE = 'tessera_bench';
// Per process: two bench runs on one server must not drop each other's schema mid-run.
const PG_SCHEMA = `tessera_rotation_bench_${process.pid}`;
const stubSigner = () => ({ token: 'access', jti: 'j', iat: 0, exp: 0, expiresIn: 900 });

/** Runs the section; returns { settings, sqlite, postgres, targets }. */
export async function run({ quick, log }) {
  // --quick keeps the two contenders its targets judge; +EdDSA and the writes-only limit, which explain
  // the gap, are measured by the full run.
  const settings = quick
    ? { seconds: 1, rounds: 1, context: false }
    : { seconds: 2, rounds: 3, context: true };
  log(
    `concurrency ${CONCURRENCY.join(', ')}; ${settings.rounds} round(s) of ${settings.seconds} s per contender; ops/s = median over rounds, ratio = median of per-round ratios.`,
  );
  const directory = mkdtempSync(join(tmpdir(), 'tessera-bench-rotation-'));
  const keyring = new Keyring({
    entries: [{ key: await generateKeyMaterial({ alg: 'EdDSA' }), createdAt: 0, activatesAt: 0 }],
  });
  const eddsa = createAccessTokenSigner({
    keys: keyring,
    issuer: 'https://auth.bench',
    audience: 'api',
  });
  const result = { settings, sqlite: {}, postgres: {}, targets: {} };
  try {
    result.sqlite = await measureSqlite(directory, settings, eddsa);
  } catch (error) {
    result.sqlite = { error: String(error?.message ?? error) };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  try {
    result.postgres = await measurePostgres(settings, eddsa);
  } catch (error) {
    result.postgres = { error: String(error?.message ?? error) };
  }

  const rows = [
    [
      'store',
      'C',
      'rotation ops/s',
      'p50 ms',
      'p99 ms',
      '+EdDSA ops/s',
      'limit ops/s',
      'limit p50',
      'limit p99',
      'rotation/limit',
      'writes ops/s',
      'writes p99',
      'rotation/writes',
    ],
  ];
  for (const store of ['sqlite', 'postgres']) {
    if (result[store].error) {
      log(`${store}: not measured: ${result[store].error}`);
      continue;
    }
    for (const c of CONCURRENCY) {
      const f = result[store][c];
      rows.push([
        store,
        c,
        formatRate(f.rotation.opsPerSec),
        f.rotation.p50Ms,
        f.rotation.p99Ms,
        f.eddsa === undefined ? '-' : formatRate(f.eddsa.opsPerSec),
        formatRate(f.limit.opsPerSec),
        f.limit.p50Ms,
        f.limit.p99Ms,
        `${f.ratio.toFixed(2)}x`,
        f.writes === undefined ? '-' : formatRate(f.writes.opsPerSec),
        f.writes?.p99Ms ?? '-',
        f.ratioToWrites === null ? '-' : `${f.ratioToWrites.toFixed(2)}x`,
      ]);
      result.targets[`${store} c${c} rotation >= ${TARGET}x limit`] = {
        value: f.ratio,
        spreadPct: f.ratioSpreadPct,
        met: f.ratio >= TARGET,
      };
    }
  }
  log(
    'limit: sqlite = bare UPDATE+INSERT transaction, same pragmas; postgres = pgbench -N, same concurrency, same server.',
  );
  log(
    "writes: sqlite = the store's own statements in one transaction (the lookup SELECT, the limit's UPDATE+INSERT, the event INSERT); postgres = pgbench -M prepared of the store's own writes (one statement), same schema.",
  );
  for (const line of formatTable(rows)) log(line);
  for (const [name, target] of Object.entries(result.targets))
    log(`${target.met ? 'met   ' : 'MISSED'}  ${name}: ${target.value.toFixed(2)}x`);
  return result;
}

/** C chains refreshing for `seconds`; returns ops/s and the latencies. Chains continue across rounds. */
async function driveChains(sessions, heads, seconds) {
  const latencies = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    heads.map(async (_, chain) => {
      while (performance.now() < deadline) {
        const t = performance.now();
        heads[chain] = (await sessions.refresh(heads[chain])).refreshToken;
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { opsPerSec: latencies.length / ((performance.now() - started) / 1000), latencies };
}

/** pgbench's tps excludes connecting, so the pool's c connections are opened by an untimed warm-up first. */
async function warmThenDrive(sessions, heads, seconds) {
  await driveChains(sessions, heads, 0.25);
  return driveChains(sessions, heads, seconds);
}

/** Runs the contenders of one concurrency for `rounds` rounds, alternating their order, and summarises. */
async function measureRounds(contenders, rounds) {
  const samples = Object.fromEntries(
    Object.keys(contenders).map((name) => [name, { rates: [], latencies: [] }]),
  );
  const names = Object.keys(contenders);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      collectGarbage();
      const { opsPerSec, latencies } = await contenders[name]();
      samples[name].rates.push(opsPerSec);
      for (const ms of latencies) samples[name].latencies.push(ms);
    }
  }
  const figures = {};
  for (const [name, { rates, latencies }] of Object.entries(samples)) {
    const sorted = latencies.sort((a, b) => a - b);
    const at = (q) =>
      sorted.length === 0
        ? null
        : Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2));
    figures[name] = {
      opsPerSec: Math.round(median(rates)),
      samples: rates.map(Math.round),
      p50Ms: at(0.5),
      p99Ms: at(0.99),
    };
  }
  const ratioTo = (name) =>
    Number(
      median(samples.rotation.rates.map((rate, i) => rate / samples[name].rates[i])).toFixed(3),
    );
  figures.ratio = ratioTo('limit');
  figures.ratioSpreadPct = spreadPct(
    samples.rotation.rates.map((rate, i) => rate / samples.limit.rates[i]),
  );
  figures.ratioToWrites = samples.writes === undefined ? null : ratioTo('writes');
  return figures;
}

async function measureSqlite(directory, settings, eddsa) {
  const store = await openSqliteStore({ path: join(directory, 'tessera.db') });
  // The limit runs on its own file with the schema and pragmas the store sets.
  await (await openSqliteStore({ path: join(directory, 'limit.db') })).close();
  const bare = new Database(join(directory, 'limit.db'));
  for (const pragma of [
    'busy_timeout = 5000',
    'journal_mode = WAL',
    'foreign_keys = ON',
    'synchronous = NORMAL',
  ])
    bare.pragma(pragma);
  const update = bare.prepare(
    `UPDATE sessions SET generation = generation + 1, rotated_at = @at, successor_sealed = @sealed, grace_count = 0, idle_expires_at = @idle, claims = '{}',
       last_used_at = max(last_used_at, @at) WHERE id = @id AND generation = @generation AND revoked_at IS NULL`,
  );
  const insert = bare.prepare(
    'INSERT INTO refresh_tokens (id, session_id, generation, secret_hash, created_at) VALUES (@tokenId, @id, @next, @hash, @at)',
  );
  // The statement the store's insertEvent runs, with the detail a refresh writes.
  const insertEvent = bare.prepare(
    `INSERT INTO events (at, type, user_id, session_id, ip, detail) VALUES (@at, 'refresh', @id, @id, NULL, '{"generation":' || @next || '}')`,
  );
  // The one-trip store's lookup: the presented token's row joined to its session.
  const lookup = bare.prepare(
    'SELECT t.generation, t.secret_hash, s.* FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.id = ?',
  );
  const rotateBare = bare.transaction((row, withEvent) => {
    if (withEvent) lookup.get(row.previousTokenId);
    if (update.run(row).changes !== 1) throw new Error('bare rotation lost its row');
    insert.run(row);
    if (withEvent) insertEvent.run(row);
  });
  const sealed = 'x'.repeat(120);
  let tokenCounter = 0;
  const out = {};
  try {
    for (const c of CONCURRENCY) {
      const rotation = createSessionManager({ store, signAccessToken: stubSigner });
      const withSigning = createSessionManager({ store, signAccessToken: eddsa });
      const heads = await issueHeads(rotation, c, `sqlite-${c}`);
      const signedHeads = await issueHeads(withSigning, c, `sqlite-eddsa-${c}`);
      const bareChains = Array.from({ length: c }, (_, i) => {
        const id = `bare-${c}-${i}`;
        const at = Date.now();
        bare
          .prepare(
            `INSERT INTO sessions (id, user_id, client_id, transport, claims, created_at, last_used_at, idle_expires_at, absolute_expires_at) VALUES (?, ?, 'bench', 'body', '{}', ?, ?, ?, ?)`,
          )
          .run(id, id, at, at, at + 1e9, at + 2e9);
        return { id, generation: 0, tokenId: undefined };
      });
      const driveBare = async (withEvent) => {
        const latencies = [];
        const started = performance.now();
        const deadline = started + settings.seconds * 1000;
        await Promise.all(
          bareChains.map(async (chain) => {
            while (performance.now() < deadline) {
              const t = performance.now();
              // The same turn of the event loop an async store call costs, then the transaction.
              await null;
              const at = Date.now();
              const tokenId = `bt-${tokenCounter++}`;
              rotateBare(
                {
                  id: chain.id,
                  generation: chain.generation,
                  next: chain.generation + 1,
                  at,
                  idle: at + 1e9,
                  sealed,
                  tokenId,
                  previousTokenId: chain.tokenId ?? tokenId,
                  hash: 'h'.repeat(43),
                },
                withEvent,
              );
              chain.generation += 1;
              chain.tokenId = tokenId;
              latencies.push(performance.now() - t);
            }
          }),
        );
        return { opsPerSec: latencies.length / ((performance.now() - started) / 1000), latencies };
      };
      out[c] = await measureRounds(
        {
          rotation: () => driveChains(rotation, heads, settings.seconds),
          limit: () => driveBare(false),
          ...(settings.context && {
            eddsa: () => driveChains(withSigning, signedHeads, settings.seconds),
            writes: () => driveBare(true),
          }),
        },
        settings.rounds,
      );
    }
  } finally {
    bare.close();
    await store.close();
  }
  return out;
}

async function issueHeads(sessions, count, prefix) {
  const heads = [];
  for (let i = 0; i < count; i++)
    heads.push((await sessions.issueSession(`${prefix}-${i}`, { transport: 'body' })).refreshToken);
  return heads;
}

function pgArgs(...rest) {
  return ['-h', PG_HOST, '-U', PG_USER, ...rest];
}

async function measurePostgres(settings, eddsa) {
  const url = `postgres://${PG_USER}@${PG_HOST}:5432/${PG_DATABASE}`;
  const admin = new pg.Client({
    connectionString: `postgres://${PG_USER}@${PG_HOST}:5432/postgres`,
  });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [PG_DATABASE]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${PG_DATABASE}`);
  } finally {
    await admin.end();
  }
  await run$('pgbench', pgArgs('-i', '-q', '-s', '1', PG_DATABASE), { maxBuffer: 1 << 24 });
  const logs = mkdtempSync(join(tmpdir(), 'tessera-pgbench-'));
  const writesScript = join(logs, 'writes.sql');
  writeFileSync(writesScript, storeWritesScript(PG_SCHEMA));
  const out = {};
  try {
    for (const c of CONCURRENCY) {
      // The store's pool is opened per turn and ended after it: pgbench's c connections and ours never
      // coexist, so c = 64 fits a server that others share (max_connections 100).
      const withStore = async (work) => {
        const store = await openPostgresStore({ url, schema: PG_SCHEMA, max: c });
        try {
          return await work(store);
        } finally {
          await store.close();
        }
      };
      const managers = (store) => ({
        rotation: createSessionManager({ store, signAccessToken: stubSigner }),
        eddsa: createSessionManager({ store, signAccessToken: eddsa }),
      });
      const { heads, signedHeads } = await withStore(async (store) => {
        await createWritesSessions(url, c);
        const { rotation, eddsa: signed } = managers(store);
        return {
          heads: await issueHeads(rotation, c, `pg-${c}`),
          signedHeads: await issueHeads(signed, c, `pg-eddsa-${c}`),
        };
      });
      out[c] = await measureRounds(
        {
          rotation: () =>
            withStore((store) => warmThenDrive(managers(store).rotation, heads, settings.seconds)),
          limit: () => runPgbench(c, settings.seconds, logs),
          ...(settings.context && {
            eddsa: () =>
              withStore((store) =>
                warmThenDrive(managers(store).eddsa, signedHeads, settings.seconds),
              ),
            writes: () => runPgbench(c, settings.seconds, logs, writesScript),
          }),
        },
        settings.rounds,
      );
    }
  } finally {
    rmSync(logs, { recursive: true, force: true });
    const cleanup = new pg.Client({ connectionString: url });
    await cleanup.connect();
    await cleanup.query(`DROP SCHEMA IF EXISTS ${PG_SCHEMA} CASCADE`);
    await cleanup.end();
  }
  return out;
}

/** The rows one refresh writes, as one pgbench statement on the store's schema (client i rotates pgb-i). */
function storeWritesScript(schema) {
  return `WITH c AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now),
r AS (UPDATE ${schema}.sessions u SET generation = u.generation + 1, rotated_at = c.now, successor_sealed = repeat('s', 140), grace_count = 0, idle_expires_at = least(c.now + 1209600000, u.absolute_expires_at), claims = '{}', last_used_at = greatest(u.last_used_at, c.now) FROM c WHERE u.id = 'pgb-' || (:client_id)::text AND u.revoked_at IS NULL RETURNING u.id, u.user_id, u.generation, c.now),
t AS (INSERT INTO ${schema}.refresh_tokens (id, session_id, generation, secret_hash, created_at) SELECT substr(md5(random()::text), 1, 22), id, generation, repeat('h', 43), now FROM r RETURNING 1)
INSERT INTO ${schema}.events (at, type, user_id, session_id, ip, detail) SELECT now, 'refresh', user_id, id, NULL, '{"generation":' || generation || '}' FROM r;
`;
}

/** The sessions the writes script rotates, one per pgbench client, created like a login would. */
async function createWritesSessions(url, c) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const at = Date.now();
    for (let i = 0; i < c; i++)
      await client.query(
        `INSERT INTO ${PG_SCHEMA}.sessions (id, user_id, client_id, transport, claims, created_at, last_used_at, idle_expires_at, absolute_expires_at)
         VALUES ($1, $1, 'bench', 'body', '{}', $2, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
        [`pgb-${i}`, at, at + 1e9, at + 2e9],
      );
  } finally {
    await client.end();
  }
}

/**
 * pgbench at concurrency c: -N, or with a script file -M prepared running it; tps excludes connection time,
 * latencies come from its per-transaction log.
 */
async function runPgbench(c, seconds, logs, script) {
  for (const file of readdirSync(logs)) if (file.startsWith('tx')) rmSync(join(logs, file));
  const prefix = join(logs, 'tx');
  const { stdout } = await run$(
    'pgbench',
    pgArgs(
      ...(script === undefined ? ['-N'] : ['-M', 'prepared', '-f', script]),
      '-n',
      '-c',
      String(c),
      '-j',
      String(Math.min(c, 2)),
      '-T',
      String(seconds),
      '-l',
      '--log-prefix',
      prefix,
      PG_DATABASE,
    ),
    { maxBuffer: 1 << 24 },
  );
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
  if (tps === null) throw new Error(`cannot read tps from pgbench output: ${stdout.slice(-300)}`);
  const latencies = [];
  for (const file of readdirSync(logs).filter((name) => name.startsWith('tx'))) {
    // Each line: client_id transaction_no time_us script_no time_epoch time_us_fraction
    for (const line of readFileSync(join(logs, file), 'utf8').split('\n')) {
      const fields = line.split(' ');
      if (fields.length >= 3) latencies.push(Number(fields[2]) / 1000);
    }
  }
  return { opsPerSec: Number(tps[1]), latencies };
}
