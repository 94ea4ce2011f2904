import type { AccountStore, OneTimeTokenRow, UserRow } from '../account-store.js';
import { isStorableText, type PgPool } from './postgres-driver.js';

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

const USER_COLUMNS = `id, email, password_hash AS "passwordHash", created_at::float8 AS "createdAt", password_changed_at::float8 AS "passwordChangedAt"`;
const TOKEN_COLUMNS = `id, kind, user_id AS "userId", session_id AS "sessionId", secret_hash AS "secretHash", expires_at::float8 AS "expiresAt"`;

/**
 * The {@link AccountStore} half of the PostgreSQL store.
 *
 * @example
 * ```ts
 * Object.assign(store, createPostgresAccounts({ pool, schema: '"public"' }));
 * ```
 */
export function createPostgresAccounts(options: {
  pool: PgPool;
  quotedSchema: string;
}): AccountStore {
  const { pool, quotedSchema: s } = options;
  return {
    async createUser(user) {
      if (!isStorableText(user.id, user.email)) return false;
      const result = await pool.query(
        `INSERT INTO ${s}.users (id, email, password_hash, created_at, password_changed_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [user.id, user.email, user.passwordHash, user.createdAt, user.passwordChangedAt],
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
    async updatePassword({ userId, passwordHash, at }) {
      if (!isStorableText(userId)) return;
      await pool.query(
        `UPDATE ${s}.users SET password_hash = $1, password_changed_at = $2 WHERE id = $3`,
        [passwordHash, at, userId],
      );
    },
    async createOneTimeToken(token) {
      await pool.query(
        `INSERT INTO ${s}.one_time_tokens (id, kind, user_id, session_id, secret_hash, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [token.id, token.kind, token.userId, token.sessionId, token.secretHash, token.expiresAt],
      );
    },
    async consumeOneTimeToken({ id, kind, at }) {
      if (!isStorableText(id)) return undefined;
      const row = (
        await pool.query(
          `DELETE FROM ${s}.one_time_tokens WHERE id = $1 AND kind = $2 RETURNING ${TOKEN_COLUMNS}`,
          [id, kind],
        )
      ).rows[0] as OneTimeTokenRow | undefined;
      return row !== undefined && row.expiresAt > at ? row : undefined;
    },
  };
}
