// The measured rows of the peers section: which contender serves what, the interleaved rounds, and the
// figures and Tessera/peer ratios each cell turns into.
import { formatRate, median, spreadPct } from '../lib/stats.js';

/** The measured rows, by key: what the printed table calls them. */
export const ROWS = { protected: 'protected route', renewal: 'token renewal' };

/**
 * What each contender serves for each row and which seeded credential the load generator presents.
 * `users` names the seeded list; a contender without a row's entry skips that row; `fullOnly` ones run
 * only without --quick (their seeding is too long for it).
 */
export const CONTENDERS = [
  {
    name: 'tessera',
    server: 'tessera',
    users: 'tessera',
    protected: { kind: 'bearer', path: '/api/protected', credential: 'accessToken' },
    renewal: {
      kind: 'refresh',
      path: '/auth/refresh',
      field: 'refresh_token',
      credential: 'refreshToken',
    },
  },
  {
    // More users than requireAuth's verified-token cache holds (10 000): every request misses it.
    name: 'tessera-cold',
    server: 'tessera',
    users: 'tesseraCold',
    fullOnly: true,
    protected: { kind: 'bearer', path: '/api/protected', credential: 'accessToken' },
  },
  {
    name: 'hand-rolled',
    server: 'handrolled',
    users: 'handrolled',
    protected: { kind: 'bearer', path: '/protected', credential: 'accessToken' },
    renewal: {
      kind: 'refresh',
      path: '/refresh',
      field: 'refreshToken',
      credential: 'refreshToken',
    },
  },
  {
    name: 'better-auth',
    server: 'better-auth',
    users: 'betterAuth',
    protected: { kind: 'cookie', path: '/api/protected', credential: 'cookie' },
    renewal: { kind: 'cookie', path: '/api/auth/token', credential: 'cookie' },
  },
  {
    name: 'better-auth+cache',
    server: 'better-auth-cache',
    // --quick keeps one Better Auth contender: the cached one differs in the protected row only.
    fullOnly: true,
    users: 'betterAuth',
    protected: { kind: 'cookie', path: '/api/protected', credential: 'cacheCookie' },
    renewal: { kind: 'cookie', path: '/api/auth/token', credential: 'cacheCookie' },
  },
];

const TESSERA = new Set(['tessera', 'tessera-cold']);

/**
 * Runs every cell: one warm-up each, then `rounds` rounds in which every contender of a row runs at each
 * C for `seconds`, in an order rotating per round. Returns Map(`${row}|${c}|${name}` -> [figure per round]).
 */
export async function measureRows({ load, cells, settings }) {
  const runCell = (cell, connections, seconds) =>
    load.run({
      key: cell.key,
      url: cell.url,
      kind: cell.spec.kind,
      path: cell.spec.path,
      field: cell.spec.field,
      connections,
      seconds,
    });
  for (const cell of cells) await runCell(cell, settings.concurrency[0], settings.warmupSeconds);
  const samples = new Map();
  for (let round = 0; round < settings.rounds; round++)
    for (const c of settings.concurrency)
      for (const row of Object.keys(ROWS)) {
        const rowCells = cells.filter((cell) => cell.row === row);
        for (let k = 0; k < rowCells.length; k++) {
          const cell = rowCells[(round + k) % rowCells.length];
          const figure = await runCell(cell, c, settings.seconds);
          const id = `${row}|${c}|${cell.contender.name}`;
          samples.set(id, [...(samples.get(id) ?? []), figure]);
        }
      }
  return samples;
}

/**
 * Turns the samples into figures per row and C (median rate, p50, p99 over rounds; non-2xx summed) with
 * each peer's `tesseraOverThis` (and `tesseraColdOverThis` when the cold-cache contender ran): medians of
 * per-round ratios with their spread. Returns { figures, table, behind, targets }: one target per
 * ratio, "Tessera ahead" (strictly above 1), as issue 16 states it.
 */
export function summarizeRows({ samples, settings }) {
  const figures = { protected: {}, renewal: {} };
  const table = [];
  const behind = [];
  const targets = {};
  for (const row of Object.keys(ROWS))
    for (const c of settings.concurrency) {
      const entry = {};
      const ratioTo = (base, rounds) => {
        const mine = samples.get(`${row}|${c}|${base}`);
        if (!mine) return undefined;
        const ratios = rounds.map((f, i) => mine[i].rate / Math.max(f.rate, 1));
        return {
          median: round3(median(ratios)),
          spreadPct: spreadPct(ratios),
          samples: ratios.map(round3),
        };
      };
      for (const { name } of CONTENDERS) {
        const rounds = samples.get(`${row}|${c}|${name}`);
        if (!rounds) continue;
        const figure = {
          rate: Math.round(median(rounds.map((f) => f.rate))),
          p50Ms: median(rounds.map((f) => f.p50)),
          p99Ms: median(rounds.map((f) => f.p99)),
          non2xx: rounds.reduce((sum, f) => sum + f.non2xx + f.errors, 0),
          rates: rounds.map((f) => f.rate),
        };
        if (!TESSERA.has(name)) {
          figure.tesseraOverThis = ratioTo('tessera', rounds);
          const cold = ratioTo('tessera-cold', rounds);
          if (cold) figure.tesseraColdOverThis = cold;
          for (const [label, ratio] of [
            ['tessera', figure.tesseraOverThis],
            ['tessera (cold cache)', cold],
          ]) {
            if (ratio)
              targets[`${ROWS[row]} C=${c}: ${label} ahead of ${name}`] = {
                value: { median: ratio.median, spreadPct: ratio.spreadPct },
                met: ratio.median > 1,
              };
            if (ratio && ratio.median < 1)
              behind.push(
                `${ROWS[row]} C=${c}: ${label} is ${ratio.median.toFixed(2)}x of ${name} (spread ${ratio.spreadPct}%)`,
              );
          }
        }
        entry[name] = figure;
        const show = (ratio) => (ratio ? `${ratio.median.toFixed(2)}x (${ratio.spreadPct}%)` : '-');
        table.push([
          ROWS[row],
          c,
          name,
          formatRate(figure.rate),
          figure.p50Ms,
          figure.p99Ms,
          figure.non2xx,
          show(figure.tesseraOverThis),
          show(figure.tesseraColdOverThis),
        ]);
      }
      figures[row][`c${c}`] = entry;
    }
  return { figures, table, behind, targets };
}

export function round3(value) {
  return Math.round(value * 1000) / 1000;
}
