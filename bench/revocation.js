// Revocation lag between two nodes on one store (issue item 6: "revocation reaches every node within about
// a second, SQLite included"). Node A and node B each have their own connection(s) and their own revocation
// view, in this one process; B's view runs as `tessera serve` runs it (feed poll every 2 s, plus the store's
// onRevocation wake-up). Each sample logs one session out on A (the store's revokeSession: one commit) and
// measures from the moment that call returns (the commit is done) until B's view refuses the session; B is
// watched every millisecond from before the call. Before each logout a pseudo-random pause as long as B's
// wake-up period (250 ms with a wake-up, 2 s for the feed poll alone) puts the commit at a random phase of
// B's timer, so the figures are the spread a user meets, not the lag of one phase.
//   sqlite wake     two connections to one file; B woken by its PRAGMA data_version watch (every 200 ms)
//   sqlite poll     the same with B's onRevocation hidden: the 2 s feed poll alone (the figure before item 6)
//   postgres        two pools on one schema; B woken by LISTEN/NOTIFY
// Figures are per-sample lags: median, p95, min, max, and the IQR as % of the median.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createRevocationView } from '../dist/sessions/revocation-view.js';
import { createSessionManager } from '../dist/sessions/session-manager.js';
import { openPostgresStore } from '../dist/store/postgres/open-postgres-store.js';
import { openSqliteStore } from '../dist/store/sqlite/open-sqlite-store.js';
import { formatTable, iqrPct, median } from './lib/stats.js';

const PG_URL = process.env.TESSERA_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PG_SCHEMA = `tessera_revocation_bench_${process.pid}`;
const TARGET_MS = 1000;
const WATCH_LIMIT_MS = 10_000;
const stubSigner = () => ({ token: 'access', jti: 'j', iat: 0, exp: 0, expiresIn: 900 });

/** Runs the section; returns { settings, sqliteWake, sqlitePoll, postgres, targets }. */
export async function run({ quick, log }) {
  const settings = quick ? { samples: 8, pollSamples: 3 } : { samples: 40, pollSamples: 12 };
  log(
    `${settings.samples} logouts per store (${settings.pollSamples} for poll-only), each at a random phase of node B's timers; lag = logout commit on A -> B's view refuses the session.`,
  );
  const result = { settings, sqliteWake: {}, sqlitePoll: {}, postgres: {}, targets: {} };
  const directory = mkdtempSync(join(tmpdir(), 'tessera-bench-revocation-'));
  const random = seededRandom(20_260_101);
  try {
    result.sqliteWake = await guarded(() =>
      measureSqlite(join(directory, 'wake.db'), settings.samples, random, true),
    );
    result.sqlitePoll = await guarded(() =>
      measureSqlite(join(directory, 'poll.db'), settings.pollSamples, random, false),
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  result.postgres = await guarded(() => measurePostgres(settings.samples, random));

  const rows = [['store', 'wake-up', 'n', 'median ms', 'p95 ms', 'min ms', 'max ms', 'IQR %']];
  const labels = {
    sqliteWake: ['sqlite', 'data_version 200 ms'],
    sqlitePoll: ['sqlite', 'feed poll 2 s only'],
    postgres: ['postgres', 'LISTEN/NOTIFY'],
  };
  for (const [key, [store, wake]] of Object.entries(labels)) {
    const figure = result[key];
    if (figure.error) {
      log(`${store} (${wake}): not measured: ${figure.error}`);
      continue;
    }
    rows.push([
      store,
      wake,
      figure.n,
      figure.medianMs,
      figure.p95Ms,
      figure.minMs,
      figure.maxMs,
      figure.iqrPct,
    ]);
    if (key !== 'sqlitePoll')
      result.targets[`${store} p95 revocation lag <= ${TARGET_MS} ms`] = {
        value: figure.p95Ms,
        met: figure.p95Ms <= TARGET_MS,
      };
  }
  for (const line of formatTable(rows)) log(line);
  for (const [name, target] of Object.entries(result.targets))
    log(`${target.met ? 'met   ' : 'MISSED'}  ${name}: ${target.value} ms`);
  return result;
}

async function guarded(measure) {
  try {
    return await measure();
  } catch (error) {
    return { error: String(error?.message ?? error) };
  }
}

/** Two SQLite connections to one file; `wake` false hides B's onRevocation so only its feed poll runs. */
async function measureSqlite(path, samples, random, wake) {
  const storeA = await openSqliteStore({ path });
  const storeB = await openSqliteStore({ path });
  try {
    const feedB = wake ? storeB : { listRevocations: (input) => storeB.listRevocations(input) };
    return await measurePair(storeA, feedB, samples, random, wake ? 250 : 2000);
  } finally {
    await storeA.close();
    await storeB.close();
  }
}

/** Two pools (node A, node B) on one fresh schema, dropped afterwards. */
async function measurePostgres(samples, random) {
  const storeA = await openPostgresStore({ url: PG_URL, schema: PG_SCHEMA, max: 4 });
  let storeB;
  try {
    storeB = await openPostgresStore({ url: PG_URL, schema: PG_SCHEMA, max: 4 });
    return await measurePair(storeA, storeB, samples, random, 250);
  } finally {
    await storeB?.close();
    await storeA.close();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${PG_SCHEMA}" CASCADE`);
    await admin.end();
  }
}

/** Logs `samples` sessions out on A, each after a random pause of up to `phaseMs`; times B's refusal. */
async function measurePair(storeA, feedB, samples, random, phaseMs) {
  const viewA = createRevocationView({ store: storeA, horizonSeconds: 960 });
  const viewB = createRevocationView({ store: feedB, horizonSeconds: 960 });
  await viewA.start();
  await viewB.start();
  const sessionsA = createSessionManager({
    store: storeA,
    signAccessToken: stubSigner,
    revocations: viewA,
  });
  const lags = [];
  try {
    for (let i = 0; i < samples; i++) {
      const userId = `bench-user-${i}`;
      const { sessionId } = await sessionsA.issueSession(userId);
      const session = { id: sessionId, userId, createdAt: 0 };
      await sleep(random() * phaseMs);
      const seen = watch(() => viewB.revokesSession(session));
      await storeA.revokeSession({ sessionId, at: Date.now(), reason: 'logout' });
      const committed = performance.now();
      const seenAt = await seen;
      if (seenAt === undefined)
        throw new Error(`node B never refused session ${i} within ${WATCH_LIMIT_MS} ms`);
      // B can learn of it (NOTIFY) before A's call returns: that counts as no lag, not a negative one.
      lags.push(Math.max(0, seenAt - committed));
    }
  } finally {
    await viewB.stop();
    await viewA.stop();
  }
  return summarizeLags(lags);
}

/** Resolves with the performance.now() at which `refused()` first holds, checking every millisecond. */
async function watch(refused) {
  const started = performance.now();
  while (performance.now() - started < WATCH_LIMIT_MS) {
    if (refused()) return performance.now();
    await sleep(1);
  }
  return undefined;
}

function summarizeLags(lags) {
  const sorted = [...lags].sort((a, b) => a - b);
  const round = (ms) => Math.round(ms * 10) / 10;
  return {
    n: lags.length,
    medianMs: round(median(lags)),
    p95Ms: round(sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))]),
    minMs: round(sorted[0]),
    maxMs: round(sorted.at(-1)),
    iqrPct: iqrPct(lags),
    samplesMs: lags.map(round),
  };
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A small deterministic generator (mulberry32), so two runs put their logouts at the same phases. */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
