import {
  batchConflicts,
  HASH_WORK_KEY_SQL,
  type AccountStore,
  type MailStoreMethods,
  type OneTimeTokenRow,
  type UserRow,
} from '../account-store.js';
import { TesseraError } from '../../errors/tessera-error.js';
import {
  isStorableText,
  LOCK_CLASS,
  runTransaction,
  type PgClient,
  type PgPool,
  type PostgresScope,
} from './postgres-driver.js';

/**
 * The accounts tables, appended to the PostgreSQL migrations (`s` is the quoted schema).
 *
 * @example
 * ```ts
 * const migrations = [...POSTGRES_MIGRATIONS, postgresAccountsMigration];
 * ```
 */
export function postgresAccountsMigration(s: string): string {
  return `
  CREATE TABLE ${s}.users (
    id text PRIMARY KEY,
    email text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    created_at bigint NOT NULL,
    password_changed_at bigint NOT NULL
  );
  CREATE TABLE ${s}.one_time_tokens (
    id text PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('reset', 'ticket')),
    user_id text NOT NULL,
    session_id text,
    secret_hash text NOT NULL,
    expires_at bigint NOT NULL
  );
  CREATE INDEX one_time_tokens_expires ON ${s}.one_time_tokens (expires_at);`;
}

/**
 * The per-session index the ticket cap deletes by (issue 15), appended after
 * {@link postgresAccountsMigration}: without it every ticket would scan the whole table.
 *
 * @example
 * ```ts
 * const migrations = [...POSTGRES_MIGRATIONS, postgresAccountsMigration, postgresTicketsMigration];
 * ```
 */
export function postgresTicketsMigration(s: string): string {
  return `
  CREATE INDEX one_time_tokens_by_session ON ${s}.one_time_tokens (session_id, kind, expires_at)
    WHERE session_id IS NOT NULL;`;
}

/**
 * The sweep's statement for one-time tokens: those expired at `$1` (used ones are deleted when used).
 *
 * @example
 * ```ts
 * const { rowCount } = await pool.query(sweepOneTimeTokensSql(s), [policy.now]);
 * ```
 */
export function sweepOneTimeTokensSql(s: string): string {
  return `DELETE FROM ${s}.one_time_tokens WHERE expires_at <= $1`;
}

const USER_COLUMNS = `id, email, password_hash AS "passwordHash", created_at::float8 AS "createdAt", password_changed_at::float8 AS "passwordChangedAt", email_verified AS "emailVerified", password_epoch AS "passwordEpoch"`;
const TOKEN_COLUMNS = `id, kind, user_id AS "userId", session_id AS "sessionId", secret_hash AS "secretHash", expires_at::float8 AS "expiresAt", password_epoch AS "passwordEpoch"`;

/**
 * The {@link AccountStore} half of the PostgreSQL store.
 *
 * @example
 * ```ts
 * Object.assign(store, createPostgresAccounts({ pool, schema: '"public"' }));
 * ```
 */
export function createPostgresAccounts(
  scope: PostgresScope,
): Omit<AccountStore, keyof MailStoreMethods> {
  const { pool, schemaName, quotedSchema: s } = scope;
  return {
    async createUser(user) {
      if (!isStorableText(user.id, user.email)) return false;
      const result = await pool.query(
        `INSERT INTO ${s}.users (id, email, password_hash, created_at, password_changed_at, email_verified, password_epoch) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        [
          user.id,
          user.email,
          user.passwordHash,
          user.createdAt,
          user.passwordChangedAt,
          user.emailVerified === true,
          user.passwordEpoch ?? 0,
        ],
      );
      return result.rowCount === 1;
    },
    async findUserByEmail(email) {
      if (!isStorableText(email)) return undefined;
      return (await pool.query(`SELECT ${USER_COLUMNS} FROM ${s}.users WHERE email = $1`, [email]))
        .rows[0] as UserRow | undefined;
    },
    async findUserById(id) {
      if (!isStorableText(id)) return undefined;
      return (await pool.query(`SELECT ${USER_COLUMNS} FROM ${s}.users WHERE id = $1`, [id]))
        .rows[0] as UserRow | undefined;
    },
    async updatePassword({ userId, passwordHash, at, expectedEpoch, verifyEmail }) {
      if (!isStorableText(userId)) return false;
      const result = await pool.query(
        `UPDATE ${s}.users SET password_hash = $1, password_changed_at = $2,
           password_epoch = password_epoch + 1, email_verified = email_verified OR $4
         WHERE id = $3 AND ($5::integer IS NULL OR password_epoch = $5::integer)`,
        [passwordHash, at, userId, verifyEmail === true, expectedEpoch ?? null],
      );
      return result.rowCount === 1;
    },
    async replacePasswordHash({ userId, from, to }) {
      if (!isStorableText(userId, from, to)) return false;
      const result = await pool.query(
        `UPDATE ${s}.users SET password_hash = $1 WHERE id = $2 AND password_hash = $3`,
        [to, userId, from],
      );
      return result.rowCount === 1;
    },
    async passwordHashSamples() {
      const { rows } = await pool.query(
        `SELECT min(password_hash) AS sample FROM ${s}.users GROUP BY ${HASH_WORK_KEY_SQL}`,
      );
      return (rows as { sample: string }[]).map((row) => row.sample);
    },
    async importUsers(users, options) {
      if (!users.every((user) => isStorableText(user.id, user.email, user.passwordHash)))
        throw new TesseraError('IMPORT_INVALID', 'An imported row holds a NUL character.');
      const ids = users.map((user) => user.id);
      const emails = users.map((user) => user.email);
      return runTransaction(pool, async (client) => {
        // Signups and password writes wait for the import (seconds), so the existence check below and
        // the insert see one state: no row can slip in between and make the insert half succeed.
        await client.query(`LOCK TABLE ${s}.users IN SHARE ROW EXCLUSIVE MODE`);
        const { rows } = await client.query(
          `SELECT id, email FROM ${s}.users WHERE id = ANY($1::text[]) OR email = ANY($2::text[])`,
          [ids, emails],
        );
        const stored = rows as { id: string; email: string }[];
        const conflicts = batchConflicts(users, {
          ids: new Set(stored.map((row) => row.id)),
          emails: new Set(stored.map((row) => row.email)),
        });
        if (conflicts.length > 0 || options?.dryRun === true) return conflicts;
        await client.query(
          `INSERT INTO ${s}.users (id, email, password_hash, created_at, password_changed_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])`,
          [
            ids,
            emails,
            users.map((user) => user.passwordHash),
            users.map((user) => user.createdAt),
            users.map((user) => user.passwordChangedAt),
          ],
        );
        return conflicts;
      });
    },
    async createOneTimeToken(token, options) {
      const insert = (client: PgClient | PgPool): Promise<unknown> =>
        client.query(
          `INSERT INTO ${s}.one_time_tokens (id, kind, user_id, session_id, secret_hash, expires_at, password_epoch) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            token.id,
            token.kind,
            token.userId,
            token.sessionId,
            token.secretHash,
            token.expiresAt,
            token.passwordEpoch ?? null,
          ],
        );
      const max = options?.maxPerSession;
      const { sessionId } = token;
      if (max === undefined || sessionId === null) {
        await insert(pool);
        return;
      }
      await runTransaction(pool, async (client) => {
        // Serialises one session's inserts, so concurrent calls cannot each see room under the cap and
        // all stay; other sessions and the session row itself (hot on refresh) are not locked.
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
          LOCK_CLASS.ticket,
          `${schemaName}:${sessionId}`,
        ]);
        await insert(client);
        // Newest first by expiry (tokens of a kind share one lifetime): the rows past the cap are the
        // expired and the oldest, which a client asking again has given up on.
        await client.query(
          `DELETE FROM ${s}.one_time_tokens WHERE id IN (
             SELECT id FROM ${s}.one_time_tokens WHERE session_id = $1 AND kind = $2
             ORDER BY expires_at DESC, id DESC OFFSET $3)`,
          [sessionId, token.kind, Math.max(0, max)],
        );
      });
    },
    async consumeOneTimeToken({ id, kind, secretHash, at }) {
      if (!isStorableText(id, secretHash)) return undefined;
      const row = (
        await pool.query(
          `DELETE FROM ${s}.one_time_tokens WHERE id = $1 AND kind = $2 AND secret_hash = $3 RETURNING ${TOKEN_COLUMNS}`,
          [id, kind, secretHash],
        )
      ).rows[0] as OneTimeTokenRow | undefined;
      return row !== undefined && row.expiresAt > at ? row : undefined;
    },
  };
}
