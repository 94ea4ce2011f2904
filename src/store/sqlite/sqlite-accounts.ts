import type { AccountStore, OneTimeTokenRow, UserRow } from '../account-store.js';
import type { SqliteStatements } from './sqlite-driver.js';

/**
 * The accounts tables, appended to the SQLite migrations.
 *
 * @example
 * ```ts
 * const migrations = [...SQLITE_MIGRATIONS, SQLITE_ACCOUNTS_MIGRATION];
 * ```
 */
export const SQLITE_ACCOUNTS_MIGRATION = `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL
  );
  CREATE TABLE one_time_tokens (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('reset', 'ticket')),
    user_id TEXT NOT NULL,
    session_id TEXT,
    secret_hash TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX one_time_tokens_expires ON one_time_tokens (expires_at);
`;

const USER_COLUMNS =
  'id, email, password_hash AS passwordHash, created_at AS createdAt, password_changed_at AS passwordChangedAt';
const TOKEN_COLUMNS =
  'id, kind, user_id AS userId, session_id AS sessionId, secret_hash AS secretHash, expires_at AS expiresAt';

/**
 * The {@link AccountStore} half of the SQLite store, over its statement cache.
 *
 * @example
 * ```ts
 * Object.assign(store, createSqliteAccounts(sql));
 * ```
 */
export function createSqliteAccounts(sql: SqliteStatements): AccountStore {
  return {
    async createUser(user) {
      return (
        sql(
          `INSERT INTO users (id, email, password_hash, created_at, password_changed_at) VALUES (@id, @email, @passwordHash, @createdAt, @passwordChangedAt) ON CONFLICT DO NOTHING`,
        ).run(user).changes === 1
      );
    },
    async findUserByEmail(email) {
      return sql(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`).get(email) as
        UserRow | undefined;
    },
    async findUserById(id) {
      return sql(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`).get(id) as UserRow | undefined;
    },
    async updatePassword({ userId, passwordHash, at }) {
      sql(`UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?`).run(
        passwordHash,
        at,
        userId,
      );
    },
    async createOneTimeToken(token) {
      sql(
        `INSERT INTO one_time_tokens (id, kind, user_id, session_id, secret_hash, expires_at) VALUES (@id, @kind, @userId, @sessionId, @secretHash, @expiresAt)`,
      ).run(token);
    },
    async consumeOneTimeToken({ id, kind, at }) {
      // One DELETE ... RETURNING: of two concurrent uses, exactly one gets the row.
      const row = sql(
        `DELETE FROM one_time_tokens WHERE id = ? AND kind = ? RETURNING ${TOKEN_COLUMNS}`,
      ).get(id, kind) as OneTimeTokenRow | undefined;
      return row !== undefined && row.expiresAt > at ? row : undefined;
    },
  };
}
