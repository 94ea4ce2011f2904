import type { RevocationReason } from '../vocabulary.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { StoredKey } from '../../keys/key-store.js';
import type {
  AuditEvent,
  RefreshTokenRow,
  RevocationRecord,
  SessionRow,
  SessionStore,
} from '../session-store.js';
import {
  LOCK_CLASS,
  quoteSchema,
  retryOnDeadlock,
  runTransaction,
  type PgClient,
  type PgPool,
  type PgQueryResult,
} from './postgres-driver.js';
import type { AccountStore } from '../account-store.js';
import { toRevocationRecord, type RevocationColumns } from '../revocation-row.js';
import { createPostgresAccounts } from './postgres-accounts.js';
import { listenForRevocations } from './postgres-listen.js';
import { POSTGRES_MIGRATIONS } from './postgres-schema.js';

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions {
  readonly pool: PgPool;
  /** Schema holding the tables, created by `migrate()` when missing. Default `public`. */
  readonly schema?: string;
}

/** The channel `onRevocation` listens on; the payload is the schema, so stores in other schemas ignore it. */
const CHANNEL = 'tessera_revocations';
const EVICTION_REASON: RevocationReason = 'session_limit';
// bigint columns come back from node-postgres as strings; float8 comes back as a number and holds epoch ms exactly.
const SESSION_COLUMNS = `s.id, s.user_id AS "userId", s.client_id AS "clientId", s.transport, s.claims, s.created_at::float8 AS "createdAt",
  s.last_used_at::float8 AS "lastUsedAt", s.idle_expires_at::float8 AS "idleExpiresAt", s.absolute_expires_at::float8 AS "absoluteExpiresAt",
  s.user_agent AS "userAgent", s.ip, s.generation, s.rotated_at::float8 AS "rotatedAt", s.successor_sealed AS "successorSealed",
  s.grace_count AS "graceCount", s.revoked_at::float8 AS "revokedAt", s.revoked_reason AS "revokedReason"`;
const REVOCATION_COLUMNS = `seq::float8 AS seq, kind, session_id AS "sessionId", user_id AS "userId", revoked_before::float8 AS "revokedBefore",
  except_session_id AS "exceptSessionId", at::float8 AS at`;
const KEY_COLUMNS = `kid, alg, created_at::float8 AS "createdAt", activates_at::float8 AS "activatesAt", retires_at::float8 AS "retiresAt", sealed_key AS "sealedKey"`;

/** PostgreSQL text cannot hold NUL, so an id with one names nothing; answering early avoids a driver error. */
const isStorable = (value: string): boolean => !value.includes('\u0000');

/**
 * A {@link SessionStore} on PostgreSQL for many nodes. Rotation and grace answers are single conditional
 * statements (row lock + re-check under READ COMMITTED); revocation-feed inserts hold a transaction-level
 * advisory lock so `seq` order is commit order and a poller never skips a record. `close()` ends the pool.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const store = createPostgresStore({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) });
 * await store.migrate();
 * ```
 */
export function createPostgresStore(options: PostgresStoreOptions): SessionStore & AccountStore {
  const { pool } = options;
  const schemaName = options.schema ?? 'public';
  const s = quoteSchema(schemaName);
  if (s === undefined)
    throw new TesseraError(
      'CONFIG_INVALID',
      'The PostgreSQL schema must be a plain identifier: letters, digits and underscores, at most 63.',
    );
  const rows = async <T>(
    client: PgClient | PgPool,
    text: string,
    values: unknown[],
  ): Promise<T[]> => (await client.query(text, values)).rows as T[];

  const lockFeed = (client: PgClient): Promise<unknown> =>
    client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS.feed, schemaName]);
  const appendRevocation = async (
    client: PgClient,
    record: Omit<RevocationColumns, 'seq'>,
  ): Promise<RevocationRecord> => {
    const [row] = await rows<RevocationColumns>(
      client,
      `INSERT INTO ${s}.revocations (kind, session_id, user_id, revoked_before, except_session_id, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${REVOCATION_COLUMNS}`,
      [
        record.kind,
        record.sessionId,
        record.userId,
        record.revokedBefore,
        record.exceptSessionId,
        record.at,
      ],
    );
    await client.query('SELECT pg_notify($1, $2)', [CHANNEL, schemaName]);
    return toRevocationRecord(row as RevocationColumns);
  };
  // Callers take the feed lock before any row lock, always in that order, so revocations cannot deadlock each other.
  const revokeSessions = async (
    client: PgClient,
    ids: readonly string[],
    at: number,
    reason: string,
  ): Promise<RevocationRecord[]> => {
    const revoked = await rows<{ id: string; userId: string }>(
      client,
      `UPDATE ${s}.sessions SET revoked_at = $2, revoked_reason = $3, successor_sealed = NULL
       WHERE id = ANY($1::text[]) AND revoked_at IS NULL RETURNING id, user_id AS "userId"`,
      [ids, at, reason],
    );
    const records: RevocationRecord[] = [];
    for (const row of revoked)
      records.push(
        await appendRevocation(client, {
          kind: 'session',
          sessionId: row.id,
          userId: row.userId,
          revokedBefore: null,
          exceptSessionId: null,
          at,
        }),
      );
    return records;
  };
  const insertEvent = async (client: PgClient | PgPool, event: AuditEvent): Promise<void> => {
    await client.query(
      `INSERT INTO ${s}.events (at, type, user_id, session_id, ip, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        event.at,
        event.type,
        event.userId ?? null,
        event.sessionId ?? null,
        event.ip ?? null,
        event.detail,
      ],
    );
  };
  const insertKeys = async (client: PgClient, keys: readonly StoredKey[]): Promise<void> => {
    for (const key of keys) {
      await client.query(
        `INSERT INTO ${s}.signing_keys (kid, alg, created_at, activates_at, retires_at, sealed_key) VALUES ($1, $2, $3, $4, $5, $6)`,
        [key.kid, key.alg, key.createdAt, key.activatesAt, key.retiresAt ?? null, key.sealedKey],
      );
    }
  };
  const loadKeys = (client: PgClient | PgPool): Promise<StoredKey[]> =>
    rows<StoredKey>(
      client,
      `SELECT ${KEY_COLUMNS} FROM ${s}.signing_keys ORDER BY created_at, kid`,
      [],
    );
  // SHARE ROW EXCLUSIVE conflicts with itself but not with readers: key writers queue, loadKeys does not.
  const lockKeys = (client: PgClient): Promise<unknown> =>
    client.query(`LOCK TABLE ${s}.signing_keys IN SHARE ROW EXCLUSIVE MODE`);

  return {
    ...createPostgresAccounts({ pool, quotedSchema: s }),
    async migrate() {
      await runTransaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
          LOCK_CLASS.migrate,
          schemaName,
        ]);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${s}.schema_version (version integer NOT NULL)`,
        );
        const [row] = await rows<{ version: number | null }>(
          client,
          `SELECT max(version) AS version FROM ${s}.schema_version`,
          [],
        );
        for (let version = row?.version ?? 0; version < POSTGRES_MIGRATIONS.length; version += 1) {
          await client.query(POSTGRES_MIGRATIONS[version]?.(s) ?? '');
          await client.query(`INSERT INTO ${s}.schema_version (version) VALUES ($1)`, [
            version + 1,
          ]);
        }
      });
    },
    async createSession(input) {
      const { session, token } = input;
      await runTransaction(pool, async (client) => {
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
        if (input.event !== undefined) await insertEvent(client, input.event);
        if (input.maxSessionsPerUser === undefined) return;
        // The new session always stays; the others live at its creation instant are kept newest first.
        const keep = Math.max(0, Math.floor(input.maxSessionsPerUser) - 1);
        const evicted = await rows<{ id: string }>(
          client,
          `SELECT id FROM ${s}.sessions WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL AND idle_expires_at > $3 AND absolute_expires_at > $3
           ORDER BY created_at DESC, id DESC OFFSET $4`,
          [session.userId, session.id, session.createdAt, keep],
        );
        if (evicted.length === 0) return;
        await lockFeed(client);
        await revokeSessions(
          client,
          evicted.map((row) => row.id),
          session.createdAt,
          EVICTION_REASON,
        );
      });
    },
    async findSession(sessionId) {
      if (!isStorable(sessionId)) return undefined;
      const [row] = await rows<SessionRow>(
        pool,
        `SELECT ${SESSION_COLUMNS} FROM ${s}.sessions s WHERE s.id = $1`,
        [sessionId],
      );
      return row;
    },
    async findRefreshToken(tokenId) {
      if (!isStorable(tokenId)) return undefined;
      const [row] = await rows<
        SessionRow & { tokenGeneration: number; tokenSecretHash: string; tokenCreatedAt: number }
      >(
        pool,
        `SELECT t.generation AS "tokenGeneration", t.secret_hash AS "tokenSecretHash", t.created_at::float8 AS "tokenCreatedAt", ${SESSION_COLUMNS}
         FROM ${s}.refresh_tokens t JOIN ${s}.sessions s ON s.id = t.session_id WHERE t.id = $1`,
        [tokenId],
      );
      if (row === undefined) return undefined;
      const { tokenGeneration, tokenSecretHash, tokenCreatedAt, ...session } = row;
      const token: RefreshTokenRow = {
        id: tokenId,
        sessionId: session.id,
        generation: tokenGeneration,
        secretHash: tokenSecretHash,
        createdAt: tokenCreatedAt,
      };
      return { token, session };
    },
    async rotate(rotation) {
      if (!isStorable(rotation.sessionId) || !Number.isSafeInteger(rotation.expectedGeneration))
        return false;
      // One statement, one commit: the conditional UPDATE takes the row lock and, under READ COMMITTED,
      // re-checks the generation after a concurrent winner commits; the token and the audit event are
      // inserted only when the UPDATE matched (data-modifying CTEs always run to completion).
      const event = rotation.event;
      const result = await pool.query(
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
        [
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
        ],
      );
      return (result.rows[0] as { rotated: number } | undefined)?.rotated === 1;
    },
    async takeGraceAnswer(input) {
      if (
        !isStorable(input.sessionId) ||
        !Number.isSafeInteger(input.generation) ||
        !Number.isSafeInteger(input.max)
      )
        return undefined;
      const [row] = await rows<{ sealed: string }>(
        pool,
        `UPDATE ${s}.sessions SET grace_count = grace_count + 1, last_used_at = greatest(last_used_at, $4)
         WHERE id = $1 AND generation = $2 AND revoked_at IS NULL AND successor_sealed IS NOT NULL AND grace_count < $3
         RETURNING successor_sealed AS sealed`,
        [input.sessionId, input.generation, input.max, input.usedAt],
      );
      return row?.sealed;
    },
    async revokeSession(input) {
      if (!isStorable(input.sessionId)) return undefined;
      const [record] = await runTransaction(pool, async (client) => {
        await lockFeed(client);
        return revokeSessions(client, [input.sessionId], input.at, input.reason);
      });
      return record;
    },
    async revokeUser(input) {
      return runTransaction(pool, async (client) => {
        await lockFeed(client);
        await client.query(
          `UPDATE ${s}.sessions SET revoked_at = $2, revoked_reason = $3, successor_sealed = NULL
           WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $4`,
          [input.userId, input.at, input.reason, input.exceptSessionId],
        );
        return appendRevocation(client, {
          kind: 'user',
          sessionId: null,
          userId: input.userId,
          revokedBefore: input.at,
          exceptSessionId: input.exceptSessionId,
          at: input.at,
        });
      });
    },
    async listSessions(userId) {
      if (!isStorable(userId)) return [];
      return rows<SessionRow>(
        pool,
        `SELECT ${SESSION_COLUMNS} FROM ${s}.sessions s WHERE s.user_id = $1 ORDER BY s.created_at DESC, s.id DESC`,
        [userId],
      );
    },
    async listRevocations(input) {
      const limit = Math.floor(input.limit);
      if (!(limit > 0)) return [];
      const found = await rows<RevocationColumns>(
        pool,
        `SELECT ${REVOCATION_COLUMNS} FROM ${s}.revocations WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [Number.isFinite(input.afterSeq) ? Math.floor(input.afterSeq) : 0, limit],
      );
      return found.map(toRevocationRecord);
    },
    async appendEvent(event) {
      await insertEvent(pool, event);
    },
    async listEvents(input) {
      const limit = Math.floor(input.limit);
      if (
        !(limit > 0) ||
        ![input.userId, input.sessionId].every((id) => id === undefined || isStorable(id))
      )
        return [];
      return rows<AuditEvent>(
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
      const counts = gone as { sessions: number; tokens: number } | undefined;
      return {
        sessions: counts?.sessions ?? 0,
        tokens: counts?.tokens ?? 0,
        events: events.rowCount ?? 0,
      };
    },
    async loadKeys() {
      return loadKeys(pool);
    },
    async saveKeys(keys) {
      await runTransaction(pool, async (client) => {
        await lockKeys(client);
        await client.query(`DELETE FROM ${s}.signing_keys`);
        await insertKeys(client, keys);
      });
    },
    async initKeys(keys) {
      return runTransaction(pool, async (client) => {
        await lockKeys(client);
        const [row] = await rows<{ count: number }>(
          client,
          `SELECT count(*)::int AS count FROM ${s}.signing_keys`,
          [],
        );
        if (row?.count === 0) await insertKeys(client, keys);
        return loadKeys(client);
      });
    },
    async onRevocation(listener) {
      return listenForRevocations({ pool, channel: CHANNEL, schemaName, listener });
    },
    async close() {
      await pool.end();
    },
  };
}
