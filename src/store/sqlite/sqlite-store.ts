import type { RevocationReason } from '../vocabulary.js';
import type { StoredKey } from '../../keys/key-store.js';
import type {
  AuditEvent,
  NewSession,
  RefreshTokenRow,
  RevocationRecord,
  Rotation,
  SessionRow,
  SessionStore,
} from '../session-store.js';
import type { AccountStore } from '../account-store.js';
import { toRevocationRecord, type RevocationColumns } from '../revocation-row.js';
import { createSqliteAccounts } from './sqlite-accounts.js';
import { SQLITE_MIGRATIONS } from './sqlite-schema.js';

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

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  readonly database: SqliteDatabase;
  /**
   * `NORMAL` (default) in WAL mode: every committed transaction survives a crash or kill -9 of the process,
   * because the WAL is in the OS page cache; a power loss or OS crash can lose the last transactions before
   * the next checkpoint (never corrupts the file). `FULL` fsyncs the WAL at every commit so those survive
   * too, at the cost of one fsync per rotation.
   */
  readonly synchronous?: 'NORMAL' | 'FULL';
}

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
};
const SESSION_COLUMNS = Object.entries(SESSION_FIELDS)
  .map(([field, column]) => `s.${column} AS ${field}`)
  .join(', ');
const KEY_COLUMNS =
  'kid, alg, created_at AS createdAt, activates_at AS activatesAt, retires_at AS retiresAt, sealed_key AS sealedKey';
const REVOCATION_COLUMNS =
  'seq, kind, session_id AS sessionId, user_id AS userId, revoked_before AS revokedBefore, except_session_id AS exceptSessionId, at';
/** Why the store revokes sessions evicted by `maxSessionsPerUser`. */
const EVICTION_REASON: RevocationReason = 'session_limit';

/**
 * A {@link SessionStore} on one SQLite file (better-sqlite3). The driver is synchronous and so is every
 * method inside; each write is one `BEGIN IMMEDIATE` transaction, which takes the write lock up front so
 * several processes on one file queue on `busy_timeout` instead of deadlocking on a read-to-write upgrade.
 * `close()` closes the database.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * const store = createSqliteStore({ database: new Database('tessera.db') });
 * await store.migrate();
 * ```
 */
export function createSqliteStore(options: SqliteStoreOptions): SessionStore & AccountStore {
  const db = options.database;
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);

  const cache = new Map<string, SqliteStatement>();
  // Statements are prepared on first use: before migrate() the tables they name may not exist yet.
  const sql = (source: string): SqliteStatement => {
    let statement = cache.get(source);
    if (statement === undefined) {
      statement = db.prepare(source);
      cache.set(source, statement);
    }
    return statement;
  };
  const findSession = (sessionId: string): SessionRow | undefined =>
    sql(`SELECT ${SESSION_COLUMNS} FROM sessions s WHERE id = ?`).get(sessionId) as
      SessionRow | undefined;
  const appendRevocation = (record: Omit<RevocationColumns, 'seq'>): RevocationRecord => {
    const row = sql(
      `INSERT INTO revocations (kind, session_id, user_id, revoked_before, except_session_id, at)
       VALUES (@kind, @sessionId, @userId, @revokedBefore, @exceptSessionId, @at) RETURNING ${REVOCATION_COLUMNS}`,
    ).get(record) as RevocationColumns;
    return toRevocationRecord(row);
  };
  const revokeOne = (
    sessionId: string,
    at: number,
    reason: string,
  ): RevocationRecord | undefined => {
    const row = sql(
      `UPDATE sessions SET revoked_at = ?, revoked_reason = ?, successor_sealed = NULL WHERE id = ? AND revoked_at IS NULL RETURNING user_id AS userId`,
    ).get(at, reason, sessionId) as { userId: string } | undefined;
    if (row === undefined) return undefined;
    return appendRevocation({
      kind: 'session',
      sessionId,
      userId: row.userId,
      revokedBefore: null,
      exceptSessionId: null,
      at,
    });
  };
  const insertToken = (token: RefreshTokenRow): void => {
    sql(
      'INSERT INTO refresh_tokens (id, session_id, generation, secret_hash, created_at) VALUES (@id, @sessionId, @generation, @secretHash, @createdAt)',
    ).run(token);
  };
  const loadKeys = (): StoredKey[] =>
    sql(`SELECT ${KEY_COLUMNS} FROM signing_keys ORDER BY created_at, kid`).all() as StoredKey[];
  const insertKeys = (keys: readonly StoredKey[]): void => {
    const insert = sql(
      'INSERT INTO signing_keys (kid, alg, created_at, activates_at, retires_at, sealed_key) VALUES (@kid, @alg, @createdAt, @activatesAt, @retiresAt, @sealedKey)',
    );
    for (const key of keys) insert.run({ ...key, retiresAt: key.retiresAt ?? null });
  };

  const migrate = db.transaction((): void => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT max(version) AS version FROM schema_version').get() as {
      version: number | null;
    };
    for (let version = row.version ?? 0; version < SQLITE_MIGRATIONS.length; version += 1) {
      db.exec(SQLITE_MIGRATIONS[version] ?? '');
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(version + 1);
    }
  });

  const insertEvent = (event: AuditEvent): void => {
    sql(
      'INSERT INTO events (at, type, user_id, session_id, ip, detail) VALUES (@at, @type, @userId, @sessionId, @ip, @detail)',
    ).run({
      ...event,
      userId: event.userId ?? null,
      sessionId: event.sessionId ?? null,
      ip: event.ip ?? null,
    });
  };

  const createSession = db.transaction((input: NewSession): void => {
    const { session, token } = input;
    sql(
      `INSERT INTO sessions (id, user_id, client_id, transport, claims, created_at, last_used_at, idle_expires_at, absolute_expires_at, user_agent, ip)
       VALUES (@id, @userId, @clientId, @transport, @claims, @createdAt, @lastUsedAt, @idleExpiresAt, @absoluteExpiresAt, @userAgent, @ip)`,
    ).run({ ...session, userAgent: session.userAgent ?? null, ip: session.ip ?? null });
    insertToken({ ...token, sessionId: session.id, generation: 0 });
    if (input.event !== undefined) insertEvent(input.event);
    if (input.maxSessionsPerUser === undefined) return;
    // The new session always stays; the others live at its creation instant are kept newest first.
    const keep = Math.max(0, Math.floor(input.maxSessionsPerUser) - 1);
    const evicted = sql(
      `SELECT id FROM sessions WHERE user_id = @userId AND id <> @id AND revoked_at IS NULL
         AND idle_expires_at > @createdAt AND absolute_expires_at > @createdAt
       ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET @keep`,
    ).all({ userId: session.userId, id: session.id, createdAt: session.createdAt, keep }) as {
      id: string;
    }[];
    for (const { id } of evicted) revokeOne(id, session.createdAt, EVICTION_REASON);
  });

  const rotate = db.transaction((rotation: Rotation): boolean => {
    const { changes } = sql(
      `UPDATE sessions SET generation = generation + 1, rotated_at = @rotatedAt, successor_sealed = @successorSealed, grace_count = 0,
         idle_expires_at = @idleExpiresAt, claims = @claims, last_used_at = max(last_used_at, @rotatedAt)
       WHERE id = @sessionId AND generation = @expectedGeneration AND revoked_at IS NULL`,
    ).run({
      sessionId: rotation.sessionId,
      expectedGeneration: rotation.expectedGeneration,
      rotatedAt: rotation.rotatedAt,
      successorSealed: rotation.successorSealed,
      idleExpiresAt: rotation.idleExpiresAt,
      claims: rotation.claims,
    });
    if (changes !== 1) return false;
    insertToken({
      ...rotation.token,
      sessionId: rotation.sessionId,
      generation: rotation.expectedGeneration + 1,
    });
    if (rotation.event !== undefined) insertEvent(rotation.event);
    return true;
  });

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

  const revokeSession = db.transaction((input: { sessionId: string; at: number; reason: string }) =>
    revokeOne(input.sessionId, input.at, input.reason),
  );

  const revokeUser = db.transaction(
    (input: {
      userId: string;
      at: number;
      reason: string;
      exceptSessionId: string | null;
    }): RevocationRecord => {
      sql(
        `UPDATE sessions SET revoked_at = @at, revoked_reason = @reason, successor_sealed = NULL
       WHERE user_id = @userId AND revoked_at IS NULL AND id IS NOT @exceptSessionId`,
      ).run(input);
      return appendRevocation({
        kind: 'user',
        sessionId: null,
        userId: input.userId,
        revokedBefore: input.at,
        exceptSessionId: input.exceptSessionId,
        at: input.at,
      });
    },
  );

  const sweep = db.transaction(
    (policy: { now: number; sealedBefore: number; retainAfter: number }) => {
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
      return { sessions, tokens, events };
    },
  );

  const saveKeys = db.transaction((keys: readonly StoredKey[]): void => {
    sql('DELETE FROM signing_keys').run();
    insertKeys(keys);
  });
  const initKeys = db.transaction((keys: readonly StoredKey[]): StoredKey[] => {
    const { count } = sql('SELECT count(*) AS count FROM signing_keys').get() as { count: number };
    if (count === 0) insertKeys(keys);
    return loadKeys();
  });

  return {
    ...createSqliteAccounts(sql),
    async migrate() {
      migrate.immediate();
    },
    async createSession(input) {
      createSession.immediate(input);
    },
    async findSession(sessionId) {
      return findSession(sessionId);
    },
    async findRefreshToken(tokenId) {
      // One statement, so the token and its session come from one snapshot.
      const row = sql(
        `SELECT t.generation AS tokenGeneration, t.secret_hash AS tokenSecretHash, t.created_at AS tokenCreatedAt, ${SESSION_COLUMNS}
         FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.id = ?`,
      ).get(tokenId) as
        | (SessionRow & {
            tokenGeneration: number;
            tokenSecretHash: string;
            tokenCreatedAt: number;
          })
        | undefined;
      if (row === undefined) return undefined;
      const { tokenGeneration, tokenSecretHash, tokenCreatedAt, ...session } = row;
      return {
        token: {
          id: tokenId,
          sessionId: session.id,
          generation: tokenGeneration,
          secretHash: tokenSecretHash,
          createdAt: tokenCreatedAt,
        },
        session,
      };
    },
    async rotate(rotation) {
      return rotate.immediate(rotation);
    },
    async takeGraceAnswer(input) {
      return takeGraceAnswer.immediate(input);
    },
    async revokeSession(input) {
      return revokeSession.immediate(input);
    },
    async revokeUser(input) {
      return revokeUser.immediate(input);
    },
    async listSessions(userId) {
      return sql(
        `SELECT ${SESSION_COLUMNS} FROM sessions s WHERE user_id = ? ORDER BY created_at DESC, id DESC`,
      ).all(userId) as SessionRow[];
    },
    async listRevocations(input) {
      const limit = Math.floor(input.limit);
      if (!(limit > 0)) return [];
      const rows = sql(
        `SELECT ${REVOCATION_COLUMNS} FROM revocations WHERE seq > ? ORDER BY seq LIMIT ?`,
      ).all(Number.isFinite(input.afterSeq) ? input.afterSeq : 0, limit) as RevocationColumns[];
      return rows.map(toRevocationRecord);
    },
    async appendEvent(event) {
      insertEvent(event);
    },
    async listEvents(input) {
      const limit = Math.floor(input.limit);
      if (!(limit > 0)) return [];
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
    async loadKeys() {
      return loadKeys();
    },
    async saveKeys(keys) {
      saveKeys.immediate(keys);
    },
    async initKeys(keys) {
      return initKeys.immediate(keys);
    },
    async close() {
      db.close();
    },
  };
}
