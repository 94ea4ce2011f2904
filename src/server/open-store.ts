import { existsSync } from 'node:fs';
import { TesseraError } from '../errors/tessera-error.js';
import type { FileModeWarning } from '../keys/file-mode.js';
import type { AccountStore } from '../store/account-store.js';
import type { FeedCredentialStore } from '../store/feed-credential-store.js';
import type { PostgresPooler } from '../store/postgres/postgres-pooler.js';
import type { SessionStore } from '../store/session-store.js';

/** A store that keeps sessions and, when it implements them, Tessera's own accounts. */
export type ServerStore = SessionStore & Partial<AccountStore> & Partial<FeedCredentialStore>;

/**
 * Opens the configured store: PostgreSQL for a `postgres://` URL, else the embedded SQLite file.
 * Drivers are optional peer dependencies, loaded only here.
 *
 * @example
 * ```ts
 * const store = await openStore({ databaseUrl: process.env.DATABASE_URL, sqlitePath: './tessera.db' });
 * ```
 */
export async function openStore(options: {
  databaseUrl?: string | undefined;
  /** What `databaseUrl` points at; `transaction` for a transaction-mode pooler. Default `none`. */
  pgPooler?: PostgresPooler | undefined;
  sqlitePath: string;
  onFileModeWarning?: (warning: FileModeWarning) => void;
  /**
   * `existing` for commands that only read or change what a server wrote (`tessera events`): a
   * mistyped --db path is refused instead of creating an empty database (and its folders) there.
   * Default `create`.
   */
  open?: 'create' | 'existing';
}): Promise<ServerStore> {
  if (options.databaseUrl !== undefined) {
    const { openPostgresStore } = await import('../store/postgres/open-postgres-store.js');
    return openPostgresStore({
      url: options.databaseUrl,
      ...(options.pgPooler === undefined ? {} : { pooler: options.pgPooler }),
    });
  }
  if (options.open === 'existing' && !existsSync(options.sqlitePath))
    throw new TesseraError(
      'CONFIG_INVALID',
      `There is no SQLite database at ${options.sqlitePath}: give the --db a server uses (or --database-url).`,
    );
  const { openSqliteStore } = await import('../store/sqlite/open-sqlite-store.js');
  return openSqliteStore({
    path: options.sqlitePath,
    ...(options.onFileModeWarning === undefined
      ? {}
      : { onFileModeWarning: options.onFileModeWarning }),
  });
}

/**
 * Narrows a store to one that also keeps accounts.
 *
 * @example
 * ```ts
 * const accounts = hasAccountStore(store) ? createAccounts({ store }) : undefined;
 * ```
 */
export function hasAccountStore(store: ServerStore): store is SessionStore & AccountStore {
  return typeof store.createUser === 'function' && typeof store.consumeOneTimeToken === 'function';
}
