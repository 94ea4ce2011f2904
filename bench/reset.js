// Password-reset request timing, known address vs unknown (issue 14, item 5: "report the timing ratio in
// the bench, not as a test assertion"). A real server from configuration on SQLite and on PostgreSQL, its
// mail worker running (delivery to a hook that keeps nothing), answering POST /auth/password-reset through
// its Fetch handler. Each pair asks once for a known address and once for an unknown one, the order
// alternating, so the worker's pass after a known row lands on both sides alike. Before issue 14 the known
// address took 1.19-1.39x longer (it looked the user up, minted and stored a token, and delivered inside
// the request); now both write one outbox row. Figures: median ms per request, and known/unknown as the
// median of per-pair ratios with its IQR.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { formatTable, iqrPct, median } from './lib/stats.js';

const PG_URL = process.env.TESSERA_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Runs the section; returns { settings, sqlite, postgres }. */
export async function run({ quick, log }) {
  const settings = { pairs: quick ? 40 : 100, warmup: 10 };
  log(
    `${settings.pairs} pairs per store (after ${settings.warmup} warm-up pairs), order alternating; the mail worker runs.`,
  );
  const result = { settings, sqlite: {}, postgres: {} };
  result.sqlite = await guarded(() => measure({ settings }));
  result.postgres = await guarded(() => measurePostgres(settings));
  const rows = [['store', 'known ms', 'unknown ms', 'known/unknown', 'IQR %', 'mails sent']];
  for (const store of ['sqlite', 'postgres']) {
    const figure = result[store];
    if (figure.error) {
      log(`${store}: not measured: ${figure.error}`);
      continue;
    }
    rows.push([
      store,
      figure.knownMs.toFixed(3),
      figure.unknownMs.toFixed(3),
      figure.ratio.toFixed(3),
      figure.ratioIqrPct,
      figure.mailsSent,
    ]);
  }
  for (const line of formatTable(rows)) log(line);
  return result;
}

async function guarded(measureIt) {
  try {
    return await measureIt();
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

async function measurePostgres(settings) {
  const name = `tessera_bench_reset_${process.pid}`;
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  try {
    return await measure({ settings, databaseUrl: url.toString() });
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

async function measure({ settings, databaseUrl }) {
  const { resolveConfig } = await import('../dist/server/config.js');
  const { createTesseraServer } = await import('../dist/server/create-server.js');
  const { pino } = await import('pino');
  const directory = mkdtempSync(join(tmpdir(), 'tessera-bench-reset-'));
  let mailsSent = 0;
  const server = await createTesseraServer({
    config: await resolveConfig({
      flags: {
        db: join(directory, 'tessera.db'),
        ...(databaseUrl ? { 'database-url': databaseUrl } : {}),
        issuer: 'https://auth.bench',
        audience: 'api',
        'trust-proxy': 'true',
        'public-url': 'https://app.bench',
      },
      env: {},
      cwd: directory,
    }),
    logger: pino({ level: 'silent' }),
    deliverMail: () => void (mailsSent += 1),
  });
  try {
    const email = 'known@bench.test';
    const signup = await server.handler.fetch(
      new globalThis.Request('https://auth.bench/auth/signup', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.9.0.1' },
        body: JSON.stringify({ email, password: 'correct horse battery' }),
      }),
    );
    if (signup.status !== 201) throw new Error(`signup answered ${signup.status}`);
    let n = 0;
    const ask = async (address) => {
      n += 1;
      // A fresh address per request: the reset route allows 10 per address per 5 minutes.
      const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
      const started = process.hrtime.bigint();
      const answer = await server.handler.fetch(
        new globalThis.Request('https://auth.bench/auth/password-reset', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
          body: JSON.stringify({ email: address }),
        }),
      );
      await answer.arrayBuffer();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (answer.status !== 202) throw new Error(`reset answered ${answer.status}`);
      return ms;
    };
    const known = [];
    const unknown = [];
    const ratios = [];
    for (let i = 0; i < settings.warmup + settings.pairs; i++) {
      const stranger = `nobody-${i}@bench.test`;
      let k;
      let u;
      if (i % 2 === 0) {
        k = await ask(email);
        u = await ask(stranger);
      } else {
        u = await ask(stranger);
        k = await ask(email);
      }
      if (i < settings.warmup) continue;
      known.push(k);
      unknown.push(u);
      ratios.push(k / u);
    }
    await server.mail?.drain();
    return {
      knownMs: median(known),
      unknownMs: median(unknown),
      ratio: Math.round(median(ratios) * 1000) / 1000,
      ratioIqrPct: iqrPct(ratios),
      mailsSent,
    };
  } finally {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
