import type { SessionStore } from '../session-store.js';
import { postgresAccountsMigration, postgresTicketsMigration } from './postgres-accounts.js';
import { postgresMailMigration } from './postgres-mail.js';
import { postgresLegacyExchangesMigration } from './postgres-legacy.js';
import { LOCK_CLASS, queryRows, runTransaction, type PostgresScope } from './postgres-driver.js';
import { postgresFeedCredentialsMigration } from './postgres-feed-credentials.js';

/**
 * The PostgreSQL schema as numbered migrations, each a function of the quoted schema name. A migration is
 * only ever appended, never edited. Instants are epoch milliseconds in `bigint` columns; a later `users`
 * table (accounts) is one more entry.
 *
 * @example
 * ```ts
 * for (const migration of POSTGRES_MIGRATIONS) await client.query(migration('"tessera"'));
 * ```
 */
export const POSTGRES_MIGRATIONS: readonly ((schema: string) => string)[] = [
  (s: string): string => `
  CREATE TABLE ${s}.sessions (
    id text PRIMARY KEY,
    user_id text NOT NULL,
    client_id text NOT NULL,
    transport text NOT NULL CHECK (transport IN ('cookie', 'body')),
    claims text NOT NULL,
    created_at bigint NOT NULL,
    last_used_at bigint NOT NULL,
    idle_expires_at bigint NOT NULL,
    absolute_expires_at bigint NOT NULL,
    user_agent text,
    ip text,
    generation integer NOT NULL DEFAULT 0,
    rotated_at bigint,
    successor_sealed text,
    grace_count integer NOT NULL DEFAULT 0,
    revoked_at bigint,
    revoked_reason text
  );
  CREATE INDEX sessions_by_user ON ${s}.sessions (user_id, created_at);
  CREATE INDEX sessions_by_idle_expiry ON ${s}.sessions (idle_expires_at);
  CREATE INDEX sessions_by_absolute_expiry ON ${s}.sessions (absolute_expires_at);
  CREATE INDEX sessions_with_successor ON ${s}.sessions (rotated_at) WHERE successor_sealed IS NOT NULL;
  CREATE INDEX sessions_with_ip ON ${s}.sessions (last_used_at) WHERE ip IS NOT NULL;

  CREATE TABLE ${s}.refresh_tokens (
    id text PRIMARY KEY,
    session_id text NOT NULL REFERENCES ${s}.sessions (id) ON DELETE CASCADE,
    generation integer NOT NULL,
    secret_hash text NOT NULL,
    created_at bigint NOT NULL
  );
  CREATE INDEX refresh_tokens_by_session ON ${s}.refresh_tokens (session_id);

  -- Inserts are serialised by an advisory lock (see appendRevocations) so seq order is commit order.
  CREATE TABLE ${s}.revocations (
    seq bigserial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('session', 'user')),
    session_id text,
    user_id text NOT NULL,
    revoked_before bigint,
    except_session_id text,
    at bigint NOT NULL
  );
  CREATE INDEX revocations_by_at ON ${s}.revocations (at);

  CREATE TABLE ${s}.events (
    id bigserial PRIMARY KEY,
    at bigint NOT NULL,
    type text NOT NULL,
    user_id text,
    session_id text,
    ip text,
    detail text NOT NULL
  );
  CREATE INDEX events_by_user ON ${s}.events (user_id, at);
  CREATE INDEX events_by_session ON ${s}.events (session_id, at);
  CREATE INDEX events_by_at ON ${s}.events (at);

  CREATE TABLE ${s}.signing_keys (
    kid text PRIMARY KEY,
    alg text NOT NULL,
    created_at bigint NOT NULL,
    activates_at bigint NOT NULL,
    retires_at bigint,
    sealed_key text NOT NULL
  );
  `,
  postgresAccountsMigration,
  postgresTicketsMigration,
  postgresMailMigration,
  postgresLegacyExchangesMigration,
  postgresFeedCredentialsMigration,
  // The per-session rotation budget, held by the swap itself (rotationsPerMinute in session-store.ts).
  (s: string): string => `
  ALTER TABLE ${s}.sessions ADD COLUMN rotation_window_start bigint,
    ADD COLUMN rotation_count integer NOT NULL DEFAULT 0;
  `,
];

/**
 * The store's `migrate()`: creates the schema when missing and applies the migrations it lacks, in one
 * transaction under an advisory lock per schema, so nodes starting together migrate one after another.
 *
 * @example
 * ```ts
 * await createPostgresMigration({ pool, schemaName: 'public', quotedSchema: '"public"' }).migrate();
 * ```
 */
export function createPostgresMigration({
  pool,
  schemaName,
  quotedSchema: s,
}: PostgresScope): Pick<SessionStore, 'migrate'> {
  return {
    async migrate() {
      await runTransaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
          LOCK_CLASS.migrate,
          schemaName,
        ]);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${s}.schema_version (version integer NOT NULL)`,
        );
        const [row] = await queryRows<{ version: number | null }>(
          client,
          `SELECT max(version) AS version FROM ${s}.schema_version`,
          [],
        );
        for (let version = row?.version ?? 0; version < POSTGRES_MIGRATIONS.length; version += 1) {
          await client.query(POSTGRES_MIGRATIONS[version]?.(s) ?? '');
          await client.query(`INSERT INTO ${s}.schema_version (version) VALUES ($1)`, [
            version + 1,
          ]);
        }
      });
    },
  };
}
