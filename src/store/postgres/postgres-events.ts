/**
 * The audit events on PostgreSQL, and sweeping: the retention pass that deletes what has outlived its use
 * (expired sessions with their tokens, expired reset tokens and tickets, old events and feed records) and forgets old IP addresses.
 */
import { readPageLimit } from '../query-inputs.js';
import { sweepOneTimeTokensSql } from './postgres-accounts.js';
import type { AuditEvent, SessionStore } from '../session-store.js';
import {
  isStorableText,
  queryRows,
  retryOnDeadlock,
  type PgClient,
  type PgPool,
  type PgQueryResult,
  type PostgresScope,
} from './postgres-driver.js';

/**
 * Inserts one audit event, on the caller's transaction when given one (login writes its event in the same
 * commit as the session it describes).
 *
 * @example
 * ```ts
 * if (input.event !== undefined) await insertEvent(client, scope.quotedSchema, input.event);
 * ```
 */
export async function insertEvent(
  client: PgClient | PgPool,
  quotedSchema: string,
  event: AuditEvent,
): Promise<void> {
  await client.query(
    `INSERT INTO ${quotedSchema}.events (at, type, user_id, session_id, ip, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      event.at,
      event.type,
      event.userId ?? null,
      event.sessionId ?? null,
      event.ip ?? null,
      event.detail,
    ],
  );
}

/** The events and sweeping half of {@link SessionStore} that {@link createPostgresEvents} implements. */
export type PostgresEventMethods = Pick<SessionStore, 'appendEvent' | 'listEvents' | 'sweep'>;

/**
 * Audit events and sweeping for the PostgreSQL store.
 *
 * @example
 * ```ts
 * const events = createPostgresEvents({ pool, schemaName: 'public', quotedSchema: '"public"' });
 * const latest = await events.listEvents({ userId: 'u1', limit: 20 });
 * ```
 */
export function createPostgresEvents({
  pool,
  quotedSchema: s,
}: PostgresScope): PostgresEventMethods {
  return {
    async appendEvent(event) {
      await insertEvent(pool, s, event);
    },
    async listEvents(input) {
      const limit = readPageLimit(input.limit);
      if (
        limit === undefined ||
        ![input.userId, input.sessionId].every((id) => id === undefined || isStorableText(id))
      )
        return [];
      return queryRows<AuditEvent>(
        pool,
        `SELECT at::float8 AS at, type, user_id AS "userId", session_id AS "sessionId", ip, detail FROM ${s}.events
         WHERE ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR session_id = $2) ORDER BY at DESC, id DESC LIMIT $3`,
        [input.userId ?? null, input.sessionId ?? null, limit],
      );
    },
    async sweep(policy) {
      // Separate statements, not one transaction: each is idempotent and short, so sweeping never holds many
      // row locks for long; one that loses a deadlock to a concurrent revokeUser simply runs again.
      const run = (text: string, values: unknown[]): Promise<PgQueryResult> =>
        retryOnDeadlock(() => pool.query(text, values));
      await run(
        `UPDATE ${s}.sessions SET successor_sealed = NULL WHERE successor_sealed IS NOT NULL AND rotated_at < $1`,
        [policy.sealedBefore],
      );
      const {
        rows: [gone],
      } = await run(
        `WITH sessions AS (DELETE FROM ${s}.sessions WHERE idle_expires_at <= $1 OR absolute_expires_at <= $1 RETURNING id),
              tokens AS (DELETE FROM ${s}.refresh_tokens WHERE session_id IN (SELECT id FROM sessions) RETURNING 1)
         SELECT (SELECT count(*) FROM sessions)::int AS sessions, (SELECT count(*) FROM tokens)::int AS tokens`,
        [policy.now],
      );
      const events = await run(`DELETE FROM ${s}.events WHERE at < $1`, [policy.retainAfter]);
      await run(`DELETE FROM ${s}.revocations WHERE at < $1`, [policy.retainAfter]);
      await run(`UPDATE ${s}.sessions SET ip = NULL WHERE ip IS NOT NULL AND last_used_at < $1`, [
        policy.retainAfter,
      ]);
      const oneTimeTokens = await run(sweepOneTimeTokensSql(s), [policy.now]);
      const counts = gone as { sessions: number; tokens: number } | undefined;
      return {
        sessions: counts?.sessions ?? 0,
        tokens: counts?.tokens ?? 0,
        events: events.rowCount ?? 0,
        oneTimeTokens: oneTimeTokens.rowCount ?? 0,
      };
    },
  };
}
