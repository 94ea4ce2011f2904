/**
 * Sessions and rotation on SQLite: login (with eviction beyond the per-user limit), the compare-and-swap
 * rotation, grace answers, and the reads. Each write is one `BEGIN IMMEDIATE` transaction.
 */
import type { RevocationReason } from '../vocabulary.js';
import {
  ROTATION_BUDGET_WINDOW_MS,
  readRotationBudget,
  sessionsKeptBesideNew,
} from '../query-inputs.js';
import { splitRefreshTokenJoin, type RefreshTokenJoinRow } from '../refresh-token-join.js';
import type {
  NewSession,
  RefreshTokenRow,
  Rotation,
  SessionRow,
  SessionStore,
  TokenRotation,
  TokenRotationResult,
} from '../session-store.js';
import type { SqliteScope, SqliteStatements } from './sqlite-driver.js';
import { insertEvent } from './sqlite-events.js';
import { revokeSessionRow } from './sqlite-revocations.js';

// Keyed by the row type, so a field added to SessionRow without a column fails the typecheck.
const SESSION_FIELDS: Readonly<Record<keyof SessionRow, string>> = {
  id: 'id',
  userId: 'user_id',
  clientId: 'client_id',
  transport: 'transport',
  claims: 'claims',
  createdAt: 'created_at',
  lastUsedAt: 'last_used_at',
  idleExpiresAt: 'idle_expires_at',
  absoluteExpiresAt: 'absolute_expires_at',
  userAgent: 'user_agent',
  ip: 'ip',
  generation: 'generation',
  rotatedAt: 'rotated_at',
  successorSealed: 'successor_sealed',
  graceCount: 'grace_count',
  revokedAt: 'revoked_at',
  revokedReason: 'revoked_reason',
  rotationWindowStart: 'rotation_window_start',
  rotationCount: 'rotation_count',
};
const SESSION_COLUMNS = Object.entries(SESSION_FIELDS)
  .map(([field, column]) => `s.${column} AS ${field}`)
  .join(', ');
// Built once: a template with a substitution is a new string on every call, which the statement cache
// would hash and compare in full each time.
const FIND_JOINED = `SELECT t.generation AS tokenGeneration, t.secret_hash AS tokenSecretHash, t.created_at AS tokenCreatedAt, ${SESSION_COLUMNS}
  FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.id = ?`;
const FIND_SESSION = `SELECT ${SESSION_COLUMNS} FROM sessions s WHERE id = ?`;
// The rotation budget of both swaps (Rotation.rotationsPerMinute): the window runs out, or has room.
const WINDOW_ENDED = `(rotation_window_start IS NULL OR rotation_window_start + ${ROTATION_BUDGET_WINDOW_MS} <= @rotatedAt)`;
const COUNT_ROTATION = `rotation_count = CASE WHEN ${WINDOW_ENDED} THEN 1 ELSE rotation_count + 1 END,
  rotation_window_start = CASE WHEN ${WINDOW_ENDED} THEN @rotatedAt ELSE rotation_window_start END`;
const WITHIN_BUDGET = `(@perMinute IS NULL OR ${WINDOW_ENDED} OR rotation_count < @perMinute)`;
const ROTATE = `UPDATE sessions SET generation = generation + 1, rotated_at = @rotatedAt, successor_sealed = @successorSealed, grace_count = 0,
    idle_expires_at = @idleExpiresAt, claims = @claims, last_used_at = max(last_used_at, @rotatedAt), ${COUNT_ROTATION}
  WHERE id = @sessionId AND generation = @expectedGeneration AND revoked_at IS NULL AND ${WITHIN_BUDGET}`;
const ROTATE_BY_TOKEN = `UPDATE sessions SET generation = generation + 1, rotated_at = @rotatedAt, successor_sealed = @successorSealed, grace_count = 0,
    idle_expires_at = min(@rotatedAt + @idleMs, absolute_expires_at), claims = @claims, last_used_at = max(last_used_at, @rotatedAt), ${COUNT_ROTATION}
  WHERE id = @sessionId AND generation = @tokenGeneration AND revoked_at IS NULL
    AND (@transport IS NULL OR transport = @transport)
    AND absolute_expires_at > @rotatedAt AND idle_expires_at > @rotatedAt AND ${WITHIN_BUDGET}`;
/** Why the store revokes sessions evicted by `maxSessionsPerUser`. */
const EVICTION_REASON: RevocationReason = 'session_limit';

function insertToken(sql: SqliteStatements, token: RefreshTokenRow): void {
  sql(
    'INSERT INTO refresh_tokens (id, session_id, generation, secret_hash, created_at) VALUES (@id, @sessionId, @generation, @secretHash, @createdAt)',
  ).run(token);
}

/** The sessions half of {@link SessionStore} that {@link createSqliteSessions} implements. */
export type SqliteSessionMethods = Pick<
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
 * db.transaction(() => insertSessionRows(sql, input)).immediate();
 * ```
 */
export function insertSessionRows(sql: SqliteStatements, input: NewSession): void {
  const { session, token } = input;
  sql(
    `INSERT INTO sessions (id, user_id, client_id, transport, claims, created_at, last_used_at, idle_expires_at, absolute_expires_at, user_agent, ip)
     VALUES (@id, @userId, @clientId, @transport, @claims, @createdAt, @lastUsedAt, @idleExpiresAt, @absoluteExpiresAt, @userAgent, @ip)`,
  ).run({ ...session, userAgent: session.userAgent ?? null, ip: session.ip ?? null });
  insertToken(sql, { ...token, sessionId: session.id, generation: 0 });
  if (input.event !== undefined) insertEvent(sql, input.event);
  if (input.maxSessionsPerUser === undefined) return;
  // The new session always stays; the others live at its creation instant are kept newest first.
  const keep = sessionsKeptBesideNew(input.maxSessionsPerUser);
  const evicted = sql(
    `SELECT id FROM sessions WHERE user_id = @userId AND id <> @id AND revoked_at IS NULL
       AND idle_expires_at > @createdAt AND absolute_expires_at > @createdAt
     ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET @keep`,
  ).all({ userId: session.userId, id: session.id, createdAt: session.createdAt, keep }) as {
    id: string;
  }[];
  for (const { id } of evicted) revokeSessionRow(sql, id, session.createdAt, EVICTION_REASON);
}

/**
 * Sessions and rotation for the SQLite store. Rotation and grace answers are conditional UPDATEs inside
 * `BEGIN IMMEDIATE`, which holds the write lock from the start, so the check and the swap cannot interleave
 * with another process's.
 *
 * @example
 * ```ts
 * const sessions = createSqliteSessions({ db, sql: createStatementCache(db) });
 * const found = await sessions.findSession('s1');
 * ```
 */
export function createSqliteSessions({ db, sql }: SqliteScope): SqliteSessionMethods {
  const createSession = db.transaction((input: NewSession): void => insertSessionRows(sql, input));

  const rotate = db.transaction((rotation: Rotation): boolean => {
    const { changes } = sql(ROTATE).run({
      sessionId: rotation.sessionId,
      expectedGeneration: rotation.expectedGeneration,
      rotatedAt: rotation.rotatedAt,
      successorSealed: rotation.successorSealed,
      idleExpiresAt: rotation.idleExpiresAt,
      claims: rotation.claims,
      perMinute: readRotationBudget(rotation.rotationsPerMinute),
    });
    if (changes !== 1) return false;
    insertToken(sql, {
      ...rotation.token,
      sessionId: rotation.sessionId,
      generation: rotation.expectedGeneration + 1,
    });
    if (rotation.event !== undefined) insertEvent(sql, rotation.event);
    return true;
  });

  const findJoined = (tokenId: string): RefreshTokenJoinRow | undefined =>
    sql(FIND_JOINED).get(tokenId) as RefreshTokenJoinRow | undefined;

  // The read and the swap under one write lock (BEGIN IMMEDIATE): nothing can change between them, so
  // a swap refused here is refused by a precondition, never by a race.
  const rotateByToken = db.transaction(
    (rotation: TokenRotation): TokenRotationResult | undefined => {
      const row = findJoined(rotation.tokenId);
      if (row === undefined) return undefined;
      const { token, session } = splitRefreshTokenJoin(rotation.tokenId, row);
      const generation = session.generation + 1;
      const { changes } =
        token.secretHash !== rotation.secretHash
          ? { changes: 0 }
          : sql(ROTATE_BY_TOKEN).run({
              sessionId: session.id,
              tokenGeneration: token.generation,
              transport: rotation.transport,
              rotatedAt: rotation.rotatedAt,
              idleMs: rotation.idleMs,
              successorSealed: rotation.successorSealed,
              claims: rotation.claims,
              perMinute: readRotationBudget(rotation.rotationsPerMinute),
            });
      if (changes !== 1) return { token, session, rotated: false };
      insertToken(sql, { ...rotation.token, sessionId: session.id, generation });
      if (rotation.event !== undefined)
        insertEvent(sql, {
          ...rotation.event,
          userId: session.userId,
          sessionId: session.id,
          detail: JSON.stringify({ generation }),
        });
      return { token, session, rotated: true };
    },
  );

  const takeGraceAnswer = db.transaction(
    (input: {
      sessionId: string;
      generation: number;
      max: number;
      usedAt: number;
    }): string | undefined => {
      const row = sql(
        `UPDATE sessions SET grace_count = grace_count + 1, last_used_at = max(last_used_at, @usedAt)
       WHERE id = @sessionId AND generation = @generation AND revoked_at IS NULL AND successor_sealed IS NOT NULL AND grace_count < @max
       RETURNING successor_sealed AS sealed`,
      ).get(input) as { sealed: string } | undefined;
      return row?.sealed;
    },
  );

  return {
    async createSession(input) {
      createSession.immediate(input);
    },
    async findSession(sessionId) {
      return sql(FIND_SESSION).get(sessionId) as SessionRow | undefined;
    },
    async findRefreshToken(tokenId) {
      // One statement, so the token and its session come from one snapshot.
      const row = findJoined(tokenId);
      return row === undefined ? undefined : splitRefreshTokenJoin(tokenId, row);
    },
    async rotate(rotation) {
      return rotate.immediate(rotation);
    },
    async rotateByToken(rotation) {
      return rotateByToken.immediate(rotation);
    },
    async takeGraceAnswer(input) {
      return takeGraceAnswer.immediate(input);
    },
    async listSessions(userId) {
      return sql(
        `SELECT ${SESSION_COLUMNS} FROM sessions s WHERE user_id = ? ORDER BY created_at DESC, id DESC`,
      ).all(userId) as SessionRow[];
    },
  };
}
