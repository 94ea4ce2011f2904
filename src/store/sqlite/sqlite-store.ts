/**
 * The SQLite store's entry point: connection settings, then one object made of the parts, each in the
 * module of its noun (sessions, revocation feed, events and sweeping, keys, accounts, schema).
 */
import type { AccountStore } from '../account-store.js';
import type { LegacyExchangeStore } from '../legacy-exchange-store.js';
import type { FeedCredentialStore } from '../feed-credential-store.js';
import type { SessionStore } from '../session-store.js';
import { createSqliteLegacyExchanges } from './sqlite-legacy.js';
import { createSqliteAccounts } from './sqlite-accounts.js';
import { createStatementCache, type SqliteDatabase, type SqliteScope } from './sqlite-driver.js';
import { createSqliteEvents } from './sqlite-events.js';
import { createSqliteFeedCredentials } from './sqlite-feed-credentials.js';
import { createSqliteKeys } from './sqlite-keys.js';
import { createSqliteMail } from './sqlite-mail.js';
import {
  createSqliteRevocationWake,
  type RevocationWakeOptions,
} from './sqlite-revocation-wake.js';
import { createSqliteRevocations } from './sqlite-revocations.js';
import { createSqliteMigration } from './sqlite-schema.js';
import { createSqliteSessions } from './sqlite-sessions.js';

// The driver types are part of this entry point's signature, so they are importable from here too.
export type { SqliteDatabase, SqliteStatement } from './sqlite-driver.js';
export type { PollScheduler, RevocationWakeOptions } from './sqlite-revocation-wake.js';

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  readonly database: SqliteDatabase;
  /**
   * `NORMAL` (default) in WAL mode: every committed transaction survives a crash or kill -9 of the process,
   * because the WAL is in the OS page cache; a power loss or OS crash can lose the last transactions before
   * the next checkpoint (never corrupts the file). `FULL` fsyncs the WAL at every commit so those survive
   * too, at the cost of one fsync per rotation.
   */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /**
   * How `onRevocation` watches for revocations committed by other connections to the file (other
   * processes): `PRAGMA data_version` every 200 ms by default. The schedule is injectable for tests.
   */
  readonly revocationWake?: RevocationWakeOptions;
}

/**
 * A {@link SessionStore} on one SQLite file (better-sqlite3). The driver is synchronous and so is every
 * method inside; each write is one `BEGIN IMMEDIATE` transaction, which takes the write lock up front so
 * several processes on one file queue on `busy_timeout` instead of deadlocking on a read-to-write upgrade.
 * `onRevocation` wakes a subscriber within ~200 ms of another connection's revocation (see
 * {@link SqliteStoreOptions.revocationWake}). `close()` stops those watches and closes the database.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * const store = createSqliteStore({ database: new Database('tessera.db') });
 * await store.migrate();
 * ```
 */
export function createSqliteStore(
  options: SqliteStoreOptions,
): SessionStore & AccountStore & LegacyExchangeStore & FeedCredentialStore {
  const db = options.database;
  db.pragma('busy_timeout = 5000');
  enableWal(db);
  db.pragma('foreign_keys = ON');
  db.pragma(`synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);

  // One statement cache for every part: they share the connection and often the same statements.
  const scope: SqliteScope = { db, sql: createStatementCache(db) };
  const wake = createSqliteRevocationWake(scope, options.revocationWake);
  return {
    ...createSqliteAccounts(scope),
    ...createSqliteMail(scope),
    ...createSqliteMigration(db),
    ...createSqliteSessions(scope),
    ...createSqliteRevocations(scope),
    ...createSqliteEvents(scope),
    ...createSqliteKeys(scope),
    ...createSqliteLegacyExchanges(scope),
    ...createSqliteFeedCredentials(scope),
    onRevocation: wake.onRevocation,
    async close() {
      wake.stopAll();
      db.close();
    },
  };
}

// Switching a fresh file to WAL takes an exclusive lock, and SQLite answers SQLITE_BUSY at once, without
// its busy handler, while another process is opening the same file (several nodes started together):
// retry for as long as the busy timeout would have waited.
function enableWal(db: SqliteDatabase): void {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() > deadline)
        throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}
