import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountStore, OneTimeTokenRow, UserRow } from './account-store.js';

/** Options of {@link runAccountStoreConformance}. */
export interface AccountConformanceOptions {
  readonly name: string;
  /** A fresh, empty store; the suite calls `migrate()` and `close()`. */
  readonly createStore: () => Promise<
    AccountStore & { migrate(): Promise<void>; close(): Promise<void> }
  >;
}

const T0 = 1_767_268_800_000;

function user(overrides: Partial<UserRow> = {}): UserRow {
  return {
    id: `u-${randomUUID()}`,
    email: `${randomUUID()}@example.com`,
    passwordHash: '$argon2id$stub',
    createdAt: T0,
    passwordChangedAt: T0,
    ...overrides,
  };
}

function oneTime(userId: string, overrides: Partial<OneTimeTokenRow> = {}): OneTimeTokenRow {
  return {
    id: `o-${randomUUID()}`,
    kind: 'reset',
    userId,
    sessionId: null,
    secretHash: `h-${randomUUID()}`,
    expiresAt: T0 + 900_000,
    ...overrides,
  };
}

/**
 * The suite every {@link AccountStore} implementation passes unchanged: unique emails, single-use
 * tokens under concurrency, expiry, and bad input that answers instead of throwing.
 *
 * @example
 * ```ts
 * runAccountStoreConformance({ name: 'sqlite', createStore: async () => createSqliteStore({ database: new Database(':memory:') }) });
 * ```
 */
export function runAccountStoreConformance(options: AccountConformanceOptions): void {
  describe(`account store conformance: ${options.name}`, () => {
    let store: Awaited<ReturnType<AccountConformanceOptions['createStore']>>;
    beforeEach(async () => {
      store = await options.createStore();
      await store.migrate();
    });
    afterEach(async () => {
      await store.close();
    });

    it('creates a user once per email and finds it by email and id', async () => {
      const alice = user();
      expect(await store.createUser(alice)).toBe(true);
      expect(await store.createUser(user({ email: alice.email }))).toBe(false);
      expect(await store.findUserByEmail(alice.email)).toEqual(alice);
      expect(await store.findUserById(alice.id)).toEqual(alice);
    });

    it('lets exactly one of many concurrent sign-ups with one email win', async () => {
      const email = `${randomUUID()}@example.com`;
      const results = await Promise.all(
        Array.from({ length: 16 }, () => store.createUser(user({ email }))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('updates the password hash and its timestamp', async () => {
      const alice = user();
      await store.createUser(alice);
      await store.updatePassword({ userId: alice.id, passwordHash: '$argon2id$new', at: T0 + 5 });
      expect(await store.findUserById(alice.id)).toMatchObject({
        passwordHash: '$argon2id$new',
        passwordChangedAt: T0 + 5,
      });
    });

    it('consumes a one-time token exactly once, even when raced', async () => {
      const alice = user();
      await store.createUser(alice);
      const token = oneTime(alice.id, { kind: 'ticket', sessionId: 's-1' });
      await store.createOneTimeToken(token);
      const results = await Promise.all(
        Array.from({ length: 16 }, () =>
          store.consumeOneTimeToken({ id: token.id, kind: 'ticket', at: T0 }),
        ),
      );
      expect(results.filter((row) => row !== undefined)).toEqual([token]);
    });

    it('refuses an expired token and a token of another kind', async () => {
      const alice = user();
      await store.createUser(alice);
      const expired = oneTime(alice.id, { expiresAt: T0 });
      await store.createOneTimeToken(expired);
      expect(
        await store.consumeOneTimeToken({ id: expired.id, kind: 'reset', at: T0 }),
      ).toBeUndefined();
      const reset = oneTime(alice.id);
      await store.createOneTimeToken(reset);
      expect(
        await store.consumeOneTimeToken({ id: reset.id, kind: 'ticket', at: T0 }),
      ).toBeUndefined();
      expect(await store.consumeOneTimeToken({ id: reset.id, kind: 'reset', at: T0 })).toEqual(
        reset,
      );
    });

    it('answers hostile ids and emails without throwing', async () => {
      for (const bad of ['', '\u0000', "x'; DROP TABLE users; --", 'x'.repeat(10_000), '\uD800']) {
        await expect(store.findUserByEmail(bad)).resolves.toBeUndefined();
        await expect(store.findUserById(bad)).resolves.toBeUndefined();
        await expect(
          store.consumeOneTimeToken({ id: bad, kind: 'reset', at: T0 }),
        ).resolves.toBeUndefined();
      }
    });
  });
}
