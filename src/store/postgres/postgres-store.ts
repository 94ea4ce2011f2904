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
import { forTransactionPooler, type PostgresPooler } from './postgres-pooler.js';
import { createPostgresMigration } from './postgres-schema.js';
import { createPostgresSessions } from './postgres-sessions.js';

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions {
  readonly pool: PgPool;
  /** Schema holding the tables, created by `migrate()` when missing. Default `public`. */
  readonly schema?: string;
  /**
   * `transaction` when a transaction-mode pooler (pgbouncer `pool_mode = transaction`) sits in front:
   * statements go out unnamed, session state is refused, and `onRevocation` polls the feed instead of
   * LISTENing. Default `none` (direct, or a session-mode pooler).
   */
  readonly pooler?: PostgresPooler;
  /** With `pooler: 'transaction'`, how often `onRevocation` polls the feed. Default 500 ms. */
  readonly revocationPollMs?: number;
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
  const pooled = options.pooler === 'transaction';
  const pool = pooled ? forTransactionPooler(options.pool) : options.pool;
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
    ...createPostgresRevocations(
      scope,
      pooled ? { mode: 'poll', intervalMs: options.revocationPollMs ?? 500 } : { mode: 'listen' },
    ),
    ...createPostgresEvents(scope),
    ...createPostgresKeys(scope),
    ...createPostgresLegacyExchanges(scope),
    ...createPostgresFeedCredentials(scope),
    async close() {
      await pool.end();
    },
  };
}
