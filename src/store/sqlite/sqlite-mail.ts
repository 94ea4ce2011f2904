import type { MailOutboxRow, MailStoreMethods } from '../account-store.js';
import type { SqliteScope } from './sqlite-driver.js';

/**
 * Email delivery (issue 14): the verification state and password epoch on `users`, the epoch on
 * one-time tokens (and `verify` among their kinds), and the mail outbox. SQLite cannot widen a CHECK,
 * so `one_time_tokens` is rebuilt; reset tokens minted before this migration carry no epoch and are
 * dead (they live 15 minutes, and a password change before the upgrade could not have killed them).
 *
 * @example
 * ```ts
 * const migrations = [...SQLITE_MIGRATIONS, SQLITE_MAIL_MIGRATION];
 * ```
 */
export const SQLITE_MAIL_MIGRATION = `
  ALTER TABLE users ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE users ADD COLUMN password_epoch INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE one_time_tokens_next (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('reset', 'ticket', 'verify')),
    user_id TEXT NOT NULL,
    session_id TEXT,
    secret_hash TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    password_epoch INTEGER
  );
  INSERT INTO one_time_tokens_next (id, kind, user_id, session_id, secret_hash, expires_at)
    SELECT id, kind, user_id, session_id, secret_hash, expires_at FROM one_time_tokens;
  DROP TABLE one_time_tokens;
  ALTER TABLE one_time_tokens_next RENAME TO one_time_tokens;
  CREATE INDEX one_time_tokens_expires ON one_time_tokens (expires_at);
  CREATE INDEX one_time_tokens_by_session ON one_time_tokens (session_id, kind, expires_at)
    WHERE session_id IS NOT NULL;
  CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('reset', 'verify', 'account-exists')),
    email TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
  );
  CREATE INDEX mail_outbox_due ON mail_outbox (due_at);
`;

const OUTBOX_COLUMNS =
  'id, kind, email, created_at AS createdAt, due_at AS dueAt, attempts, last_error AS lastError';

/**
 * The outbox and verification half of the SQLite account store.
 *
 * @example
 * ```ts
 * Object.assign(store, createSqliteMail(scope));
 * ```
 */
export function createSqliteMail({ db, sql }: SqliteScope): MailStoreMethods {
  const claim = db.transaction(
    (input: { at: number; leaseUntil: number; limit: number }): MailOutboxRow[] =>
      sql(
        `UPDATE mail_outbox SET due_at = @leaseUntil, attempts = attempts + 1
         WHERE id IN (SELECT id FROM mail_outbox WHERE due_at <= @at ORDER BY due_at, rowid LIMIT @limit)
         RETURNING ${OUTBOX_COLUMNS}`,
      ).all({ ...input, limit: Math.max(0, Math.floor(input.limit)) }) as MailOutboxRow[],
  );
  return {
    async markEmailVerified({ userId, passwordEpoch }) {
      return (
        sql('UPDATE users SET email_verified = 1 WHERE id = ? AND password_epoch = ?').run(
          userId,
          passwordEpoch,
        ).changes === 1
      );
    },
    async deleteOneTimeToken(id) {
      sql('DELETE FROM one_time_tokens WHERE id = ?').run(id);
    },
    async enqueueMail(row) {
      sql(
        `INSERT INTO mail_outbox (id, kind, email, created_at, due_at, attempts, last_error)
         VALUES (@id, @kind, @email, @createdAt, @dueAt, @attempts, @lastError)`,
      ).run(row);
    },
    async claimMail(input) {
      // Sorted again: RETURNING gives rows in the order SQLite updated them, which is not promised.
      return claim.immediate(input).sort((a, b) => a.createdAt - b.createdAt);
    },
    async finishMail(id) {
      sql('DELETE FROM mail_outbox WHERE id = ?').run(id);
    },
    async retryMail({ id, dueAt, lastError }) {
      sql('UPDATE mail_outbox SET due_at = ?, last_error = ? WHERE id = ?').run(
        dueAt,
        lastError.slice(0, 200),
        id,
      );
    },
  };
}
