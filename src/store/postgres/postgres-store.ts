/**
 * The PostgreSQL store's entry point: the schema check, then one object made of the parts, each in the
 * module of its noun (sessions, revocation feed, events and sweeping, keys, accounts, schema).
 */
import { TesseraError } from '../../errors/tessera-error.js';
import type { AccountStore } from '../account-store.js';
import type { LegacyExchangeStore } from '../legacy-exchange-store.js';
import type { FeedCredentialStore } from '../feed-credential-store.js';
import type { SessionStore } from '../session-store.js';
import { createPostgresLegacyExchanges } from './postgres-legacy.js';
import { createPostgresAccounts } from './postgres-accounts.js';
import { quoteSchema, type PgPool, type PostgresScope } from './postgres-driver.js';
import { createPostgresEvents } from './postgres-events.js';
import { createPostgresFeedCredentials } from './postgres-feed-credentials.js';
import { createPostgresKeys } from './postgres-keys.js';
import { createPostgresMail } from './postgres-mail.js';
import { createPostgresRevocations } from './postgres-revocations.js';
import { createPostgresMigration } from './postgres-schema.js';
import { createPostgresSessions } from './postgres-sessions.js';

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions {
  readonly pool: PgPool;
  /** Schema holding the tables, created by `migrate()` when missing. Default `public`. */
  readonly schema?: string;
}

/**
 * A {@link SessionStore} on PostgreSQL for many nodes. Rotation and grace answers are single conditional
 * statements (row lock + re-check under READ COMMITTED); revocation-feed inserts hold a transaction-level
 * advisory lock so `seq` order is commit order and a poller never skips a record. `close()` ends the pool.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const store = createPostgresStore({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) });
 * await store.migrate();
 * ```
 */
export function createPostgresStore(
  options: PostgresStoreOptions,
): SessionStore & AccountStore & LegacyExchangeStore & FeedCredentialStore {
  const { pool } = options;
  const schemaName = options.schema ?? 'public';
  const quotedSchema = quoteSchema(schemaName);
  if (quotedSchema === undefined)
    throw new TesseraError(
      'CONFIG_INVALID',
      'The PostgreSQL schema must be a plain identifier: letters, digits and underscores, at most 63.',
    );
  const scope: PostgresScope = { pool, schemaName, quotedSchema };
  return {
    ...createPostgresAccounts(scope),
    ...createPostgresMail(scope),
    ...createPostgresMigration(scope),
    ...createPostgresSessions(scope),
    ...createPostgresRevocations(scope),
    ...createPostgresEvents(scope),
    ...createPostgresKeys(scope),
    ...createPostgresLegacyExchanges(scope),
    ...createPostgresFeedCredentials(scope),
    async close() {
      await pool.end();
    },
  };
}
