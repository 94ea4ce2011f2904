import type { LegacyExchangeRow, LegacyExchangeStore } from '../legacy-exchange-store.js';
import {
  isStorableText,
  queryRows,
  runTransaction,
  type PostgresScope,
} from './postgres-driver.js';
import { insertSessionRows } from './postgres-sessions.js';

/**
 * The exchanged legacy tokens (issue 14), appended to the PostgreSQL migrations. No foreign key to
 * `sessions`: a session swept at its idle expiry must not free its legacy token for a second exchange.
 *
 * @example
 * ```ts
 * await client.query(postgresLegacyExchangesMigration('"public"'));
 * ```
 */
export function postgresLegacyExchangesMigration(s: string): string {
  return `
  CREATE TABLE ${s}.legacy_exchanges (
    key text PRIMARY KEY,
    session_id text NOT NULL,
    user_id text NOT NULL,
    exchanged_at bigint NOT NULL,
    legacy_expires_at bigint NOT NULL
  );
  CREATE INDEX legacy_exchanges_by_expiry ON ${s}.legacy_exchanges (legacy_expires_at);
  `;
}

const COLUMNS = `key, session_id AS "sessionId", user_id AS "userId", exchanged_at::float8 AS "exchangedAt",
  legacy_expires_at::float8 AS "legacyExpiresAt"`;

/**
 * The {@link LegacyExchangeStore} half of the PostgreSQL store. The key's insert and the session share
 * one transaction; a concurrent exchange of the same key waits on the primary key's index entry, then
 * inserts nothing and reads the winner's row (READ COMMITTED sees it once committed).
 *
 * @example
 * ```ts
 * Object.assign(store, createPostgresLegacyExchanges(scope));
 * ```
 */
export function createPostgresLegacyExchanges(scope: PostgresScope): LegacyExchangeStore {
  const { pool, quotedSchema: s } = scope;
  return {
    async createLegacySession(input) {
      return runTransaction(pool, async (client) => {
        // DO UPDATE (a no-op) rather than DO NOTHING, so the loser gets the winner's row from the same
        // statement; xmax = 0 only on a row this statement inserted.
        const [row] = await queryRows<LegacyExchangeRow & { inserted: boolean }>(
          client,
          `INSERT INTO ${s}.legacy_exchanges AS e (key, session_id, user_id, exchanged_at, legacy_expires_at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO UPDATE SET key = e.key
           RETURNING ${COLUMNS}, (xmax = 0) AS inserted`,
          [
            input.legacyKey,
            input.session.id,
            input.session.userId,
            input.session.createdAt,
            input.legacyExpiresAt,
          ],
        );
        if (row !== undefined && !row.inserted) {
          const { key, sessionId, userId, exchangedAt, legacyExpiresAt } = row;
          const exchange = { key, sessionId, userId, exchangedAt, legacyExpiresAt };
          return { created: false, exchange } as const;
        }
        await insertSessionRows(client, scope, input);
        return { created: true } as const;
      });
    },
    async findLegacyExchange(key) {
      if (!isStorableText(key)) return undefined;
      const [row] = await queryRows<LegacyExchangeRow>(
        pool,
        `SELECT ${COLUMNS} FROM ${s}.legacy_exchanges WHERE key = $1`,
        [key],
      );
      return row;
    },
  };
}
