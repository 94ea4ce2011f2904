// Imported password hashes (issue 14): one verification of each scheme next to Tessera's argon2id
// (19 MiB, 2 passes), and whether a login for an unknown email takes as long as one for an imported
// bcrypt account. bcrypt has no node:crypto implementation, so bcryptjs (pure JS, the issue's
// preference) is measured against argon2id, the work it stands in for until the first sign-in rehashes.
// Rounds interleave the contenders so a burst of machine noise lands on all of them. Figures, not
// assertions: the test suite checks only which dummy is chosen (test/accounts/dummy-work.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { pbkdf2, scrypt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import argon2 from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { createAccounts, openSqliteStore } from '../dist/index.js';
import { formatTable, median, spreadPct } from './lib/stats.js';

const PASSWORD = 'correct horse battery';
const scryptAsync = promisify(scrypt);
const pbkdf2Async = promisify(pbkdf2);

async function timeOnce(work) {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function interleave(contenders, rounds) {
  const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    const names = Object.keys(contenders);
    for (const name of round % 2 === 0 ? names : names.reverse())
      samples[name].push(await timeOnce(contenders[name]));
  }
  return samples;
}

const round1 = (ms) => Math.round(ms * 10) / 10;

export async function run({ quick, log }) {
  const rounds = quick ? 6 : 20;
  const argonHash = await argon2.hash(PASSWORD, {
    memoryCost: 19_456,
    timeCost: 2,
    parallelism: 1,
  });
  const bcrypt10 = bcrypt.hashSync(PASSWORD, 10);
  const bcrypt12 = bcrypt.hashSync(PASSWORD, 12);
  const primitives = await interleave(
    {
      'argon2id 19 MiB t=2 (@node-rs/argon2)': () => argon2.verify(argonHash, 'wrong password'),
      'bcrypt cost 10 (bcryptjs)': () => bcrypt.compare('wrong password', bcrypt10),
      'bcrypt cost 12 (bcryptjs)': () => bcrypt.compare('wrong password', bcrypt12),
      'scrypt N=2^15 r=8 p=1 (node:crypto)': () =>
        scryptAsync('wrong password', 'salt', 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 << 20 }),
      'PBKDF2-SHA256 1,000,000 (node:crypto, Django 5.2)': () =>
        pbkdf2Async('wrong password', 'salt', 1_000_000, 32, 'sha256'),
    },
    quick ? 3 : 8,
  );
  const rows = [['verification', 'median ms', 'spread %']];
  const result = { primitives: {}, ratios: {} };
  for (const [name, values] of Object.entries(primitives)) {
    rows.push([name, round1(median(values)), spreadPct(values)]);
    result.primitives[name] = { medianMs: round1(median(values)), spreadPct: spreadPct(values) };
  }
  for (const line of formatTable(rows)) log(line);
  const argonMs = median(primitives['argon2id 19 MiB t=2 (@node-rs/argon2)']);
  result.ratios.bcryptjs10OverArgon2id =
    Math.round((median(primitives['bcrypt cost 10 (bcryptjs)']) / argonMs) * 100) / 100;
  log(
    `bcryptjs cost 10 takes ${result.ratios.bcryptjs10OverArgon2id}x one argon2id verification: an unknown-email dummy of argon2id alone would tell bcrypt accounts apart.`,
  );

  // Unknown email vs a bcrypt-10 account (wrong password both), through createAccounts on SQLite.
  const directory = mkdtempSync(join(tmpdir(), 'tessera-bench-passwords-'));
  const store = await openSqliteStore({ path: join(directory, 'bench.db') });
  try {
    await store.importUsers([
      {
        id: '1',
        email: 'old@example.com',
        passwordHash: bcrypt10,
        createdAt: 0,
        passwordChangedAt: 0,
      },
    ]);
    const accounts = createAccounts({ store });
    const attempt = (email) => () => accounts.login(email, 'wrong password').catch(() => undefined);
    await attempt('warm@example.com')(); // mints the dummy once, outside the figures
    const logins = await interleave(
      { known: attempt('old@example.com'), unknown: attempt('nobody@example.com') },
      rounds,
    );
    const ratio = median(logins.unknown) / median(logins.known);
    result.logins = {
      pairs: rounds,
      knownBcrypt10Ms: round1(median(logins.known)),
      unknownMs: round1(median(logins.unknown)),
      unknownOverKnown: Math.round(ratio * 1000) / 1000,
    };
    log(
      `login, wrong password, ${rounds} pairs: bcrypt-10 account ${result.logins.knownBcrypt10Ms} ms, unknown email ${result.logins.unknownMs} ms (unknown/known ${result.logins.unknownOverKnown}).`,
    );
  } finally {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
  return result;
}
