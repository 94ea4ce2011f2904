import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AccountStore, MailOutboxRow, OneTimeTokenRow } from '../account-store.js';
import { newUser, T0 } from './fixtures.js';

const user = newUser;

function mail(overrides: Partial<MailOutboxRow> = {}): MailOutboxRow {
  return {
    id: `m-${randomUUID()}`,
    kind: 'reset',
    email: `${randomUUID()}@example.com`,
    createdAt: T0,
    dueAt: T0,
    attempts: 0,
    lastError: null,
    ...overrides,
  };
}

/**
 * The account-store cases email delivery added: the password epoch and its compare-and-swap, the
 * verification flag, epoch-carrying `verify` tokens, and the outbox (claim with a lease, once under
 * concurrency, retry, finish). `runAccountStoreConformance` calls it with a fresh, migrated store per test.
 *
 * @example
 * ```ts
 * defineMailCases(() => store);
 * ```
 */
export function defineMailCases(current: () => AccountStore): void {
  describe('password epoch and verification', () => {
    it('starts unverified at epoch 0, and every password change bumps the epoch', async () => {
      const store = current();
      const alice = user();
      await store.createUser(alice);
      expect(await store.findUserById(alice.id)).toMatchObject({
        emailVerified: false,
        passwordEpoch: 0,
      });
      expect(await store.updatePassword({ userId: alice.id, passwordHash: 'h1', at: T0 + 1 })).toBe(
        true,
      );
      expect(await store.updatePassword({ userId: alice.id, passwordHash: 'h2', at: T0 + 2 })).toBe(
        true,
      );
      expect((await store.findUserById(alice.id))?.passwordEpoch).toBe(2);
      expect(await store.updatePassword({ userId: 'nobody', passwordHash: 'h', at: T0 })).toBe(
        false,
      );
    });

    it('changes the password under expectedEpoch only while the epoch is still that, once when raced', async () => {
      const store = current();
      const alice = user();
      await store.createUser(alice);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.updatePassword({
            userId: alice.id,
            passwordHash: `h${i}`,
            at: T0 + 1,
            expectedEpoch: 0,
            verifyEmail: true,
          }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.findUserById(alice.id)).toMatchObject({
        emailVerified: true,
        passwordEpoch: 1,
      });
      expect(
        await store.updatePassword({
          userId: alice.id,
          passwordHash: 'late',
          at: T0 + 2,
          expectedEpoch: 0,
        }),
      ).toBe(false);
      expect((await store.findUserById(alice.id))?.passwordHash).not.toBe('late');
    });

    it('marks the address verified only at the expected epoch', async () => {
      const store = current();
      const alice = user();
      await store.createUser(alice);
      await store.updatePassword({ userId: alice.id, passwordHash: 'h1', at: T0 + 1 });
      expect(await store.markEmailVerified({ userId: alice.id, passwordEpoch: 0 })).toBe(false);
      expect((await store.findUserById(alice.id))?.emailVerified).toBe(false);
      expect(await store.markEmailVerified({ userId: alice.id, passwordEpoch: 1 })).toBe(true);
      expect((await store.findUserById(alice.id))?.emailVerified).toBe(true);
      expect(await store.markEmailVerified({ userId: '\u0000', passwordEpoch: 1 })).toBe(false);
    });

    it('keeps a created user verified when it says so (an import of verified users)', async () => {
      const store = current();
      const imported = { ...user(), emailVerified: true, passwordEpoch: 3 };
      await store.createUser(imported);
      expect(await store.findUserByEmail(imported.email)).toEqual(imported);
    });

    it('stores a verify token with its epoch, and deletes one token by id', async () => {
      const store = current();
      const alice = user();
      await store.createUser(alice);
      const token: OneTimeTokenRow = {
        id: `o-${randomUUID()}`,
        kind: 'verify',
        userId: alice.id,
        sessionId: null,
        secretHash: `h-${randomUUID()}`,
        expiresAt: T0 + 60_000,
        passwordEpoch: 4,
      };
      await store.createOneTimeToken(token);
      const other = { ...token, id: `o-${randomUUID()}` };
      await store.createOneTimeToken(other);
      await store.deleteOneTimeToken(token.id);
      const use = { kind: 'verify' as const, at: T0 };
      expect(
        await store.consumeOneTimeToken({ ...use, id: token.id, secretHash: token.secretHash }),
      ).toBeUndefined();
      expect(
        await store.consumeOneTimeToken({ ...use, id: other.id, secretHash: other.secretHash }),
      ).toEqual(other);
    });
  });

  describe('mail outbox', () => {
    it('claims due rows oldest first with a lease and one more attempt, and not again until it ends', async () => {
      const store = current();
      const first = mail({ createdAt: T0 - 2, dueAt: T0 - 2 });
      const second = mail({ kind: 'verify', createdAt: T0 - 1, dueAt: T0 - 1 });
      const later = mail({ kind: 'account-exists', dueAt: T0 + 60_000 });
      for (const row of [later, second, first]) await store.enqueueMail(row);
      const claimed = await store.claimMail({ at: T0, leaseUntil: T0 + 30_000, limit: 10 });
      expect(claimed).toEqual([
        { ...first, dueAt: T0 + 30_000, attempts: 1 },
        { ...second, dueAt: T0 + 30_000, attempts: 1 },
      ]);
      expect(
        await store.claimMail({ at: T0 + 29_999, leaseUntil: T0 + 90_000, limit: 10 }),
      ).toEqual([]);
      const retaken = await store.claimMail({
        at: T0 + 60_000,
        leaseUntil: T0 + 90_000,
        limit: 10,
      });
      expect(retaken.map((row) => [row.id, row.attempts])).toEqual([
        [first.id, 2],
        [second.id, 2],
        [later.id, 1],
      ]);
    });

    it('gives each row to exactly one of many concurrent claims', async () => {
      const store = current();
      const rows = Array.from({ length: 12 }, (_, i) => mail({ createdAt: T0 + i }));
      for (const row of rows) await store.enqueueMail(row);
      const claims = await Promise.all(
        Array.from({ length: 6 }, () =>
          store.claimMail({ at: T0, leaseUntil: T0 + 30_000, limit: 3 }),
        ),
      );
      const ids = claims.flat().map((row) => row.id);
      expect(ids.sort()).toEqual(rows.map((row) => row.id).sort());
    });

    it('puts a failed row back for its due time with the code, and finishes a row for good', async () => {
      const store = current();
      const row = mail();
      await store.enqueueMail(row);
      await store.claimMail({ at: T0, leaseUntil: T0 + 30_000, limit: 1 });
      await store.retryMail({ id: row.id, dueAt: T0 + 5_000, lastError: 'ECONNECTION' });
      expect(await store.claimMail({ at: T0 + 5_000, leaseUntil: T0 + 35_000, limit: 1 })).toEqual([
        { ...row, dueAt: T0 + 35_000, attempts: 2, lastError: 'ECONNECTION' },
      ]);
      await store.finishMail(row.id);
      expect(await store.claimMail({ at: T0 + 99_000, leaseUntil: T0 + 99_001, limit: 1 })).toEqual(
        [],
      );
    });

    it('answers hostile ids without throwing', async () => {
      const store = current();
      for (const bad of ['', '\u0000', "x'; DROP TABLE mail_outbox; --", 'x'.repeat(10_000)]) {
        await expect(store.finishMail(bad)).resolves.toBeUndefined();
        await expect(
          store.retryMail({ id: bad, dueAt: T0, lastError: bad }),
        ).resolves.toBeUndefined();
        await expect(store.deleteOneTimeToken(bad)).resolves.toBeUndefined();
      }
    });
  });
}
