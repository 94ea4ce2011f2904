import type { SessionStore } from '../session-store.js';
import { SQLITE_ACCOUNTS_MIGRATION, SQLITE_TICKETS_MIGRATION } from './sqlite-accounts.js';
import type { SqliteDatabase } from './sqlite-driver.js';
import { SQLITE_MAIL_MIGRATION } from './sqlite-mail.js';
import { SQLITE_LEGACY_EXCHANGES_MIGRATION } from './sqlite-legacy.js';
import { SQLITE_FEED_CREDENTIALS_MIGRATION } from './sqlite-feed-credentials.js';

/**
 * The SQLite schema as numbered migrations. A migration is only ever appended, never edited: a database
 * at version n gets migrations n+1.. applied in order. A later `users` table (accounts) is one more entry.
 *
 * @example
 * ```ts
 * const latest = SQLITE_MIGRATIONS.length; // the schema_version a migrated database reports
 * ```
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    transport TEXT NOT NULL CHECK (transport IN ('cookie', 'body')),
    claims TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    idle_expires_at INTEGER NOT NULL,
    absolute_expires_at INTEGER NOT NULL,
    user_agent TEXT,
    ip TEXT,
    generation INTEGER NOT NULL DEFAULT 0,
    rotated_at INTEGER,
    successor_sealed TEXT,
    grace_count INTEGER NOT NULL DEFAULT 0,
    revoked_at INTEGER,
    revoked_reason TEXT
  );
  CREATE INDEX sessions_by_user ON sessions (user_id, created_at);
  CREATE INDEX sessions_by_idle_expiry ON sessions (idle_expires_at);
  CREATE INDEX sessions_by_absolute_expiry ON sessions (absolute_expires_at);
  CREATE INDEX sessions_with_successor ON sessions (rotated_at) WHERE successor_sealed IS NOT NULL;
  CREATE INDEX sessions_with_ip ON sessions (last_used_at) WHERE ip IS NOT NULL;

  CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    generation INTEGER NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);

  -- AUTOINCREMENT, not a plain rowid: a plain rowid reuses the highest seq once sweep deletes it, and a
  -- poller already past that seq would never see the new record.
  CREATE TABLE revocations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('session', 'user')),
    session_id TEXT,
    user_id TEXT NOT NULL,
    revoked_before INTEGER,
    except_session_id TEXT,
    at INTEGER NOT NULL
  );
  CREATE INDEX revocations_by_at ON revocations (at);

  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    user_id TEXT,
    session_id TEXT,
    ip TEXT,
    detail TEXT NOT NULL
  );
  CREATE INDEX events_by_user ON events (user_id, at);
  CREATE INDEX events_by_session ON events (session_id, at);
  CREATE INDEX events_by_at ON events (at);

  CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    activates_at INTEGER NOT NULL,
    retires_at INTEGER,
    sealed_key TEXT NOT NULL
  );
  `,
  SQLITE_ACCOUNTS_MIGRATION,
  SQLITE_TICKETS_MIGRATION,
  SQLITE_MAIL_MIGRATION,
  SQLITE_LEGACY_EXCHANGES_MIGRATION,
  SQLITE_FEED_CREDENTIALS_MIGRATION,
  // The per-session rotation budget, held by the swap itself (rotationsPerMinute in session-store.ts).
  `
  ALTER TABLE sessions ADD COLUMN rotation_window_start INTEGER;
  ALTER TABLE sessions ADD COLUMN rotation_count INTEGER NOT NULL DEFAULT 0;
  `,
];

/**
 * The store's `migrate()`: applies the migrations a database lacks, in one `BEGIN IMMEDIATE` transaction,
 * so several processes migrating one fresh file at once queue on the write lock and each sees the version
 * the previous one left.
 *
 * @example
 * ```ts
 * await createSqliteMigration(new Database('tessera.db')).migrate();
 * ```
 */
export function createSqliteMigration(db: SqliteDatabase): Pick<SessionStore, 'migrate'> {
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
  return {
    async migrate() {
      migrate.immediate();
    },
  };
}
