/**
 * The SQL of a refresh on PostgreSQL: the session reads, the two compare-and-swap rotations with the
 * session's rotation budget in their WHERE clause, and the counted grace answer.
 */
import { ROTATION_BUDGET_WINDOW_MS } from '../query-inputs.js';
import { prepareStatement, type PreparedStatement } from './postgres-prepared.js';

/**
 * The session columns of every read, named as the fields of `SessionRow`. bigint columns come back
 * from node-postgres as strings; float8 comes back as a number and holds epoch ms exactly.
 *
 * @example
 * ```ts
 * const text = `SELECT ${SESSION_COLUMNS} FROM "public".sessions s WHERE s.id = $1`;
 * ```
 */
export const SESSION_COLUMNS = `s.id, s.user_id AS "userId", s.client_id AS "clientId", s.transport, s.claims, s.created_at::float8 AS "createdAt",
  s.last_used_at::float8 AS "lastUsedAt", s.idle_expires_at::float8 AS "idleExpiresAt", s.absolute_expires_at::float8 AS "absoluteExpiresAt",
  s.user_agent AS "userAgent", s.ip, s.generation, s.rotated_at::float8 AS "rotatedAt", s.successor_sealed AS "successorSealed",
  s.grace_count AS "graceCount", s.revoked_at::float8 AS "revokedAt", s.revoked_reason AS "revokedReason",
  s.rotation_window_start::float8 AS "rotationWindowStart", s.rotation_count AS "rotationCount"`;

/**
 * The rotation budget of a swap on the row `row` at `rotatedAt` (Rotation.rotationsPerMinute): the SET
 * that counts the rotation in its window, and the WHERE that needs the window run out or with room.
 */
function rotationBudget(
  row: string,
  rotatedAt: string,
  perMinute: string,
): Record<'count' | 'within', string> {
  const ended = `(${row}.rotation_window_start IS NULL OR ${row}.rotation_window_start + ${ROTATION_BUDGET_WINDOW_MS} <= ${rotatedAt}::bigint)`;
  return {
    count: `rotation_count = CASE WHEN ${ended} THEN 1 ELSE ${row}.rotation_count + 1 END,
      rotation_window_start = CASE WHEN ${ended} THEN ${rotatedAt}::bigint ELSE ${row}.rotation_window_start END`,
    within: `(${perMinute}::int IS NULL OR ${ended} OR ${row}.rotation_count < ${perMinute}::int)`,
  };
}

/**
 * The statements of a refresh, named once per store (see postgres-prepared.ts).
 *
 * @example
 * ```ts
 * const sql = refreshStatements('"public"');
 * const [row] = await queryPrepared(pool, sql.findSession, [sessionId]);
 * ```
 */
export function refreshStatements(
  s: string,
): Readonly<
  Record<
    'findSession' | 'findRefreshToken' | 'rotate' | 'rotateByToken' | 'takeGraceAnswer',
    PreparedStatement
  >
> {
  const byGeneration = rotationBudget(`${s}.sessions`, '$3', '$16');
  const byToken = rotationBudget('u', '$4', '$14');
  return {
    findSession: prepareStatement(
      'find_session',
      `SELECT ${SESSION_COLUMNS} FROM ${s}.sessions s WHERE s.id = $1`,
    ),
    findRefreshToken: prepareStatement(
      'find_refresh_token',
      `SELECT t.generation AS "tokenGeneration", t.secret_hash AS "tokenSecretHash", t.created_at::float8 AS "tokenCreatedAt", ${SESSION_COLUMNS}
       FROM ${s}.refresh_tokens t JOIN ${s}.sessions s ON s.id = t.session_id WHERE t.id = $1`,
    ),
    // One statement, one commit: the conditional UPDATE takes the row lock and, under READ COMMITTED,
    // re-checks the generation after a concurrent winner commits; the token and the audit event are
    // inserted only when the UPDATE matched (data-modifying CTEs always run to completion).
    rotate: prepareStatement(
      'rotate',
      `WITH rotated AS (
           UPDATE ${s}.sessions SET generation = generation + 1, rotated_at = $3, successor_sealed = $4, grace_count = 0,
             idle_expires_at = $5, claims = $6, last_used_at = greatest(last_used_at, $3), ${byGeneration.count}
           WHERE id = $1 AND generation = $2 AND revoked_at IS NULL AND ${byGeneration.within} RETURNING id, generation),
         token AS (
           INSERT INTO ${s}.refresh_tokens (id, session_id, generation, secret_hash, created_at)
           SELECT $7, id, generation, $8, $9 FROM rotated RETURNING 1),
         event AS (
           INSERT INTO ${s}.events (at, type, user_id, session_id, ip, detail)
           SELECT $10::bigint, $11::text, $12::text, $13::text, $14::text, $15::text FROM rotated WHERE $11::text IS NOT NULL RETURNING 1)
         SELECT (SELECT count(*) FROM token)::int AS rotated`,
    ),
    // The lookup and the swap as one statement, one commit. `found` reads the token and its session;
    // the UPDATE swaps only when the rotate decision's preconditions hold on that row, and, under READ
    // COMMITTED, re-checks them on the newest version after a concurrent winner commits (the row lock),
    // so a lost race changes nothing and `found` (then stale) is handed back for the caller to re-read.
    rotateByToken: prepareStatement(
      'rotate_by_token',
      `WITH found AS (
       SELECT t.generation AS "tokenGeneration", t.secret_hash AS "tokenSecretHash", t.created_at::float8 AS "tokenCreatedAt", ${SESSION_COLUMNS}
       FROM ${s}.refresh_tokens t JOIN ${s}.sessions s ON s.id = t.session_id WHERE t.id = $1),
     rotated AS (
       UPDATE ${s}.sessions u SET generation = u.generation + 1, rotated_at = $4::bigint, successor_sealed = $6, grace_count = 0,
         idle_expires_at = least($4::bigint + $5::bigint, u.absolute_expires_at), claims = $7, last_used_at = greatest(u.last_used_at, $4),
         ${byToken.count}
       FROM found f
       WHERE u.id = f.id AND u.generation = f."tokenGeneration" AND f."tokenSecretHash" = $2 AND u.revoked_at IS NULL
         AND ($3::text IS NULL OR u.transport = $3) AND u.absolute_expires_at > $4 AND u.idle_expires_at > $4
         AND ${byToken.within}
       RETURNING u.id, u.user_id, u.generation),
     token AS (
       INSERT INTO ${s}.refresh_tokens (id, session_id, generation, secret_hash, created_at)
       SELECT $8, id, generation, $9, $10 FROM rotated RETURNING 1),
     event AS (
       INSERT INTO ${s}.events (at, type, user_id, session_id, ip, detail)
       SELECT $11::bigint, $12::text, user_id, id, $13::text, '{"generation":' || generation || '}'
       FROM rotated WHERE $12::text IS NOT NULL RETURNING 1)
     SELECT found.*, (SELECT count(*) FROM token)::int AS rotated FROM found`,
    ),
    takeGraceAnswer: prepareStatement(
      'take_grace_answer',
      `UPDATE ${s}.sessions SET grace_count = grace_count + 1, last_used_at = greatest(last_used_at, $4)
       WHERE id = $1 AND generation = $2 AND revoked_at IS NULL AND successor_sealed IS NOT NULL AND grace_count < $3
       RETURNING successor_sealed AS sealed`,
    ),
  };
}
