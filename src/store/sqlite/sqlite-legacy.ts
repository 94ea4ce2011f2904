import type {
  LegacyExchangeResult,
  LegacyExchangeRow,
  LegacyExchangeStore,
  NewLegacySession,
} from '../legacy-exchange-store.js';
import type { SqliteScope } from './sqlite-driver.js';
import { insertSessionRows } from './sqlite-sessions.js';

/**
 * The exchanged legacy tokens (issue 14), appended to the SQLite migrations. No foreign key to
 * `sessions`: a session swept at its idle expiry must not free its legacy token for a second exchange.
 *
 * @example
 * ```ts
 * const migrations = [...SQLITE_MIGRATIONS, SQLITE_LEGACY_EXCHANGES_MIGRATION];
 * ```
 */
export const SQLITE_LEGACY_EXCHANGES_MIGRATION = `
  CREATE TABLE legacy_exchanges (
    key TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    exchanged_at INTEGER NOT NULL,
    legacy_expires_at INTEGER NOT NULL
  );
  CREATE INDEX legacy_exchanges_by_expiry ON legacy_exchanges (legacy_expires_at);
`;

const COLUMNS =
  'key, session_id AS sessionId, user_id AS userId, exchanged_at AS exchangedAt, legacy_expires_at AS legacyExpiresAt';

/**
 * The {@link LegacyExchangeStore} half of the SQLite store: the key and the session in one
 * `BEGIN IMMEDIATE` transaction, so two exchanges of one token queue on the write lock and the second
 * finds the first's key.
 *
 * @example
 * ```ts
 * Object.assign(store, createSqliteLegacyExchanges(scope));
 * ```
 */
export function createSqliteLegacyExchanges({ db, sql }: SqliteScope): LegacyExchangeStore {
  const find = (key: string): LegacyExchangeRow | undefined =>
    sql(`SELECT ${COLUMNS} FROM legacy_exchanges WHERE key = ?`).get(key) as
      LegacyExchangeRow | undefined;
  const exchange = db.transaction((input: NewLegacySession): LegacyExchangeResult => {
    const { changes } = sql(
      `INSERT INTO legacy_exchanges (key, session_id, user_id, exchanged_at, legacy_expires_at)
       VALUES (@key, @sessionId, @userId, @exchangedAt, @legacyExpiresAt) ON CONFLICT (key) DO NOTHING`,
    ).run({
      key: input.legacyKey,
      sessionId: input.session.id,
      userId: input.session.userId,
      exchangedAt: input.session.createdAt,
      legacyExpiresAt: input.legacyExpiresAt,
    });
    const existing = changes === 1 ? undefined : find(input.legacyKey);
    if (existing !== undefined) return { created: false, exchange: existing };
    insertSessionRows(sql, input);
    return { created: true };
  });
  return {
    async createLegacySession(input) {
      return exchange.immediate(input);
    },
    async findLegacyExchange(key) {
      return find(key);
    },
  };
}
