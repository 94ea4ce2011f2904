import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountStore, OneTimeTokenRow } from './account-store.js';
import type { SessionStore } from './session-store.js';
import { defineMailCases } from './testing/mail-cases.js';
import { newUser, T0 } from './testing/fixtures.js';

/** Options of {@link runAccountStoreConformance}. */
export interface AccountConformanceOptions {
  readonly name: string;
  /** A fresh, empty store; the suite calls `migrate()` and `close()`, and `sweep` for one-time tokens. */
  readonly createStore: () => Promise<
    AccountStore &
      Pick<SessionStore, 'sweep'> & { migrate(): Promise<void>; close(): Promise<void> }
  >;
}

const user = newUser;

const use = (token: OneTimeTokenRow): { id: string; secretHash: string } => ({
  id: token.id,
  secretHash: token.secretHash,
});

function oneTime(userId: string, overrides: Partial<OneTimeTokenRow> = {}): OneTimeTokenRow {
  return {
    id: `o-${randomUUID()}`,
    kind: 'reset',
    userId,
    sessionId: null,
    secretHash: `h-${randomUUID()}`,
    expiresAt: T0 + 900_000,
    passwordEpoch: null,
    ...overrides,
  };
}

/**
 * The suite every {@link AccountStore} implementation passes unchanged: unique emails, single-use
 * tokens under concurrency, expiry, the per-session ticket cap, sweeping expired tokens, and bad input
 * that answers instead of throwing.
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

    defineMailCases(() => store);

    it('consumes a one-time token exactly once, even when raced', async () => {
      const alice = user();
      await store.createUser(alice);
      const token = oneTime(alice.id, { kind: 'ticket', sessionId: 's-1' });
      await store.createOneTimeToken(token);
      const results = await Promise.all(
        Array.from({ length: 16 }, () =>
          store.consumeOneTimeToken({ ...use(token), kind: 'ticket', at: T0 }),
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
        await store.consumeOneTimeToken({ ...use(expired), kind: 'reset', at: T0 }),
      ).toBeUndefined();
      const reset = oneTime(alice.id);
      await store.createOneTimeToken(reset);
      expect(
        await store.consumeOneTimeToken({ ...use(reset), kind: 'ticket', at: T0 }),
      ).toBeUndefined();
      expect(await store.consumeOneTimeToken({ ...use(reset), kind: 'reset', at: T0 })).toEqual(
        reset,
      );
    });

    it('answers hostile ids and emails without throwing', async () => {
      for (const bad of ['', '\u0000', "x'; DROP TABLE users; --", 'x'.repeat(10_000), '\uD800']) {
        await expect(store.findUserByEmail(bad)).resolves.toBeUndefined();
        await expect(store.findUserById(bad)).resolves.toBeUndefined();
        await expect(
          store.consumeOneTimeToken({ id: bad, kind: 'reset', secretHash: bad, at: T0 }),
        ).resolves.toBeUndefined();
      }
    });

    it('deletes nothing for a wrong secret hash: a forged secret cannot burn the real token', async () => {
      const alice = user();
      await store.createUser(alice);
      const ticket = oneTime(alice.id, { kind: 'ticket', sessionId: 's-1' });
      await store.createOneTimeToken(ticket);
      expect(
        await store.consumeOneTimeToken({
          id: ticket.id,
          kind: 'ticket',
          secretHash: `h-${randomUUID()}`,
          at: T0,
        }),
      ).toBeUndefined();
      expect(await store.consumeOneTimeToken({ ...use(ticket), kind: 'ticket', at: T0 })).toEqual(
        ticket,
      );
    });

    it('keeps only the newest tickets of a session past maxPerSession, and no other rows', async () => {
      const alice = user();
      await store.createUser(alice);
      const mine = Array.from({ length: 12 }, (_, i) =>
        oneTime(alice.id, { kind: 'ticket', sessionId: 's-mine', expiresAt: T0 + 30_000 + i }),
      );
      const other = oneTime(alice.id, { kind: 'ticket', sessionId: 's-other' });
      const reset = oneTime(alice.id);
      await store.createOneTimeToken(other, { maxPerSession: 8 });
      await store.createOneTimeToken(reset, { maxPerSession: 8 });
      for (const token of mine) await store.createOneTimeToken(token, { maxPerSession: 8 });
      const used = await Promise.all(
        mine.map((token) => store.consumeOneTimeToken({ ...use(token), kind: 'ticket', at: T0 })),
      );
      expect(used).toEqual([...Array.from({ length: 4 }, () => undefined), ...mine.slice(4)]);
      expect(await store.consumeOneTimeToken({ ...use(other), kind: 'ticket', at: T0 })).toEqual(
        other,
      );
      expect(await store.consumeOneTimeToken({ ...use(reset), kind: 'reset', at: T0 })).toEqual(
        reset,
      );
    });

    it('holds the ticket cap under many concurrent inserts for one session', async () => {
      const alice = user();
      await store.createUser(alice);
      const tokens = Array.from({ length: 24 }, () =>
        oneTime(alice.id, { kind: 'ticket', sessionId: 's-raced', expiresAt: T0 + 30_000 }),
      );
      await Promise.all(
        tokens.map((token) => store.createOneTimeToken(token, { maxPerSession: 8 })),
      );
      const used = await Promise.all(
        tokens.map((token) => store.consumeOneTimeToken({ ...use(token), kind: 'ticket', at: T0 })),
      );
      expect(used.filter((row) => row !== undefined)).toHaveLength(8);
    });

    it('replaces a password hash only while it is still the expected one, keeping passwordChangedAt', async () => {
      const alice = user({ passwordHash: '$2b$10$old' });
      await store.createUser(alice);
      const swaps = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.replacePasswordHash({ userId: alice.id, from: '$2b$10$old', to: `$argon2id$${i}` }),
        ),
      );
      expect(swaps.filter(Boolean)).toHaveLength(1);
      const stored = await store.findUserById(alice.id);
      expect(stored?.passwordHash).toBe(`$argon2id$${swaps.indexOf(true)}`);
      expect(stored?.passwordChangedAt).toBe(T0);
      expect(
        await store.replacePasswordHash({ userId: alice.id, from: '$2b$10$old', to: '$x' }),
      ).toBe(false);
      expect(await store.replacePasswordHash({ userId: '\u0000', from: '\u0000', to: '$x' })).toBe(
        false,
      );
    });

    it('samples one stored hash per scheme and cost, salts and digests aside', async () => {
      const hashes = [
        '$2b$10$' + 'a'.repeat(53),
        '$2b$10$' + 'b'.repeat(53),
        '$2b$12$' + 'a'.repeat(53),
        '$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA',
        '$scrypt$ln=15,r=8,p=1$c2FsdDI$aGFzaGhhc2hoYXNoaGFzaB',
        '$scrypt$ln=16,r=8,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA',
        'pbkdf2_sha256$870000$abc$aGFzaA==',
        'pbkdf2_sha256$870000$xyz$aGFzaB==',
        '$pbkdf2-sha256$i=600000,l=32$c2FsdA$aGFzaA',
      ];
      for (const passwordHash of hashes) await store.createUser(user({ passwordHash }));
      const samples = await store.passwordHashSamples();
      expect([...samples].sort()).toEqual(
        [0, 2, 3, 5, 6, 8].map((i) => hashes[i] as string).sort(),
      );
    });

    it('imports a batch whole, or reports its conflicts and writes nothing', async () => {
      const stored = user();
      await store.createUser(stored);
      const batch = [user({ id: '1' }), user({ id: '2' }), user({ id: '3' })];
      const clash = [
        ...batch,
        user({ email: stored.email }),
        user({ id: stored.id }),
        user({ id: '1' }),
      ];
      expect(await store.importUsers(clash)).toEqual([
        { index: 3, field: 'email' },
        { index: 4, field: 'id' },
        { index: 5, field: 'id' },
      ]);
      expect(await store.findUserById('1')).toBeUndefined();
      expect(await store.importUsers(batch, { dryRun: true })).toEqual([]);
      expect(await store.findUserById('1')).toBeUndefined();
      expect(await store.importUsers(batch)).toEqual([]);
      expect(await store.findUserById('2')).toEqual(batch[1]);
      expect(await store.importUsers([user({ id: '4', email: batch[0]?.email ?? '' })])).toEqual([
        { index: 0, field: 'email' },
      ]);
    });

    it('sweeps expired reset tokens and tickets, and keeps live ones', async () => {
      const alice = user();
      await store.createUser(alice);
      const now = T0 + 3_600_000;
      const expiredReset = oneTime(alice.id, { expiresAt: now - 1 });
      const expiredTicket = oneTime(alice.id, { kind: 'ticket', sessionId: 's', expiresAt: now });
      const liveReset = oneTime(alice.id, { expiresAt: now + 60_000 });
      const liveTicket = oneTime(alice.id, { kind: 'ticket', sessionId: 's', expiresAt: now + 1 });
      for (const token of [expiredReset, expiredTicket, liveReset, liveTicket])
        await store.createOneTimeToken(token);
      const policy = { now, sealedBefore: now, retainAfter: now - 7 * 86_400_000 };
      expect((await store.sweep(policy)).oneTimeTokens).toBe(2);
      expect((await store.sweep(policy)).oneTimeTokens).toBe(0);
      // Consumed at an instant before their expiry: only the sweep, not the expiry check, can refuse them.
      const before = T0;
      expect(
        await store.consumeOneTimeToken({ ...use(expiredReset), kind: 'reset', at: before }),
      ).toBeUndefined();
      expect(
        await store.consumeOneTimeToken({ ...use(expiredTicket), kind: 'ticket', at: before }),
      ).toBeUndefined();
      expect(
        await store.consumeOneTimeToken({ ...use(liveReset), kind: 'reset', at: before }),
      ).toEqual(liveReset);
      expect(
        await store.consumeOneTimeToken({ ...use(liveTicket), kind: 'ticket', at: before }),
      ).toEqual(liveTicket);
    });
  });
}
