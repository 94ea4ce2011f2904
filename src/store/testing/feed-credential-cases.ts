import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FeedCredentialRow, FeedCredentialStore } from '../feed-credential-store.js';

/** Options of {@link runFeedCredentialStoreConformance}. */
export interface FeedCredentialConformanceOptions {
  readonly name: string;
  /** A fresh, empty store; the suite calls `migrate()` and `close()` itself. */
  readonly createStore: () => Promise<
    FeedCredentialStore & { migrate(): Promise<void>; close(): Promise<void> }
  >;
}

const T0 = 1_767_268_800_000;

const credential = (
  overrides: Partial<Omit<FeedCredentialRow, 'revokedAt'>> = {},
): Omit<FeedCredentialRow, 'revokedAt'> => ({
  name: `api-${randomUUID()}`,
  id: randomUUID(),
  secretHash: `h-${randomUUID()}`,
  createdAt: T0,
  ...overrides,
});

/**
 * The suite every {@link FeedCredentialStore} passes unchanged: one live credential per name (also
 * under concurrency), revocation that keeps the row, and bad input that answers instead of throwing.
 *
 * @example
 * ```ts
 * runFeedCredentialStoreConformance({ name: 'sqlite', createStore: async () => createSqliteStore({ database: new Database(':memory:') }) });
 * ```
 */
export function runFeedCredentialStoreConformance(options: FeedCredentialConformanceOptions): void {
  describe(`feed credential store conformance: ${options.name}`, () => {
    let store: Awaited<ReturnType<FeedCredentialConformanceOptions['createStore']>>;
    beforeEach(async () => {
      store = await options.createStore();
      await store.migrate();
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores a credential and finds it by id, live', async () => {
      const row = credential();
      expect(await store.createFeedCredential(row)).toBe(true);
      expect(await store.findFeedCredential(row.id)).toEqual({ ...row, revokedAt: null });
      expect(await store.listFeedCredentials()).toEqual([{ ...row, revokedAt: null }]);
    });

    it('refuses a second live credential of one name, also when both are created at once', async () => {
      const first = credential({ name: 'billing' });
      expect(await store.createFeedCredential(first)).toBe(true);
      expect(await store.createFeedCredential(credential({ name: 'billing' }))).toBe(false);
      const racers = Array.from({ length: 6 }, () => credential({ name: 'search' }));
      const results = await Promise.all(racers.map((row) => store.createFeedCredential(row)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.listFeedCredentials()).map((row) => row.name).sort()).toEqual([
        'billing',
        'search',
      ]);
    });

    it('revokes by name once, keeps the row, and frees the name for a new credential', async () => {
      const old = credential({ name: 'billing', createdAt: T0 });
      await store.createFeedCredential(old);
      expect(await store.revokeFeedCredential({ name: 'billing', at: T0 + 5 })).toBe(true);
      expect(await store.revokeFeedCredential({ name: 'billing', at: T0 + 6 })).toBe(false);
      expect((await store.findFeedCredential(old.id))?.revokedAt).toBe(T0 + 5);
      const next = credential({ name: 'billing', createdAt: T0 + 10 });
      expect(await store.createFeedCredential(next)).toBe(true);
      expect(await store.listFeedCredentials()).toEqual([
        { ...old, revokedAt: T0 + 5 },
        { ...next, revokedAt: null },
      ]);
    });

    it('answers unknown and unstorable ids and names without throwing', async () => {
      expect(await store.findFeedCredential(randomUUID())).toBeUndefined();
      expect(await store.findFeedCredential('a\u0000b')).toBeUndefined();
      expect(await store.revokeFeedCredential({ name: 'nobody', at: T0 })).toBe(false);
      expect(await store.revokeFeedCredential({ name: 'x\u0000', at: T0 })).toBe(false);
    });
  });
}
