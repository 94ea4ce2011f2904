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
import { formatTable, median, spreadPct } from './lib/stats.js';
import { createFleet, freePort, SCRIPTS, startLoad } from './peers/fleet.js';
import { CONTENDERS, measureRows, ROWS, round3, summarizeRows } from './peers/rows.js';

const NOTES = [
  'protected: tessera = requireAuth (ES256 JWT; its verified-token cache holds every user, tessera-cold has more users than',
  '  it holds); hand-rolled = jsonwebtoken.verify (HS256 with the secret as a string, as the guides pass it: jsonwebtoken 9',
  '  then tries createPublicKey/createPrivateKey on it at every verify and sign, most of that server`s CPU);',
  '  better-auth = auth.api.getSession() from its session cookie: one SQLite read per request; +cache = session.cookieCache on,',
  '  the HMAC-signed session_data cookie answers without the database.',
  'renewal: tessera /auth/refresh and hand-rolled /refresh ROTATE a refresh token (look up, retire, insert, sign, one transaction).',
  '  Better Auth has no refresh rotation: its /api/auth/token looks up the session and signs a new EdDSA JWT; nothing is',
  '  rotated or retired. That row compares how fast each hands a client a fresh access token, not the same work.',
  'Better Auth rate limiting is off (it counts per IP and all load comes from 127.0.0.1); Tessera keeps its per-session',
  '  refresh limit on (the users are many enough that it never refuses: non-2xx shows it).',
];

/** Runs the section; returns { settings, notes, protected, renewal, coldStart, behind, phaseSeconds }. */
export async function run({ quick, log }) {
  const settings = quick
    ? {
        users: 300,
        coldUsers: 0,
        concurrency: [16, 64],
        seconds: 0.4,
        rounds: 2,
        warmupSeconds: 0.2,
        coldStarts: 2,
      }
    : {
        users: 2000,
        coldUsers: 12_000,
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
    targets: {},
  };
  result.phaseSeconds = {};
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
      betterAuth: tempDir('better-auth'),
    };
    // The cache-enabled Better Auth process creates the schema and signs the users up (its replies carry
    // both cookies); the process without the cache serves the same database file. Better Auth's baseURL
    // names its port, so each keeps one port for the whole run (the cold starts reuse the second).
    const betterAuthOptions = { dir: dir.betterAuth, seedHash: 'fast' };
    const [tessera, handrolled, betterAuthCache] = await Promise.all([
      fleet.start(SCRIPTS.tessera, { dir: dir.tessera, port: 0 }),
      fleet.start(SCRIPTS.handrolled, { dir: dir.handrolled, port: 0 }),
      freePort().then((port) =>
        fleet.start(SCRIPTS['better-auth'], {
          ...betterAuthOptions,
          port,
          cookieCache: true,
          migrate: true,
        }),
      ),
    ]);
    const betterAuthPort = await freePort();
    const betterAuth = await fleet.start(SCRIPTS['better-auth'], {
      ...betterAuthOptions,
      port: betterAuthPort,
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
      betterAuth: betterAuthUsers,
    };
    if (settings.coldUsers > 0) users.tesseraCold = await tessera.seed(settings.coldUsers);
    phase('setup');
    log(
      `${settings.users} users per contender${settings.coldUsers ? ` (tessera-cold: ${settings.coldUsers})` : ''}, set up in ${result.phaseSeconds.setup} s; C = ${settings.concurrency.join(', ')}; ${settings.rounds} round(s) of ${settings.seconds} s per cell, order rotating per round.`,
    );

    // Each cell's credentials live in the load generator; refresh tokens are updated there as they rotate.
    const cells = [];
    for (const row of Object.keys(ROWS))
      for (const contender of CONTENDERS) {
        const spec = contender[row];
        if (spec === undefined || (contender.fullOnly && quick)) continue;
        const key = `${contender.name}:${row}`;
        await load.store(
          key,
          users[contender.users].map((user) => user[spec.credential]),
        );
        const url = `http://127.0.0.1:${servers[contender.server].port}`;
        cells.push({ row, contender, spec, key, url });
      }
    const samples = await measureRows({ load, cells, settings });
    phase('rows');
    const rows = summarizeRows({ samples, settings });
    Object.assign(result, rows.figures);
    result.behind.push(...rows.behind);
    Object.assign(result.targets, rows.targets);

    // Cold start: the measured servers stop first, so each spawn has the machine and its file to itself.
    await fleet.stopAll();
    const bearer = (token) => ({ authorization: `Bearer ${token}` });
    const cold = {
      tessera: {
        script: SCRIPTS.tessera,
        options: { dir: dir.tessera },
        probe: { path: '/api/protected', headers: bearer(tesseraUsers[0].accessToken) },
      },
      'hand-rolled': {
        script: SCRIPTS.handrolled,
        options: { dir: dir.handrolled },
        probe: { path: '/protected', headers: bearer(handrolledUsers[0].accessToken) },
      },
      'better-auth': {
        script: SCRIPTS['better-auth'],
        options: { ...betterAuthOptions, cookieCache: false, port: betterAuthPort },
        probe: { path: '/api/protected', headers: { cookie: betterAuthUsers[0].cookie } },
      },
    };
    const coldMs = {};
    for (let k = 0; k < settings.coldStarts; k++)
      for (const [name, spec] of rotate(Object.entries(cold), k)) {
        const options = { port: await freePort(), ...spec.options };
        const ms = await fleet.coldStart(spec.script, options, spec.probe);
        coldMs[name] = [...(coldMs[name] ?? []), ms];
      }
    phase('coldStart');
    const table = [
      [
        'row',
        'C',
        'contender',
        'req/s',
        'p50 ms',
        'p99 ms',
        'non-2xx',
        'tessera/this (spread)',
        'tessera-cold/this',
      ],
      ...rows.table,
    ];
    for (const [name, list] of Object.entries(coldMs)) {
      const figure = {
        medianMs: Math.round(median(list)),
        spreadPct: spreadPct(list),
        samples: list.map(Math.round),
      };
      if (name !== 'tessera') {
        const ratios = list.map((ms, i) => ms / coldMs.tessera[i]);
        figure.thisOverTessera = { median: round3(median(ratios)), spreadPct: spreadPct(ratios) };
        result.targets[`cold start: tessera ahead of ${name}`] = {
          value: figure.thisOverTessera,
          met: figure.thisOverTessera.median > 1,
        };
        if (figure.thisOverTessera.median < 1)
          result.behind.push(
            `cold start: tessera takes ${(1 / figure.thisOverTessera.median).toFixed(2)}x the time of ${name} (${Math.round(median(coldMs.tessera))} ms vs ${figure.medianMs} ms, spread ${figure.thisOverTessera.spreadPct}%)`,
          );
      }
      result.coldStart[name] = figure;
      const ratio = figure.thisOverTessera;
      const shown = ratio
        ? `${ratio.median.toFixed(2)}x (${ratio.spreadPct}%)`
        : `- (${figure.spreadPct}%)`;
      table.push(['cold start', '-', name, `${figure.medianMs} ms`, '-', '-', '-', shown, '-']);
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

function rotate(list, by) {
  return list.map((_, i) => list[(i + by) % list.length]);
}
