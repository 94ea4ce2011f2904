/**
 * The audit events on SQLite, and sweeping: the retention pass that deletes what has outlived its use
 * (expired sessions with their tokens, expired reset tokens and tickets, old events and feed records) and forgets old IP addresses.
 */
import { readPageLimit } from '../query-inputs.js';
import type { AuditEvent, SessionStore, SweepPolicy } from '../session-store.js';
import { sweepOneTimeTokens } from './sqlite-accounts.js';
import type { SqliteScope, SqliteStatements } from './sqlite-driver.js';

/**
 * Inserts one audit event, inside the caller's transaction when there is one (login and rotation write
 * their event in the same commit as the change it describes).
 *
 * @example
 * ```ts
 * if (input.event !== undefined) insertEvent(sql, input.event);
 * ```
 */
export function insertEvent(sql: SqliteStatements, event: AuditEvent): void {
  sql(
    'INSERT INTO events (at, type, user_id, session_id, ip, detail) VALUES (@at, @type, @userId, @sessionId, @ip, @detail)',
  ).run({
    ...event,
    userId: event.userId ?? null,
    sessionId: event.sessionId ?? null,
    ip: event.ip ?? null,
  });
}

/** The events and sweeping half of {@link SessionStore} that {@link createSqliteEvents} implements. */
export type SqliteEventMethods = Pick<SessionStore, 'appendEvent' | 'listEvents' | 'sweep'>;

/**
 * Audit events and sweeping for the SQLite store. A sweep is one `BEGIN IMMEDIATE` transaction: SQLite
 * has one writer anyway, so splitting it would only add commits.
 *
 * @example
 * ```ts
 * const events = createSqliteEvents({ db, sql: createStatementCache(db) });
 * const latest = await events.listEvents({ userId: 'u1', limit: 20 });
 * ```
 */
export function createSqliteEvents({ db, sql }: SqliteScope): SqliteEventMethods {
  const sweep = db.transaction((policy: SweepPolicy) => {
    sql(
      'UPDATE sessions SET successor_sealed = NULL WHERE successor_sealed IS NOT NULL AND rotated_at < ?',
    ).run(policy.sealedBefore);
    const expired =
      'SELECT id FROM sessions WHERE idle_expires_at <= @now OR absolute_expires_at <= @now';
    const tokens = sql(`DELETE FROM refresh_tokens WHERE session_id IN (${expired})`).run({
      now: policy.now,
    }).changes;
    const sessions = sql(
      'DELETE FROM sessions WHERE idle_expires_at <= @now OR absolute_expires_at <= @now',
    ).run({ now: policy.now }).changes;
    const events = sql('DELETE FROM events WHERE at < ?').run(policy.retainAfter).changes;
    sql('DELETE FROM revocations WHERE at < ?').run(policy.retainAfter);
    sql('UPDATE sessions SET ip = NULL WHERE ip IS NOT NULL AND last_used_at < ?').run(
      policy.retainAfter,
    );
    const oneTimeTokens = sweepOneTimeTokens(sql, policy.now);
    return { sessions, tokens, events, oneTimeTokens };
  });

  return {
    async appendEvent(event) {
      insertEvent(sql, event);
    },
    async listEvents(input) {
      const limit = readPageLimit(input.limit);
      if (limit === undefined) return [];
      return sql(
        `SELECT at, type, user_id AS userId, session_id AS sessionId, ip, detail FROM events
         WHERE (@userId IS NULL OR user_id = @userId) AND (@sessionId IS NULL OR session_id = @sessionId)
         ORDER BY at DESC, id DESC LIMIT @limit`,
      ).all({
        userId: input.userId ?? null,
        sessionId: input.sessionId ?? null,
        limit,
      }) as AuditEvent[];
    },
    async sweep(policy) {
      return sweep.immediate(policy);
    },
  };
}
