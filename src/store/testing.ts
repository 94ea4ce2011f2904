import { afterEach, beforeEach, describe } from 'vitest';
export { runAccountStoreConformance, type AccountConformanceOptions } from './account-testing.js';
export {
  runLegacyExchangeConformance,
  type LegacyExchangeConformanceOptions,
} from './testing/legacy-cases.js';
export {
  runFeedCredentialStoreConformance,
  type FeedCredentialConformanceOptions,
} from './testing/feed-credential-cases.js';
import type { SessionStore } from './session-store.js';
import { createConformanceContext } from './testing/fixtures.js';
import { defineMaintenanceCases } from './testing/maintenance-cases.js';
import { defineRevocationCases } from './testing/revocation-cases.js';
import { defineRotationCases } from './testing/rotation-cases.js';
import { defineSessionCases } from './testing/session-cases.js';

/** Options of {@link runStoreConformance}. */
export interface StoreConformanceOptions {
  /** Shown in the test names. */
  readonly name: string;
  /** A fresh, empty store for one test; the suite calls `migrate()` and `close()` itself. */
  readonly createStore: () => Promise<SessionStore>;
}

/**
 * Defines the vitest suite every {@link SessionStore} implementation must pass, unchanged. It covers every
 * method, the compare-and-swap and counting guarantees under concurrency, the revocation feed's ordering,
 * sweeping and the key store.
 *
 * @example
 * ```ts
 * // my-store.test.ts, run by vitest: the whole suite against your store in one call.
 * import { mkdtempSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import Database from 'better-sqlite3';
 * import { createSqliteStore } from 'tessera-auth';
 * import { runStoreConformance } from 'tessera-auth/testing';
 *
 * const dir = mkdtempSync(join(tmpdir(), 'store-'));
 * let n = 0;
 * runStoreConformance({
 *   name: 'sqlite',
 *   createStore: async () => createSqliteStore({ database: new Database(join(dir, `${n++}.db`)) }),
 * });
 * ```
 */
export function runStoreConformance(options: StoreConformanceOptions): void {
  describe(`${options.name} store conformance`, () => {
    let store: SessionStore;
    beforeEach(async () => {
      store = await options.createStore();
      await store.migrate();
    });
    afterEach(async () => {
      await store.close();
    });

    const context = createConformanceContext({
      currentStore: () => store,
      createStore: options.createStore,
    });
    defineSessionCases(context);
    defineRotationCases(context);
    defineRevocationCases(context);
    defineMaintenanceCases(context);
  });
}
