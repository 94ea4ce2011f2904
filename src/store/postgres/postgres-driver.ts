/** One result of a query: rows as the driver parsed them. */
export interface PgQueryResult {
  readonly rows: unknown[];
  readonly rowCount: number | null;
}

/** A LISTEN/NOTIFY message as node-postgres delivers it. */
export interface PgNotification {
  readonly channel: string;
  readonly payload?: string | undefined;
}

/** The subset of a node-postgres `PoolClient` the store uses. */
export interface PgClient {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
  /** With an error, the pool destroys the connection instead of reusing it. */
  release(error?: Error | boolean): void;
  on(event: 'notification', listener: (message: PgNotification) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  removeListener(event: 'notification', listener: (message: PgNotification) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'end', listener: () => void): unknown;
}

/**
 * The subset of node-postgres' `Pool` the store uses, declared here so the core never imports the driver.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const pool: PgPool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * ```
 */
export interface PgPool {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
  connect(): Promise<PgClient>;
  end(): Promise<void>;
}

/**
 * What each part of the PostgreSQL store (sessions, feed, events, keys) works on: the pool and its schema,
 * by name (advisory-lock keys and NOTIFY payloads) and quoted (inside SQL text).
 */
export interface PostgresScope {
  readonly pool: PgPool;
  readonly schemaName: string;
  /** `schemaName` checked and double-quoted by {@link quoteSchema}, safe to splice into SQL text. */
  readonly quotedSchema: string;
}

/**
 * Runs one query and returns its rows as `T`: node-postgres types rows as unknown, and every caller
 * aliases its columns to the fields of `T`.
 *
 * @example
 * ```ts
 * const [row] = await queryRows<{ count: number }>(pool, 'SELECT count(*)::int AS count FROM t', []);
 * ```
 */
export async function queryRows<T>(
  client: PgClient | PgPool,
  text: string,
  values: unknown[],
): Promise<T[]> {
  return (await client.query(text, values)).rows as T[];
}

/**
 * Tells whether every value can be a text parameter. PostgreSQL text cannot hold NUL, so an id with one
 * names nothing: the store answers "not found" early instead of surfacing the driver's error.
 *
 * @example
 * ```ts
 * if (!isStorableText(sessionId)) return undefined;
 * ```
 */
export function isStorableText(...values: string[]): boolean {
  return values.every((value) => !value.includes('\u0000'));
}

/** Advisory lock classes (first key of the two-key form); the second key is a hash of schema and subject. */
export const LOCK_CLASS = {
  migrate: 0x7e55_0001,
  feed: 0x7e55_0002,
  user: 0x7e55_0003,
  ticket: 0x7e55_0004,
} as const;

const DEADLOCK_DETECTED = '40P01';

/**
 * Runs `work` again (twice at most) when PostgreSQL aborted it as a deadlock victim: the victim's work was
 * rolled back, so running it again is safe, and the caller never sees a driver error for a lost race.
 *
 * @example
 * ```ts
 * const deleted = await retryOnDeadlock(() => pool.query('DELETE FROM events WHERE at < $1', [cutoff]));
 * ```
 */
export async function retryOnDeadlock<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= 3 || (error as { code?: unknown }).code !== DEADLOCK_DETECTED) throw error;
    }
  }
}

/**
 * Runs `work` in one transaction on one pooled connection, again when it lost a deadlock.
 *
 * @example
 * ```ts
 * const record = await runTransaction(pool, async (client) => (await client.query('UPDATE ...')).rows[0]);
 * ```
 */
export function runTransaction<T>(
  pool: PgPool,
  work: (client: PgClient) => Promise<T>,
): Promise<T> {
  return retryOnDeadlock(async () => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error('ROLLBACK failed');
      });
      throw error;
    } finally {
      client.release(broken);
    }
  });
}

/**
 * Quotes a schema name after checking it is a plain identifier, the only kind the store accepts.
 *
 * @example
 * ```ts
 * quoteSchema('tessera_test_1'); // '"tessera_test_1"'
 * ```
 */
export function quoteSchema(schema: string): string | undefined {
  return /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema) ? `"${schema}"` : undefined;
}
