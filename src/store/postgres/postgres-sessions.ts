/**
 * Sessions and rotation on PostgreSQL: login (with eviction beyond the per-user limit), the compare-and-swap
 * rotation, grace answers, and the reads. Rotation and grace answers are single conditional statements:
 * the row lock plus the re-check READ COMMITTED does after a concurrent winner commits.
 */
import type { RevocationReason } from '../vocabulary.js';
import { readRotationBudget, sessionsKeptBesideNew } from '../query-inputs.js';
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
import { queryPrepared, type PreparedStatement } from './postgres-prepared.js';
import { SESSION_COLUMNS, refreshStatements } from './postgres-refresh-statements.js';
import { lockFeed, revokeSessionRows } from './postgres-revocations.js';

/** Why the store revokes sessions evicted by `maxSessionsPerUser`. */
const EVICTION_REASON: RevocationReason = 'session_limit';
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
        readRotationBudget(rotation.rotationsPerMinute),
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
    readRotationBudget(rotation.rotationsPerMinute),
  ]);
  if (row === undefined) return undefined;
  const { rotated, ...joined } = row;
  return { ...splitRefreshTokenJoin(rotation.tokenId, joined), rotated: rotated === 1 };
}
