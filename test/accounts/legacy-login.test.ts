// Imported hashes at sign-in, on a real SQLite store and real bcryptjs / node:crypto / argon2id: the
// old password works once per scheme and is moved to argon2id exactly once (raced logins included),
// a wrong password changes nothing, and a row edited past the caps answers with a code at once.
import Database from 'better-sqlite3';
import bcrypt from 'bcryptjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccounts, type Accounts } from '../../src/accounts/accounts.js';
import { isTesseraError } from '../../src/errors/tessera-error.js';
import type { UserRow } from '../../src/store/account-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const PASSWORD = 'correct horse battery';
const T0 = 1_767_268_800_000;
// CPython hashlib, as in hash-format.test.ts.
const HASHES: Record<string, string> = {
  bcrypt: bcrypt.hashSync(PASSWORD, 4),
  bcrypt2y: `$2y$${bcrypt.hashSync(PASSWORD, 5).slice(4)}`,
  scrypt:
    '$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk',
  django: 'pbkdf2_sha256$1000$seasalt1234$dVCseRolHWXn3dKCrJlqQnEHNpty/gC2g6pUYtCGT/4=',
  passlib: '$pbkdf2-sha256$1200$AAECAwQFBgcICQoLDA0ODw$VWv7GkwXJx7zAm0EVDN0S1GXHRg4Up7lJjxYCMst2lk',
  phc: '$pbkdf2-sha256$i=1500,l=32$AAECAwQFBgcICQoLDA0ODw$6yLtjYHsCgOuDNS9dXt1oim5z6Tv2zj4fWg5rPRLzzQ',
};

let database: Database.Database;
let store: ReturnType<typeof createSqliteStore>;
let accounts: Accounts;
let swaps: boolean[];

const row = (scheme: string): UserRow => ({
  id: `legacy-${scheme}`,
  email: `${scheme}@example.com`,
  passwordHash: HASHES[scheme] as string,
  createdAt: T0,
  passwordChangedAt: T0,
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return isTesseraError(error) ? error.code : `not a TesseraError: ${String(error)}`;
}

beforeEach(async () => {
  database = new Database(':memory:');
  store = createSqliteStore({ database });
  await store.migrate();
  expect(await store.importUsers(Object.keys(HASHES).map(row))).toEqual([]);
  swaps = [];
  // The real store, with its answers recorded: how many sign-ins replaced the hash.
  const replace = store.replacePasswordHash.bind(store);
  store.replacePasswordHash = async (input) => {
    const replaced = await replace(input);
    swaps.push(replaced);
    return replaced;
  };
  accounts = createAccounts({ store, now: () => T0 + 1000 });
});
afterEach(async () => {
  await store.close();
});

describe('signing in with an imported hash', () => {
  it.each(Object.keys(HASHES))(
    '%s: a wrong password is refused and changes nothing',
    async (scheme) => {
      expect(await codeOf(accounts.login(`${scheme}@example.com`, `${PASSWORD}?`))).toBe(
        'CREDENTIALS_INVALID',
      );
      expect((await store.findUserById(`legacy-${scheme}`))?.passwordHash).toBe(HASHES[scheme]);
      expect(swaps).toEqual([]);
    },
  );

  it.each(Object.keys(HASHES))(
    '%s: the old password signs in and the hash becomes argon2id, once',
    async (scheme) => {
      const user = await accounts.login(` ${scheme.toUpperCase()}@Example.com`, PASSWORD);
      expect(user.id).toBe(`legacy-${scheme}`);
      const stored = await store.findUserById(user.id);
      expect(stored?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(stored?.passwordHash).toBe(user.passwordHash);
      expect(stored?.passwordChangedAt).toBe(T0);
      expect(swaps).toEqual([true]);
      // The same password now checks against argon2id; no second rehash, and a wrong one still fails.
      expect((await accounts.login(`${scheme}@example.com`, PASSWORD)).passwordHash).toBe(
        stored?.passwordHash,
      );
      expect(await codeOf(accounts.login(`${scheme}@example.com`, 'wrong password'))).toBe(
        'CREDENTIALS_INVALID',
      );
      expect(swaps).toEqual([true]);
      // The imported hash is gone: putting it back is the only way it could be checked again.
      expect(
        database
          .prepare('SELECT count(*) AS n FROM users WHERE password_hash = ?')
          .get(HASHES[scheme]),
      ).toEqual({ n: 0 });
    },
  );

  it('of concurrent sign-ins with one imported hash, all succeed and exactly one rehashes', async () => {
    const users = await Promise.all(
      Array.from({ length: 6 }, () => accounts.login('bcrypt@example.com', PASSWORD)),
    );
    expect(users.map((user) => user.id)).toEqual(Array(6).fill('legacy-bcrypt'));
    expect(swaps.filter(Boolean)).toHaveLength(1);
    const stored = await store.findUserById('legacy-bcrypt');
    expect(users.filter((user) => user.passwordHash === stored?.passwordHash)).toHaveLength(1);
  });

  it('a password changed between the check and the rehash is kept', async () => {
    await accounts.login('scrypt@example.com', PASSWORD);
    // Someone put the import back and changed the password right after (the CAS must not clobber it).
    database
      .prepare('UPDATE users SET password_hash = ? WHERE id = ?')
      .run(HASHES.scrypt, 'legacy-scrypt');
    const replace = store.replacePasswordHash;
    store.replacePasswordHash = async (input) => {
      await store.updatePassword({
        userId: input.userId,
        passwordHash: HASHES.django as string,
        at: T0 + 5,
      });
      return replace(input);
    };
    await accounts.login('scrypt@example.com', PASSWORD);
    expect((await store.findUserById('legacy-scrypt'))?.passwordHash).toBe(HASHES.django);
    expect(swaps.at(-1)).toBe(false);
  });

  it.each([
    ['a bcrypt cost of 31', `$2b$31$${(HASHES.bcrypt as string).slice(7)}`],
    [
      'scrypt with 16 GiB',
      '$scrypt$ln=24,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk',
    ],
    [
      'PBKDF2 with 2^31 rounds',
      'pbkdf2_sha256$2147483647$seasalt1234$dVCseRolHWXn3dKCrJlqQnEHNpty/gC2g6pUYtCGT/4=',
    ],
    ['an unknown format', '$2x$10$' + 'a'.repeat(53)],
    ['argon2id with 4 GiB', '$argon2id$v=19$m=4194304,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'],
  ])(
    'a row edited to %s answers PASSWORD_HASH_UNUSABLE, for the right password too',
    async (_, hash) => {
      database
        .prepare('UPDATE users SET password_hash = ? WHERE id = ?')
        .run(hash, 'legacy-django');
      expect(await codeOf(accounts.login('django@example.com', PASSWORD))).toBe(
        'PASSWORD_HASH_UNUSABLE',
      );
      expect(
        await codeOf(accounts.changePassword('legacy-django', PASSWORD, 'a new password')),
      ).toBe('CREDENTIALS_INVALID');
      expect(swaps).toEqual([]);
    },
  );

  it('an unknown email is refused like a wrong password', async () => {
    expect(await codeOf(accounts.login('nobody@example.com', PASSWORD))).toBe(
      'CREDENTIALS_INVALID',
    );
  });
});
