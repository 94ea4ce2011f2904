/**
 * The SQLite dialect's whole contact surface with its driver: structural types for the few better-sqlite3
 * members the store calls, so the core never imports the driver (an optional peer dependency), and the
 * small scope every part of the store works on. Every other SQLite module imports its types from here.
 */

/** The subset of a better-sqlite3 statement the store uses. */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/**
 * The subset of better-sqlite3's `Database` the store uses, declared here so the core never imports the driver.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * const database: SqliteDatabase = new Database('tessera.db');
 * ```
 */
export interface SqliteDatabase {
  prepare(source: string): SqliteStatement;
  exec(source: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): { immediate(...args: A): R };
  close(): unknown;
}

/** Looks up the prepared statement for a SQL text, preparing it the first time it is asked for. */
export type SqliteStatements = (source: string) => SqliteStatement;

/** What each part of the SQLite store (sessions, feed, events, keys) works on: one connection, one cache. */
export interface SqliteScope {
  readonly db: SqliteDatabase;
  readonly sql: SqliteStatements;
}

/**
 * A statement cache over `db`. Statements are prepared on first use, not up front: before `migrate()`
 * the tables they name may not exist yet.
 *
 * @example
 * ```ts
 * const sql = createStatementCache(db);
 * sql('SELECT count(*) AS count FROM sessions').get();
 * ```
 */
export function createStatementCache(db: SqliteDatabase): SqliteStatements {
  const cache = new Map<string, SqliteStatement>();
  return (source) => {
    let statement = cache.get(source);
    if (statement === undefined) {
      statement = db.prepare(source);
      cache.set(source, statement);
    }
    return statement;
  };
}
