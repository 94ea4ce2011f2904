/**
 * Named statements for the refresh hot path. node-postgres parses and plans a named statement once per
 * pooled connection and afterwards sends only its name and values (Bind/Execute), so a refresh costs the
 * server no parse and, once PostgreSQL settles on a generic plan, no planning: for the one-trip rotation
 * planning was about half of the statement's server time.
 */
import { createHash } from 'node:crypto';
import type { PgClient, PgPool, PgQueryResult } from './postgres-driver.js';

/** A statement with the name each connection prepares it under. */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

// node-postgres takes a query config wherever it takes text; the driver's structural types declare
// only the text form, so the config form is declared here, where it is used.
interface ConfigQueryable {
  query(config: { name: string; text: string; values: unknown[] }): Promise<PgQueryResult>;
}

/**
 * Names a statement by a label and a hash of its text: two stores on one pool with different schemas
 * (different texts) never share a name, and a name stays within PostgreSQL's 63 bytes.
 *
 * @example
 * ```ts
 * const find = prepareStatement('find_session', `SELECT id FROM ${s}.sessions WHERE id = $1`);
 * ```
 */
export function prepareStatement(label: string, text: string): PreparedStatement {
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return { name: `tessera_${label}_${digest}`, text };
}

/**
 * Runs a prepared statement and returns its rows as `T` (see `queryRows`).
 *
 * @example
 * ```ts
 * const [row] = await queryPrepared<{ id: string }>(pool, find, [sessionId]);
 * ```
 */
export async function queryPrepared<T>(
  client: PgClient | PgPool,
  statement: PreparedStatement,
  values: unknown[],
): Promise<T[]> {
  const { rows } = await (client as unknown as ConfigQueryable).query({
    name: statement.name,
    text: statement.text,
    values,
  });
  return rows as T[];
}
