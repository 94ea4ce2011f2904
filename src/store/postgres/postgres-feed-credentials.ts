import type { FeedCredentialRow, FeedCredentialStore } from '../feed-credential-store.js';
import { isStorableText, queryRows, type PostgresScope } from './postgres-driver.js';

/**
 * The feed-credentials table, appended at the end of the PostgreSQL migrations (`s` is the quoted
 * schema). A name is unique among live credentials only; a revoked row stays for audit.
 *
 * @example
 * ```ts
 * const migrations = [...POSTGRES_MIGRATIONS, postgresFeedCredentialsMigration];
 * ```
 */
export function postgresFeedCredentialsMigration(s: string): string {
  return `
  CREATE TABLE ${s}.feed_credentials (
    id text PRIMARY KEY,
    name text NOT NULL,
    secret_hash text NOT NULL,
    created_at bigint NOT NULL,
    revoked_at bigint
  );
  CREATE UNIQUE INDEX feed_credentials_live_name ON ${s}.feed_credentials (name) WHERE revoked_at IS NULL;`;
}

const COLUMNS = `name, id, secret_hash AS "secretHash", created_at::float8 AS "createdAt", revoked_at::float8 AS "revokedAt"`;

/**
 * The {@link FeedCredentialStore} part of the PostgreSQL store.
 *
 * @example
 * ```ts
 * Object.assign(store, createPostgresFeedCredentials(scope));
 * ```
 */
export function createPostgresFeedCredentials(scope: PostgresScope): FeedCredentialStore {
  const { pool, quotedSchema: s } = scope;
  return {
    async createFeedCredential(row) {
      if (!isStorableText(row.id, row.name, row.secretHash)) return false;
      const result = await pool.query(
        `INSERT INTO ${s}.feed_credentials (id, name, secret_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [row.id, row.name, row.secretHash, row.createdAt],
      );
      return result.rowCount === 1;
    },
    async findFeedCredential(id) {
      if (!isStorableText(id)) return undefined;
      const [row] = await queryRows<FeedCredentialRow>(
        pool,
        `SELECT ${COLUMNS} FROM ${s}.feed_credentials WHERE id = $1`,
        [id],
      );
      return row;
    },
    async listFeedCredentials() {
      return queryRows<FeedCredentialRow>(
        pool,
        `SELECT ${COLUMNS} FROM ${s}.feed_credentials ORDER BY created_at, id`,
        [],
      );
    },
    async revokeFeedCredential({ name, at }) {
      if (!isStorableText(name)) return false;
      const result = await pool.query(
        `UPDATE ${s}.feed_credentials SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL`,
        [at, name],
      );
      return result.rowCount === 1;
    },
  };
}
