/**
 * The revocation feed on SQLite: revoking sessions and users, and the numbered records pollers read.
 * `seq` is AUTOINCREMENT and every write holds the one SQLite write lock, so `seq` order is commit order.
 */
import type { RevocationReason } from '../vocabulary.js';
import { readFeedCursor, readPageLimit } from '../query-inputs.js';
import {
  sessionRevocationColumns,
  toRevocationRecord,
  userRevocationColumns,
  type NewRevocationColumns,
  type RevocationColumns,
} from '../revocation-row.js';
import type { RevocationRecord, SessionStore } from '../session-store.js';
import type { SqliteScope, SqliteStatements } from './sqlite-driver.js';

const REVOCATION_COLUMNS =
  'seq, kind, session_id AS sessionId, user_id AS userId, revoked_before AS revokedBefore, except_session_id AS exceptSessionId, at';

function appendRevocation(sql: SqliteStatements, record: NewRevocationColumns): RevocationRecord {
  const row = sql(
    `INSERT INTO revocations (kind, session_id, user_id, revoked_before, except_session_id, at)
       VALUES (@kind, @sessionId, @userId, @revokedBefore, @exceptSessionId, @at) RETURNING ${REVOCATION_COLUMNS}`,
  ).get(record) as RevocationColumns;
  return toRevocationRecord(row);
}

/**
 * Revokes one live session and appends its feed record, inside the caller's transaction; undefined when
 * the session is unknown or already revoked. Exported for login, which evicts sessions over the limit.
 *
 * @example
 * ```ts
 * for (const { id } of evicted) revokeSessionRow(sql, id, session.createdAt, 'session_limit');
 * ```
 */
export function revokeSessionRow(
  sql: SqliteStatements,
  sessionId: string,
  at: number,
  reason: RevocationReason,
): RevocationRecord | undefined {
  const row = sql(
    `UPDATE sessions SET revoked_at = ?, revoked_reason = ?, successor_sealed = NULL WHERE id = ? AND revoked_at IS NULL RETURNING user_id AS userId`,
  ).get(at, reason, sessionId) as { userId: string } | undefined;
  if (row === undefined) return undefined;
  return appendRevocation(sql, sessionRevocationColumns({ sessionId, userId: row.userId, at }));
}

/** The revocation half of {@link SessionStore} that {@link createSqliteRevocations} implements. */
export type SqliteRevocationMethods = Pick<
  SessionStore,
  'revokeSession' | 'revokeUser' | 'listRevocations'
>;

/**
 * The revocation feed of the SQLite store: each revocation is one `BEGIN IMMEDIATE` transaction that
 * updates the sessions and appends the record together.
 *
 * @example
 * ```ts
 * const feed = createSqliteRevocations({ db, sql: createStatementCache(db) });
 * const records = await feed.listRevocations({ afterSeq: 0, limit: 100 });
 * ```
 */
export function createSqliteRevocations({ db, sql }: SqliteScope): SqliteRevocationMethods {
  const revokeSession = db.transaction(
    (input: { sessionId: string; at: number; reason: RevocationReason }) =>
      revokeSessionRow(sql, input.sessionId, input.at, input.reason),
  );

  const revokeUser = db.transaction(
    (input: {
      userId: string;
      at: number;
      reason: RevocationReason;
      exceptSessionId: string | null;
    }): RevocationRecord => {
      sql(
        `UPDATE sessions SET revoked_at = @at, revoked_reason = @reason, successor_sealed = NULL
       WHERE user_id = @userId AND revoked_at IS NULL AND id IS NOT @exceptSessionId`,
      ).run(input);
      return appendRevocation(sql, userRevocationColumns(input));
    },
  );

  return {
    async revokeSession(input) {
      return revokeSession.immediate(input);
    },
    async revokeUser(input) {
      return revokeUser.immediate(input);
    },
    async listRevocations(input) {
      const limit = readPageLimit(input.limit);
      if (limit === undefined) return [];
      const rows = sql(
        `SELECT ${REVOCATION_COLUMNS} FROM revocations WHERE seq > ? ORDER BY seq LIMIT ?`,
      ).all(readFeedCursor(input.afterSeq), limit) as RevocationColumns[];
      return rows.map(toRevocationRecord);
    },
  };
}
