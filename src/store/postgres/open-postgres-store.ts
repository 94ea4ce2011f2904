import { TesseraError } from '../../errors/tessera-error.js';
import type { AccountStore } from '../account-store.js';
import type { FeedCredentialStore } from '../feed-credential-store.js';
import type { SessionStore } from '../session-store.js';
import type { PgPool } from './postgres-driver.js';
import type { PostgresPooler } from './postgres-pooler.js';
import { createPostgresStore } from './postgres-store.js';

/** Options of {@link openPostgresStore}. */
export interface OpenPostgresStoreOptions {
  /** `postgres://user@host:port/database`; a password in it never appears in an error. */
  readonly url: string;
  readonly schema?: string;
  /** Pool size. Default 10. */
  readonly max?: number;
  /**
   * `transaction` when the URL points at a transaction-mode pooler (pgbouncer `pool_mode = transaction`):
   * no named statements or session state, and revocations are polled every 500 ms instead of LISTENed
   * (LISTEN needs a session connection). Default `none`.
   */
  readonly pooler?: PostgresPooler;
}

interface PgModule {
  default: {
    Pool: new (config: {
      connectionString: string;
      max: number;
    }) => PgPool & { on(event: 'error', listener: (error: Error) => void): unknown };
  };
}

/**
 * Connects to PostgreSQL with node-postgres (`pg`, an optional peer dependency loaded only here) and
 * migrates the schema. An unreachable server is a STORE_UNAVAILABLE error naming host, port and database.
 *
 * @example
 * ```ts
 * import { createSessionManager, openPostgresStore, type SessionManagerOptions } from 'tessera-auth';
 *
 * // Your access-token signer, e.g. built with createAccessTokenSigner over your keyring.
 * declare const signAccessToken: SessionManagerOptions['signAccessToken'];
 *
 * const store = await openPostgresStore({
 *   url: process.env.DATABASE_URL ?? 'postgres://postgres@localhost:5432/tessera',
 *   schema: 'tessera',
 * });
 * const sessions = createSessionManager({ store, signAccessToken });
 * const tokens = await sessions.issueSession('user-42');
 * await sessions.revokeSession(tokens.sessionId, { reason: 'logout' });
 * await store.close();
 * ```
 */
export async function openPostgresStore(
  options: OpenPostgresStoreOptions,
): Promise<SessionStore & AccountStore & FeedCredentialStore> {
  let driver: PgModule;
  try {
    driver = (await import('pg')) as unknown as PgModule;
  } catch {
    throw new TesseraError(
      'CONFIG_INVALID',
      'The PostgreSQL store needs the pg package, an optional peer dependency: npm install pg.',
    );
  }
  const pool = new driver.default.Pool({ connectionString: options.url, max: options.max ?? 10 });
  // An idle pooled connection that the server drops emits 'error' on the pool; unhandled, it would end the process.
  pool.on('error', () => undefined);
  const store = createPostgresStore({
    pool,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.pooler === undefined ? {} : { pooler: options.pooler }),
  });
  try {
    await store.migrate();
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (error instanceof TesseraError) throw error;
    const reason =
      (error as { code?: unknown }).code ??
      (error instanceof Error ? error.message : 'unknown error');
    throw new TesseraError(
      'STORE_UNAVAILABLE',
      `Cannot open the PostgreSQL store at ${describeServer(options.url)}: ${String(reason)}.`,
      { server: describeServer(options.url) },
    );
  }
  return store;
}

function describeServer(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port === '' ? '5432' : parsed.port}${parsed.pathname}`;
  } catch {
    return 'an unparsable URL';
  }
}
