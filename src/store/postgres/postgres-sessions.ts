/**
 * Sessions and rotation on PostgreSQL: login (with eviction beyond the per-user limit), the compare-and-swap
 * rotation, grace answers, and the reads. Rotation and grace answers are single conditional statements:
 * the row lock plus the re-check READ COMMITTED does after a concurrent winner commits.
 */
import type { RevocationReason } from '../vocabulary.js';
import { sessionsKeptBesideNew } from '../query-inputs.js';
import { splitRefreshTokenJoin, type RefreshTokenJoinRow } from '../refresh-token-join.js';
import type {
  NewSession,
  SessionRow,
  SessionStore,
  TokenRotation,
  TokenRotationResult,
} from '../session-store.js';
import {
  LOCK_CLASS,
  isStorableText,
  queryRows,
  runTransaction,
  type PgClient,
  type PgPool,
  type PostgresScope,
} from './postgres-driver.js';
import { insertEvent } from './postgres-events.js';
import { prepareStatement, queryPrepared, type PreparedStatement } from './postgres-prepared.js';
import { lockFeed, revokeSessionRows } from './postgres-revocations.js';

/** Why the store revokes sessions evicted by `maxSessionsPerUser`. */
const EVICTION_REASON: RevocationReason = 'session_limit';
// bigint columns come back from node-postgres as strings; float8 comes back as a number and holds epoch ms exactly.
const SESSION_COLUMNS = `s.id, s.user_id AS "userId", s.client_id AS "clientId", s.transport, s.claims, s.created_at::float8 AS "createdAt",
  s.last_used_at::float8 AS "lastUsedAt", s.idle_expires_at::float8 AS "idleExpiresAt", s.absolute_expires_at::float8 AS "absoluteExpiresAt",
  s.user_agent AS "userAgent", s.ip, s.generation, s.rotated_at::float8 AS "rotatedAt", s.successor_sealed AS "successorSealed",
  s.grace_count AS "graceCount", s.revoked_at::float8 AS "revokedAt", s.revoked_reason AS "revokedReason"`;

/** The sessions half of {@link SessionStore} that {@link createPostgresSessions} implements. */
export type PostgresSessionMethods = Pick<
  SessionStore,
  | 'createSession'
  | 'findSession'
  | 'findRefreshToken'
  | 'rotate'
  | 'takeGraceAnswer'
  | 'listSessions'
> &
  Required<Pick<SessionStore, 'rotateByToken'>>;

/**
 * Writes a new session, its first refresh token, its event and the evictions beyond the per-user limit,
 * inside the caller's transaction (login's own, or a legacy exchange's together with its key).
 *
 * @example
 * ```ts
 * await runTransaction(pool, (client) => insertSessionRows(client, scope, input));
 * ```
 */
export async function insertSessionRows(
  client: PgClient,
  scope: PostgresScope,
  input: NewSession,
): Promise<void> {
  const { schemaName, quotedSchema: s } = scope;
  const { session, token } = input;
  // Two logins of one user at once would each miss the other's uncommitted session and both keep too many.
  if (input.maxSessionsPerUser !== undefined)
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
      LOCK_CLASS.user,
      `${schemaName}:${session.userId}`,
    ]);
  await client.query(
    `INSERT INTO ${s}.sessions (id, user_id, client_id, transport, claims, created_at, last_used_at, idle_expires_at, absolute_expires_at, user_agent, ip)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      session.id,
      session.userId,
      session.clientId,
      session.transport,
      session.claims,
      session.createdAt,
      session.lastUsedAt,
      session.idleExpiresAt,
      session.absoluteExpiresAt,
      session.userAgent ?? null,
      session.ip ?? null,
    ],
  );
  await client.query(
    `INSERT INTO ${s}.refresh_tokens (id, session_id, generation, secret_hash, created_at) VALUES ($1, $2, 0, $3, $4)`,
    [token.id, session.id, token.secretHash, token.createdAt],
  );
  if (input.event !== undefined) await insertEvent(client, s, input.event);
  if (input.maxSessionsPerUser === undefined) return;
  // The new session always stays; the others live at its creation instant are kept newest first.
  const keep = sessionsKeptBesideNew(input.maxSessionsPerUser);
  const evicted = await queryRows<{ id: string }>(
    client,
    `SELECT id FROM ${s}.sessions WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL AND idle_expires_at > $3 AND absolute_expires_at > $3
     ORDER BY created_at DESC, id DESC OFFSET $4`,
    [session.userId, session.id, session.createdAt, keep],
  );
  if (evicted.length === 0) return;
  await lockFeed(client, schemaName);
  await revokeSessionRows(
    client,
    scope,
    evicted.map((row) => row.id),
    session.createdAt,
    EVICTION_REASON,
  );
}

/**
 * Sessions and rotation for the PostgreSQL store.
 *
 * @example
 * ```ts
 * const sessions = createPostgresSessions({ pool, schemaName: 'public', quotedSchema: '"public"' });
 * const found = await sessions.findSession('s1');
 * ```
 */
export function createPostgresSessions(scope: PostgresScope): PostgresSessionMethods {
  const { pool, quotedSchema: s } = scope;
  const sql = refreshStatements(s);
  return {
    async createSession(input) {
      await runTransaction(pool, (client) => insertSessionRows(client, scope, input));
    },
    async findSession(sessionId) {
      if (!isStorableText(sessionId)) return undefined;
      const [row] = await queryPrepared<SessionRow>(pool, sql.findSession, [sessionId]);
      return row;
    },
    async findRefreshToken(tokenId) {
      if (!isStorableText(tokenId)) return undefined;
      const [row] = await queryPrepared<RefreshTokenJoinRow>(pool, sql.findRefreshToken, [tokenId]);
      return row === undefined ? undefined : splitRefreshTokenJoin(tokenId, row);
    },
    async rotate(rotation) {
      if (!isStorableText(rotation.sessionId) || !Number.isSafeInteger(rotation.expectedGeneration))
        return false;
      const event = rotation.event;
      const [row] = await queryPrepared<{ rotated: number }>(pool, sql.rotate, [
        rotation.sessionId,
        rotation.expectedGeneration,
        rotation.rotatedAt,
        rotation.successorSealed,
        rotation.idleExpiresAt,
        rotation.claims,
        rotation.token.id,
        rotation.token.secretHash,
        rotation.token.createdAt,
        event?.at ?? null,
        event?.type ?? null,
        event?.userId ?? null,
        event?.sessionId ?? null,
        event?.ip ?? null,
        event?.detail ?? null,
      ]);
      return row?.rotated === 1;
    },
    async rotateByToken(rotation) {
      return rotateByToken(pool, sql.rotateByToken, rotation);
    },
    async takeGraceAnswer(input) {
      if (
        !isStorableText(input.sessionId) ||
        !Number.isSafeInteger(input.generation) ||
        !Number.isSafeInteger(input.max)
      )
        return undefined;
      const [row] = await queryPrepared<{ sealed: string }>(pool, sql.takeGraceAnswer, [
        input.sessionId,
        input.generation,
        input.max,
        input.usedAt,
      ]);
      return row?.sealed;
    },
    async listSessions(userId) {
      if (!isStorableText(userId)) return [];
      return queryRows<SessionRow>(
        pool,
        `SELECT ${SESSION_COLUMNS} FROM ${s}.sessions s WHERE s.user_id = $1 ORDER BY s.created_at DESC, s.id DESC`,
        [userId],
      );
    },
  };
}

// Answers the one-trip rotation of the token; see the statement in refreshStatements.
async function rotateByToken(
  pool: PgPool,
  statement: PreparedStatement,
  rotation: TokenRotation,
): Promise<TokenRotationResult | undefined> {
  if (!isStorableText(rotation.tokenId, rotation.secretHash)) return undefined;
  const event = rotation.event;
  const [row] = await queryPrepared<RefreshTokenJoinRow & { rotated: number }>(pool, statement, [
    rotation.tokenId,
    rotation.secretHash,
    rotation.transport,
    rotation.rotatedAt,
    rotation.idleMs,
    rotation.successorSealed,
    rotation.claims,
    rotation.token.id,
    rotation.token.secretHash,
    rotation.token.createdAt,
    event?.at ?? null,
    event?.type ?? null,
    event?.ip ?? null,
  ]);
  if (row === undefined) return undefined;
  const { rotated, ...joined } = row;
  return { ...splitRefreshTokenJoin(rotation.tokenId, joined), rotated: rotated === 1 };
}

/** The statements of a refresh, named once per store (see postgres-prepared.ts). */
function refreshStatements(
  s: string,
): Readonly<
  Record<
    'findSession' | 'findRefreshToken' | 'rotate' | 'rotateByToken' | 'takeGraceAnswer',
    PreparedStatement
  >
> {
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
             idle_expires_at = $5, claims = $6, last_used_at = greatest(last_used_at, $3)
           WHERE id = $1 AND generation = $2 AND revoked_at IS NULL RETURNING id, generation),
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
         idle_expires_at = least($4::bigint + $5::bigint, u.absolute_expires_at), claims = $7, last_used_at = greatest(u.last_used_at, $4)
       FROM found f
       WHERE u.id = f.id AND u.generation = f."tokenGeneration" AND f."tokenSecretHash" = $2 AND u.revoked_at IS NULL
         AND ($3::text IS NULL OR u.transport = $3) AND u.absolute_expires_at > $4 AND u.idle_expires_at > $4
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
