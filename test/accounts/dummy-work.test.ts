// Which dummy an unknown email is checked against, given the schemes a store holds: structure only
// (the timing ratio is in the bench's `passwords` section, never asserted here).
import Database from 'better-sqlite3';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { chooseDummySpec, createDummyWork } from '../../src/accounts/dummy-work.js';
import { readPasswordHash, type HashSpec } from '../../src/accounts/hash-format.js';
import { createPasswordHasher } from '../../src/accounts/password-hasher.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const BASELINE: HashSpec = { scheme: 'argon2id', memoryKiB: 19_456, passes: 2, lanes: 1 };
const body = 'CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW';
const SALT = 'AAECAwQFBgcICQoLDA0ODw';
const DIGEST = 'hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk';

const spec = (hash: string): HashSpec => {
  const reading = readPasswordHash(hash);
  if (!reading.ok) throw new Error(hash);
  return reading.spec;
};

describe('choosing the dummy', () => {
  it.each([
    ['an argon2id-only store', [], BASELINE],
    ['bcrypt 10 beside argon2id', [`$2b$10$${body}`], spec(`$2b$10$${body}`)],
    [
      'the costliest bcrypt',
      [`$2a$10$${body}`, `$2y$12$${body}`, `$2b$11$${body}`],
      spec(`$2y$12$${body}`),
    ],
    [
      'bcrypt 12 over scrypt N=2^15',
      [`$scrypt$ln=15,r=8,p=1$${SALT}$${DIGEST}`, `$2b$12$${body}`],
      spec(`$2b$12$${body}`),
    ],
    [
      "Django's 1,000,000 PBKDF2 rounds over bcrypt 10",
      [
        `$2b$10$${body}`,
        'pbkdf2_sha256$1000000$seasalt$dVCseRolHWXn3dKCrJlqQnEHNpty/gC2g6pUYtCGT/4=',
      ],
      spec('pbkdf2_sha256$1000000$seasalt$dVCseRolHWXn3dKCrJlqQnEHNpty/gC2g6pUYtCGT/4='),
    ],
    ['not a cheap bcrypt 4 (argon2id costs more)', [`$2b$04$${body}`], BASELINE],
    [
      'not an over-cap row, which is refused before any work',
      [`$2b$31$${body}`, `$2b$10$${body}`, 'garbage'],
      spec(`$2b$10$${body}`),
    ],
  ] as const)('%s', (_, samples, expected) => {
    expect(chooseDummySpec(samples, BASELINE)).toEqual(expected);
  });
});

describe('the dummy source over a real store', () => {
  it('samples the store once, mints a dummy of the chosen scheme, and resamples after refreshMs', async () => {
    const store = createSqliteStore({ database: new Database(':memory:') });
    await store.migrate();
    let samplings = 0;
    let at = 0;
    const hasher = createPasswordHasher();
    const dummy = createDummyWork({
      samples: async () => {
        samplings += 1;
        return store.passwordHashSamples();
      },
      argon2: ARGON2,
      hashArgon2: hasher.hash,
      now: () => at,
      refreshMs: 60_000,
    });
    const first = await dummy.hash();
    expect(spec(first)).toEqual(BASELINE);
    expect(await dummy.hash()).toBe(first);
    expect(samplings).toBe(1);
    // An import adds bcrypt 8: the next sample after the window picks it up.
    await store.importUsers([
      {
        id: '7',
        email: 'old@example.com',
        passwordHash: bcrypt.hashSync('x', 8),
        createdAt: 0,
        passwordChangedAt: 0,
      },
    ]);
    at = 30_000;
    expect(await dummy.hash()).toBe(first);
    at = 60_000;
    expect(await dummy.hash()).toBe(first); // served while the new one is minted
    await expect
      .poll(async () => readPasswordHash(await dummy.hash()))
      .toMatchObject({
        ok: true,
        spec: { scheme: 'bcrypt', cost: 8 },
      });
    expect(samplings).toBe(2);
    expect(await hasher.verify(dummy.hash(), 'x')).toBe(false);
    await store.close();
  });

  it('retries a failed first sample instead of keeping the failure', async () => {
    let calls = 0;
    const dummy = createDummyWork({
      samples: async () => {
        calls += 1;
        if (calls === 1) throw new Error('store down');
        return [];
      },
      argon2: ARGON2,
      hashArgon2: createPasswordHasher().hash,
      now: () => 0,
    });
    await expect(dummy.hash()).rejects.toThrow('store down');
    expect(spec(await dummy.hash())).toEqual(BASELINE);
  });
});
