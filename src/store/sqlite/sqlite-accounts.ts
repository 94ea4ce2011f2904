import {
  batchConflicts,
  HASH_WORK_KEY_SQL,
  type AccountStore,
  type MailStoreMethods,
  type ImportConflict,
  type OneTimeTokenRow,
  type UserRow,
} from '../account-store.js';
import type { SqliteScope, SqliteStatements } from './sqlite-driver.js';

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

/**
 * The per-session index the ticket cap deletes by (issue 15), appended after
 * {@link SQLITE_ACCOUNTS_MIGRATION}: without it every ticket would scan the whole table.
 *
 * @example
 * ```ts
 * const migrations = [...SQLITE_MIGRATIONS, SQLITE_ACCOUNTS_MIGRATION, SQLITE_TICKETS_MIGRATION];
 * ```
 */
export const SQLITE_TICKETS_MIGRATION = `
  CREATE INDEX one_time_tokens_by_session ON one_time_tokens (session_id, kind, expires_at)
    WHERE session_id IS NOT NULL;
`;

/**
 * Deletes the one-time tokens expired at `now` (the sweep's part; used tokens are deleted when used).
 *
 * @example
 * ```ts
 * const oneTimeTokens = sweepOneTimeTokens(sql, policy.now);
 * ```
 */
export function sweepOneTimeTokens(sql: SqliteStatements, now: number): number {
  return sql('DELETE FROM one_time_tokens WHERE expires_at <= ?').run(now).changes;
}

const USER_COLUMNS =
  'id, email, password_hash AS passwordHash, created_at AS createdAt, password_changed_at AS passwordChangedAt, email_verified AS emailVerified, password_epoch AS passwordEpoch';
const TOKEN_COLUMNS =
  'id, kind, user_id AS userId, session_id AS sessionId, secret_hash AS secretHash, expires_at AS expiresAt, password_epoch AS passwordEpoch';

// SQLite has no boolean: email_verified comes back 0 or 1.
function userOf(row: unknown): UserRow | undefined {
  if (row === undefined) return undefined;
  const user = row as Omit<UserRow, 'emailVerified'> & { emailVerified: number };
  return { ...user, emailVerified: user.emailVerified === 1 };
}

/**
 * The {@link AccountStore} half of the SQLite store, over its statement cache.
 *
 * @example
 * ```ts
 * Object.assign(store, createSqliteAccounts(sql));
 * ```
 */
export function createSqliteAccounts({
  db,
  sql,
}: SqliteScope): Omit<AccountStore, keyof MailStoreMethods> {
  const insertCapped = db.transaction(
    (token: OneTimeTokenRow, maxPerSession: number | undefined): void => {
      sql(
        `INSERT INTO one_time_tokens (id, kind, user_id, session_id, secret_hash, expires_at, password_epoch) VALUES (@id, @kind, @userId, @sessionId, @secretHash, @expiresAt, @passwordEpoch)`,
      ).run({ ...token, passwordEpoch: token.passwordEpoch ?? null });
      if (maxPerSession === undefined || token.sessionId === null) return;
      // Newest first by expiry (tokens of a kind share one lifetime): the rows past the cap are the
      // expired and the oldest, which a client asking again has given up on.
      sql(
        `DELETE FROM one_time_tokens WHERE id IN (
           SELECT id FROM one_time_tokens WHERE session_id = @sessionId AND kind = @kind
           ORDER BY expires_at DESC, rowid DESC LIMIT -1 OFFSET @keep)`,
      ).run({ sessionId: token.sessionId, kind: token.kind, keep: Math.max(0, maxPerSession) });
    },
  );
  const importAll = db.transaction(
    (users: readonly UserRow[], dryRun: boolean): ImportConflict[] => {
      const taken = (column: 'id' | 'email'): Set<string> =>
        new Set(
          users
            .map((user) => user[column])
            .filter((value) => sql(`SELECT 1 FROM users WHERE ${column} = ?`).get(value)),
        );
      const conflicts = batchConflicts(users, { ids: taken('id'), emails: taken('email') });
      if (conflicts.length > 0 || dryRun) return conflicts;
      const insert = sql(
        `INSERT INTO users (id, email, password_hash, created_at, password_changed_at) VALUES (@id, @email, @passwordHash, @createdAt, @passwordChangedAt)`,
      );
      for (const user of users) insert.run(user);
      return conflicts;
    },
  );
  return {
    async createUser(user) {
      return (
        sql(
          `INSERT INTO users (id, email, password_hash, created_at, password_changed_at, email_verified, password_epoch) VALUES (@id, @email, @passwordHash, @createdAt, @passwordChangedAt, @emailVerified, @passwordEpoch) ON CONFLICT DO NOTHING`,
        ).run({
          ...user,
          emailVerified: user.emailVerified === true ? 1 : 0,
          passwordEpoch: user.passwordEpoch ?? 0,
        }).changes === 1
      );
    },
    async findUserByEmail(email) {
      return userOf(sql(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`).get(email));
    },
    async findUserById(id) {
      return userOf(sql(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`).get(id));
    },
    async updatePassword({ userId, passwordHash, at, expectedEpoch, verifyEmail }) {
      return (
        sql(
          `UPDATE users SET password_hash = @passwordHash, password_changed_at = @at,
             password_epoch = password_epoch + 1,
             email_verified = CASE WHEN @verify = 1 THEN 1 ELSE email_verified END
           WHERE id = @userId AND (@expected IS NULL OR password_epoch = @expected)`,
        ).run({
          passwordHash,
          at,
          userId,
          verify: verifyEmail === true ? 1 : 0,
          expected: expectedEpoch ?? null,
        }).changes === 1
      );
    },
    async replacePasswordHash({ userId, from, to }) {
      return (
        sql(`UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?`).run(
          to,
          userId,
          from,
        ).changes === 1
      );
    },
    async passwordHashSamples() {
      return (
        sql(
          `SELECT min(password_hash) AS sample FROM users GROUP BY ${HASH_WORK_KEY_SQL}`,
        ).all() as { sample: string }[]
      ).map((row) => row.sample);
    },
    async importUsers(users, options) {
      // Immediate: the existence checks and the inserts see one state, with no signup in between.
      return importAll.immediate(users, options?.dryRun === true);
    },
    async createOneTimeToken(token, options) {
      insertCapped.immediate(token, options?.maxPerSession);
    },
    async consumeOneTimeToken({ id, kind, secretHash, at }) {
      // One DELETE ... RETURNING: of two concurrent uses, exactly one gets the row.
      const row = sql(
        `DELETE FROM one_time_tokens WHERE id = ? AND kind = ? AND secret_hash = ? RETURNING ${TOKEN_COLUMNS}`,
      ).get(id, kind, secretHash) as OneTimeTokenRow | undefined;
      return row !== undefined && row.expiresAt > at ? row : undefined;
    },
  };
}
