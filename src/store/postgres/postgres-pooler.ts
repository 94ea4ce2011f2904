/**
 * Connection poolers in front of PostgreSQL. A pooler in transaction mode (pgbouncer's
 * `pool_mode = transaction`, as large deployments run it) hands each transaction, or each statement
 * outside one, to whichever server connection is free: whatever a statement leaves on its connection
 * (a named prepared statement, a session `SET`, a session advisory lock, a `LISTEN`) is gone, or worse,
 * is found by another client, when the next statement arrives. Debian's pgbouncer 1.18 does not track
 * prepared statements in that mode. The store only ever sends unnamed statements, transaction-scoped
 * locks and `SET LOCAL`; this guard keeps it that way.
 */
import { TesseraError } from '../../errors/tessera-error.js';
import type { PgClient, PgPool, PgQueryResult } from './postgres-driver.js';

/**
 * What sits between Tessera and PostgreSQL: `none` (a direct connection, or a pooler in session mode)
 * or `transaction` (a pooler in transaction mode: no session state, revocations polled, not LISTENed).
 */
export type PostgresPooler = 'none' | 'transaction';

/** The values of {@link PostgresPooler}, for option parsing. */
export const POSTGRES_POOLERS: readonly PostgresPooler[] = ['none', 'transaction'];

// Statements whose effect outlives their transaction on the server connection, at the start of the
// text or after a `;`. `SET LOCAL`, `SET TRANSACTION` and `pg_advisory_xact_lock` end with the
// transaction, so they are fine; `UPDATE ... SET` is not a SET.
const SESSION_STATE =
  /(?:^|;)\s*(?:SET(?!\s+(?:LOCAL|TRANSACTION|CONSTRAINTS)\b)\b|RESET\b|LISTEN\b|UNLISTEN\b|PREPARE\b|DISCARD\b|DECLARE\b[^;]*\bWITH\s+HOLD\b)|\bpg_(?:try_)?advisory_lock(?:_shared)?\s*\(/i;

/**
 * Tells whether a statement leaves state on its server connection beyond its transaction, which a
 * transaction-mode pooler would lose or hand to another client.
 *
 * @example
 * ```ts
 * keepsSessionState('LISTEN tessera_revocations'); // true
 * keepsSessionState('UPDATE s.sessions SET revoked_at = $1'); // false
 * ```
 */
export function keepsSessionState(text: string): boolean {
  return SESSION_STATE.test(text);
}

type QueryInput = string | { readonly text: string; readonly values?: unknown[]; name?: unknown };

// Named statements are made unnamed (pgbouncer 1.18 would run them on a connection that never saw
// the PREPARE); a statement that keeps session state is refused before it reaches the pooler.
function admit(input: QueryInput): QueryInput {
  const text = typeof input === 'string' ? input : input.text;
  if (keepsSessionState(text))
    throw new TesseraError(
      'CONFIG_INVALID',
      `A statement that keeps session state (${text.trim().split(/\s+/, 2).join(' ')} ...) cannot run through a transaction-mode pooler: its next transaction may get another server connection.`,
    );
  if (typeof input === 'string' || input.name === undefined) return input;
  return { ...input, name: undefined };
}

function guardClient(client: PgClient): PgClient {
  return {
    query: async (text, values) => client.query(admit(text) as string, values),
    release: (error) => client.release(error),
    on: (event: 'notification' | 'error' | 'end', listener: (...args: never[]) => void) =>
      client.on(event as 'error', listener as () => void),
    removeListener: (
      event: 'notification' | 'error' | 'end',
      listener: (...args: never[]) => void,
    ) => client.removeListener(event as 'error', listener as () => void),
  };
}

/**
 * Wraps a pool for a transaction-mode pooler: every statement, on the pool or on a connection taken
 * from it, goes out unnamed, and one that would keep session state is refused with CONFIG_INVALID.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const pool = forTransactionPooler(new pg.Pool({ connectionString: 'postgres://app@pgbouncer:6432/app' }));
 * ```
 */
export function forTransactionPooler(pool: PgPool): PgPool {
  return {
    query: async (text, values): Promise<PgQueryResult> =>
      pool.query(admit(text) as string, values),
    connect: async () => guardClient(await pool.connect()),
    end: () => pool.end(),
  };
}
