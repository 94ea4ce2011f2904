import type { MailOutboxRow, MailStoreMethods } from '../account-store.js';
import { isStorableText, type PostgresScope } from './postgres-driver.js';

/**
 * Email delivery (issue 14), appended to the PostgreSQL migrations: the verification state and password
 * epoch on `users`, the epoch on one-time tokens (and `verify` among their kinds), and the mail outbox.
 * Reset tokens minted before it carry no epoch and are dead (they live 15 minutes).
 *
 * @example
 * ```ts
 * const migrations = [...POSTGRES_MIGRATIONS, postgresMailMigration];
 * ```
 */
export function postgresMailMigration(s: string): string {
  return `
  ALTER TABLE ${s}.users ADD COLUMN email_verified boolean NOT NULL DEFAULT false;
  ALTER TABLE ${s}.users ADD COLUMN password_epoch integer NOT NULL DEFAULT 0;
  ALTER TABLE ${s}.one_time_tokens ADD COLUMN password_epoch integer;
  ALTER TABLE ${s}.one_time_tokens DROP CONSTRAINT one_time_tokens_kind_check;
  ALTER TABLE ${s}.one_time_tokens ADD CONSTRAINT one_time_tokens_kind_check
    CHECK (kind IN ('reset', 'ticket', 'verify'));
  CREATE TABLE ${s}.mail_outbox (
    id text PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('reset', 'verify', 'account-exists')),
    email text NOT NULL,
    created_at bigint NOT NULL,
    due_at bigint NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    last_error text
  );
  CREATE INDEX mail_outbox_due ON ${s}.mail_outbox (due_at);`;
}

const OUTBOX_COLUMNS = `id, kind, email, created_at::float8 AS "createdAt", due_at::float8 AS "dueAt", attempts, last_error AS "lastError"`;

/**
 * The outbox and verification half of the PostgreSQL account store.
 *
 * @example
 * ```ts
 * Object.assign(store, createPostgresMail(scope));
 * ```
 */
export function createPostgresMail({ pool, quotedSchema: s }: PostgresScope): MailStoreMethods {
  return {
    async markEmailVerified({ userId, passwordEpoch }) {
      if (!isStorableText(userId)) return false;
      const result = await pool.query(
        `UPDATE ${s}.users SET email_verified = true WHERE id = $1 AND password_epoch = $2`,
        [userId, passwordEpoch],
      );
      return result.rowCount === 1;
    },
    async deleteOneTimeToken(id) {
      if (!isStorableText(id)) return;
      await pool.query(`DELETE FROM ${s}.one_time_tokens WHERE id = $1`, [id]);
    },
    async enqueueMail(row) {
      await pool.query(
        `INSERT INTO ${s}.mail_outbox (id, kind, email, created_at, due_at, attempts, last_error)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [row.id, row.kind, row.email, row.createdAt, row.dueAt, row.attempts, row.lastError],
      );
    },
    async claimMail({ at, leaseUntil, limit }) {
      // SKIP LOCKED: two nodes' workers claiming at once take different rows instead of queueing.
      const result = await pool.query(
        `UPDATE ${s}.mail_outbox SET due_at = $2, attempts = attempts + 1
         WHERE id IN (SELECT id FROM ${s}.mail_outbox WHERE due_at <= $1
                      ORDER BY due_at, created_at LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING ${OUTBOX_COLUMNS}`,
        [at, leaseUntil, Math.max(0, Math.floor(limit))],
      );
      return (result.rows as MailOutboxRow[]).sort((a, b) => a.createdAt - b.createdAt);
    },
    async finishMail(id) {
      if (!isStorableText(id)) return;
      await pool.query(`DELETE FROM ${s}.mail_outbox WHERE id = $1`, [id]);
    },
    async retryMail({ id, dueAt, lastError }) {
      if (!isStorableText(id, lastError)) return;
      await pool.query(`UPDATE ${s}.mail_outbox SET due_at = $1, last_error = $2 WHERE id = $3`, [
        dueAt,
        lastError.slice(0, 200),
        id,
      ]);
    },
  };
}
