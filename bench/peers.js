// Peers on the same work (issue 16, item 4): Tessera next to what users would pick instead, each server
// in its own process on this machine, over HTTP, with load from autocannon in another process.
//   tessera      createTesseraServer on SQLite (as `tessera serve` builds it) in Express 5: requireAuth on
//                GET /api/protected, POST /auth/refresh with the body transport (rotation).
//   hand-rolled  the field guides' design: Express 5 + jsonwebtoken (HS256, 15 min) + a hashed refresh-token
//                table on SQLite, rotated in one transaction (bench/peers/handrolled-server.js).
//   better-auth  Better Auth 1.x, email and password on SQLite, the JWT plugin; its protected route asks
//                auth.api.getSession(), in one process with session.cookieCache off and one with it on.
// Rows, at C = 16 and 64, over many distinct users (one round-robin over all of them, never one user in
// flight twice): the protected-route rate, the token-renewal rate, and cold start (spawn to the first
// 200 of the protected route on an existing database, median of several). Every contender runs each cell
// in every round, in an order that rotates per round; a ratio is the median of per-round ratios.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFleet, freePort, SCRIPTS, startLoad } from './peers/fleet.js';
import { formatRate, formatTable, median, spreadPct } from './lib/stats.js';

// What each contender serves for the two measured rows, and how the load generator authenticates.
const CONTENDERS = [
  {
    name: 'tessera',
    server: 'tessera',
    protected: { kind: 'bearer', path: '/api/protected', credential: 'accessToken' },
    renewal: {
      kind: 'refresh',
      path: '/auth/refresh',
      field: 'refresh_token',
      credential: 'refreshToken',
    },
  },
  {
    name: 'hand-rolled',
    server: 'handrolled',
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
    protected: { kind: 'cookie', path: '/api/protected', credential: 'cookie' },
    renewal: { kind: 'cookie', path: '/api/auth/token', credential: 'cookie' },
  },
  {
    name: 'better-auth+cache',
    server: 'better-auth-cache',
    protected: { kind: 'cookie', path: '/api/protected', credential: 'cacheCookie' },
    renewal: { kind: 'cookie', path: '/api/auth/token', credential: 'cacheCookie' },
  },
];

const ROWS = {
  protected: 'protected route',
  renewal: 'token renewal',
};

const NOTES = [
  'protected: tessera = requireAuth (ES256 JWT, verified-token cache); hand-rolled = jsonwebtoken.verify (HS256);',
  '  better-auth = auth.api.getSession() from its session cookie: one SQLite read per request; +cache = session.cookieCache on,',
  '  the HMAC-signed session_data cookie answers without the database.',
  'renewal: tessera /auth/refresh and hand-rolled /refresh ROTATE a refresh token (look up, retire, insert, sign, one transaction).',
  '  Better Auth has no refresh rotation: its /api/auth/token looks up the session and signs a new EdDSA JWT; nothing is',
  '  rotated or retired. That row compares how fast each hands a client a fresh access token, not the same work.',
  'Better Auth rate limiting is off (it counts per IP and all load comes from 127.0.0.1); Tessera keeps its per-session',
  '  refresh limit on (the users are many enough that it never refuses).',
];

/** Runs the section; returns { settings, notes, protected, renewal, coldStart, behind }. */
export async function run({ quick, log }) {
  const settings = quick
    ? {
        users: 1000,
        concurrency: [16, 64],
        seconds: 0.6,
        rounds: 2,
        warmupSeconds: 0.3,
        coldStarts: 2,
      }
    : {
        users: 2000,
        concurrency: [16, 64],
        seconds: 3,
        rounds: 3,
        warmupSeconds: 1,
        coldStarts: 5,
      };
  const result = {
    settings,
    notes: NOTES,
    protected: {},
    renewal: {},
    coldStart: {},
    behind: [],
    phaseSeconds: {},
  };
  let phaseStart = performance.now();
  const phase = (name) => {
    const at = performance.now();
    result.phaseSeconds[name] = Math.round((at - phaseStart) / 100) / 10;
    phaseStart = at;
  };
  const fleet = createFleet();
  const dirs = [];
  const tempDir = (name) => {
    const dir = mkdtempSync(join(tmpdir(), `tessera-bench-peers-${name}-`));
    dirs.push(dir);
    return dir;
  };
  try {
    const load = startLoad(fleet);
    const dir = {
      tessera: tempDir('tessera'),
      handrolled: tempDir('handrolled'),
      'better-auth': tempDir('better-auth'),
    };
    const startedAt = performance.now();
    // The cache-enabled Better Auth process creates the schema and signs the users up (its replies carry
    // both cookies); the process without the cache serves the same database file.
    const betterAuthPort = await freePort();
    const betterAuthOptions = { dir: dir['better-auth'], seedHash: 'fast' };
    const [tessera, handrolled, betterAuthCache] = await Promise.all([
      fleet.start(SCRIPTS.tessera, { dir: dir.tessera, port: 0 }),
      fleet.start(SCRIPTS.handrolled, { dir: dir.handrolled, port: 0 }),
      fleet.start(SCRIPTS['better-auth'], {
        ...betterAuthOptions,
        port: betterAuthPort,
        cookieCache: true,
        migrate: true,
      }),
    ]);
    const betterAuthNoCachePort = await freePort();
    const betterAuth = await fleet.start(SCRIPTS['better-auth'], {
      ...betterAuthOptions,
      port: betterAuthNoCachePort,
      cookieCache: false,
    });
    const servers = {
      tessera,
      handrolled,
      'better-auth': betterAuth,
      'better-auth-cache': betterAuthCache,
    };
    const [tesseraUsers, handrolledUsers, betterAuthUsers] = await Promise.all([
      tessera.seed(settings.users),
      handrolled.seed(settings.users),
      betterAuthCache.seed(settings.users),
    ]);
    const users = {
      tessera: tesseraUsers,
      handrolled: handrolledUsers,
      'better-auth': betterAuthUsers,
      'better-auth-cache': betterAuthUsers,
    };
    phase('setup');
    log(
      `${settings.users} users per contender, seeded in ${((performance.now() - startedAt) / 1000).toFixed(1)} s; C = ${settings.concurrency.join(', ')}; ${settings.rounds} round(s) of ${settings.seconds} s per cell, order rotating per round.`,
    );

    // Each cell's credentials live in the load generator; refresh tokens are updated there as they rotate.
    const cells = [];
    for (const row of Object.keys(ROWS))
      for (const contender of CONTENDERS) {
        const spec = contender[row];
        const key = `${contender.name}:${row}`;
        await load.store(
          key,
          users[contender.server].map((user) => user[spec.credential]),
        );
        cells.push({
          row,
          contender,
          spec,
          key,
          url: `http://127.0.0.1:${servers[contender.server].port}`,
        });
      }
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
    // One warm-up per cell, so the first measured round is not the JIT's.
    for (const cell of cells) await runCell(cell, settings.concurrency[0], settings.warmupSeconds);
    phase('warmup');

    const samples = new Map(); // `${row}|${c}|${name}` -> [figure per round]
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

    phase('rows');
    const table = [
      ['row', 'C', 'contender', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'tessera/this', 'spread %'],
    ];
    for (const row of Object.keys(ROWS))
      for (const c of settings.concurrency) {
        const entry = {};
        const mine = samples.get(`${row}|${c}|tessera`);
        for (const { name } of CONTENDERS) {
          const rounds = samples.get(`${row}|${c}|${name}`);
          const figure = {
            rate: Math.round(median(rounds.map((f) => f.rate))),
            p50Ms: median(rounds.map((f) => f.p50)),
            p99Ms: median(rounds.map((f) => f.p99)),
            non2xx: rounds.reduce((sum, f) => sum + f.non2xx, 0),
            errors: rounds.reduce((sum, f) => sum + f.errors, 0),
            rates: rounds.map((f) => f.rate),
          };
          if (name !== 'tessera') {
            const ratios = rounds.map((f, i) => mine[i].rate / Math.max(f.rate, 1));
            figure.tesseraOverThis = {
              median: round3(median(ratios)),
              spreadPct: spreadPct(ratios),
              samples: ratios.map(round3),
            };
            if (figure.tesseraOverThis.median < 1)
              result.behind.push(
                `${ROWS[row]} C=${c}: tessera is ${figure.tesseraOverThis.median.toFixed(2)}x of ${name} (spread ${figure.tesseraOverThis.spreadPct}%)`,
              );
          }
          entry[name] = figure;
          table.push([
            ROWS[row],
            c,
            name,
            formatRate(figure.rate),
            figure.p50Ms,
            figure.p99Ms,
            figure.non2xx + figure.errors,
            figure.tesseraOverThis ? `${figure.tesseraOverThis.median.toFixed(2)}x` : '-',
            figure.tesseraOverThis ? figure.tesseraOverThis.spreadPct : '-',
          ]);
        }
        result[row][`c${c}`] = entry;
      }

    // Cold start: the measured servers stop first, so each spawn has the machine and its file to itself.
    await fleet.stopAll();
    const cold = {
      tessera: {
        script: SCRIPTS.tessera,
        options: { dir: dir.tessera },
        probe: {
          path: '/api/protected',
          headers: { authorization: `Bearer ${tesseraUsers[0].accessToken}` },
        },
      },
      'hand-rolled': {
        script: SCRIPTS.handrolled,
        options: { dir: dir.handrolled },
        probe: {
          path: '/protected',
          headers: { authorization: `Bearer ${handrolledUsers[0].accessToken}` },
        },
      },
      'better-auth': {
        script: SCRIPTS['better-auth'],
        options: { ...betterAuthOptions, cookieCache: false },
        probe: { path: '/api/protected', headers: { cookie: betterAuthUsers[0].cookie } },
      },
    };
    const coldMs = {};
    for (let k = 0; k < settings.coldStarts; k++)
      for (const [name, spec] of rotate(Object.entries(cold), k)) {
        // Better Auth's baseURL names its port, so every start of it keeps the port the cookies were set on.
        const port = name === 'better-auth' ? betterAuthNoCachePort : await freePort();
        const ms = await fleet.coldStart(spec.script, { ...spec.options, port }, spec.probe);
        coldMs[name] = [...(coldMs[name] ?? []), ms];
      }
    phase('coldStart');
    for (const [name, list] of Object.entries(coldMs)) {
      const figure = {
        medianMs: Math.round(median(list)),
        spreadPct: spreadPct(list),
        samples: list.map(Math.round),
      };
      if (name !== 'tessera') {
        const ratios = list.map((ms, i) => ms / coldMs.tessera[i]);
        figure.thisOverTessera = { median: round3(median(ratios)), spreadPct: spreadPct(ratios) };
        if (figure.thisOverTessera.median < 1)
          result.behind.push(
            `cold start: tessera takes ${(1 / figure.thisOverTessera.median).toFixed(2)}x the time of ${name} (${result.coldStart.tessera?.medianMs ?? Math.round(median(coldMs.tessera))} ms vs ${figure.medianMs} ms)`,
          );
      }
      result.coldStart[name] = figure;
      table.push([
        'cold start',
        '-',
        name,
        `${figure.medianMs} ms`,
        '-',
        '-',
        '-',
        figure.thisOverTessera ? `${figure.thisOverTessera.median.toFixed(2)}x` : '-',
        figure.thisOverTessera ? figure.thisOverTessera.spreadPct : figure.spreadPct,
      ]);
    }

    for (const line of formatTable(table)) log(line);
    log(
      'tessera/this: >1 = Tessera ahead (rates: tessera/peer; cold start: peer ms / tessera ms); spread = (max-min)/median of the per-round ratios.',
    );
    for (const note of NOTES) log(note);
    log(`phases (s): ${JSON.stringify(result.phaseSeconds)}`);
    if (result.behind.length === 0) log('Tessera is ahead on every row.');
    for (const line of result.behind) log(`BEHIND  ${line}`);
    return result;
  } finally {
    await fleet.stopAll();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

function round3(value) {
  return Math.round(value * 1000) / 1000;
}

function rotate(list, by) {
  return list.map((_, i) => list[(i + by) % list.length]);
}
