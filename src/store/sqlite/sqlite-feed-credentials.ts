import type { FeedCredentialRow, FeedCredentialStore } from '../feed-credential-store.js';
import type { SqliteScope } from './sqlite-driver.js';

/**
 * The feed-credentials table, appended at the end of the SQLite migrations. A name is unique among live
 * credentials only, so a revoked name can be given to a new credential and the old row stays for audit.
 *
 * @example
 * ```ts
 * const migrations = [...SQLITE_MIGRATIONS, SQLITE_FEED_CREDENTIALS_MIGRATION];
 * ```
 */
export const SQLITE_FEED_CREDENTIALS_MIGRATION = `
  CREATE TABLE feed_credentials (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE UNIQUE INDEX feed_credentials_live_name ON feed_credentials (name) WHERE revoked_at IS NULL;
`;

const COLUMNS =
  'name, id, secret_hash AS secretHash, created_at AS createdAt, revoked_at AS revokedAt';

/**
 * The {@link FeedCredentialStore} part of the SQLite store, over its statement cache.
 *
 * @example
 * ```ts
 * Object.assign(store, createSqliteFeedCredentials(scope));
 * ```
 */
export function createSqliteFeedCredentials({ sql }: SqliteScope): FeedCredentialStore {
  return {
    async createFeedCredential(row) {
      const result = sql(
        'INSERT INTO feed_credentials (id, name, secret_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ).run(row.id, row.name, row.secretHash, row.createdAt);
      return result.changes === 1;
    },
    async findFeedCredential(id) {
      return sql(`SELECT ${COLUMNS} FROM feed_credentials WHERE id = ?`).get(id) as
        FeedCredentialRow | undefined;
    },
    async listFeedCredentials() {
      return sql(
        `SELECT ${COLUMNS} FROM feed_credentials ORDER BY created_at, rowid`,
      ).all() as FeedCredentialRow[];
    },
    async revokeFeedCredential({ name, at }) {
      return (
        sql('UPDATE feed_credentials SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL').run(
          at,
          name,
        ).changes === 1
      );
    },
  };
}
