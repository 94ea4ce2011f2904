/**
 * The revocation feed on PostgreSQL: revoking sessions and users, the numbered records pollers read, and
 * the LISTEN/NOTIFY wake-up. Inserts into the feed hold a transaction-level advisory lock, so `seq` order
 * is commit order and a poller never skips a record still being committed.
 */
import type { RevocationReason } from '../vocabulary.js';
import { readFeedCursor, readPageLimit } from '../query-inputs.js';
import {
  sessionRevocationColumns,
  toRevocationRecord,
  userRevocationColumns,
  type NewRevocationColumns,
  type RevocationColumns,
} from '../revocation-row.js';
import type { RevocationRecord, SessionStore } from '../session-store.js';
import {
  LOCK_CLASS,
  queryRows,
  isStorableText,
  runTransaction,
  type PgClient,
  type PostgresScope,
} from './postgres-driver.js';
import { listenForRevocations, pollForRevocations } from './postgres-listen.js';

/** The channel `onRevocation` listens on; the payload is the schema, so stores in other schemas ignore it. */
const CHANNEL = 'tessera_revocations';
// bigint columns come back from node-postgres as strings; float8 comes back as a number and holds epoch ms exactly.
const REVOCATION_COLUMNS = `seq::float8 AS seq, kind, session_id AS "sessionId", user_id AS "userId", revoked_before::float8 AS "revokedBefore",
  except_session_id AS "exceptSessionId", at::float8 AS at`;

/**
 * Takes the feed lock for the rest of the caller's transaction. Taken before any row lock, always in that
 * order, so revocations cannot deadlock each other.
 *
 * @example
 * ```ts
 * await lockFeed(client, scope.schemaName);
 * ```
 */
export async function lockFeed(client: PgClient, schemaName: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
    LOCK_CLASS.feed,
    schemaName,
  ]);
}

async function appendRevocation(
  client: PgClient,
  { quotedSchema: s, schemaName }: PostgresScope,
  record: NewRevocationColumns,
): Promise<RevocationRecord> {
  const [row] = await queryRows<RevocationColumns>(
    client,
    `INSERT INTO ${s}.revocations (kind, session_id, user_id, revoked_before, except_session_id, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${REVOCATION_COLUMNS}`,
    [
      record.kind,
      record.sessionId,
      record.userId,
      record.revokedBefore,
      record.exceptSessionId,
      record.at,
    ],
  );
  await client.query('SELECT pg_notify($1, $2)', [CHANNEL, schemaName]);
  return toRevocationRecord(row as RevocationColumns);
}

/**
 * Revokes the live sessions among `ids` and appends one feed record each, inside the caller's transaction,
 * which must already hold {@link lockFeed}. Exported for login, which evicts sessions over the limit.
 *
 * @example
 * ```ts
 * await lockFeed(client, scope.schemaName);
 * await revokeSessionRows(client, scope, evictedIds, session.createdAt, 'session_limit');
 * ```
 */
export async function revokeSessionRows(
  client: PgClient,
  scope: PostgresScope,
  ids: readonly string[],
  at: number,
  reason: RevocationReason,
): Promise<RevocationRecord[]> {
  const revoked = await queryRows<{ id: string; userId: string }>(
    client,
    `UPDATE ${scope.quotedSchema}.sessions SET revoked_at = $2, revoked_reason = $3, successor_sealed = NULL
       WHERE id = ANY($1::text[]) AND revoked_at IS NULL RETURNING id, user_id AS "userId"`,
    [ids, at, reason],
  );
  const records: RevocationRecord[] = [];
  for (const row of revoked)
    records.push(
      await appendRevocation(
        client,
        scope,
        sessionRevocationColumns({ sessionId: row.id, userId: row.userId, at }),
      ),
    );
  return records;
}

/** The revocation half of {@link SessionStore} that {@link createPostgresRevocations} implements. */
export type PostgresRevocationMethods = Pick<
  SessionStore,
  'revokeSession' | 'revokeUser' | 'listRevocations' | 'onRevocation'
>;

/**
 * How `onRevocation` learns of other nodes' revocations: `listen` (LISTEN/NOTIFY on a dedicated
 * connection) or `poll` (the feed's highest `seq` every `intervalMs`, for transaction-mode poolers).
 */
export type RevocationWake =
  { readonly mode: 'listen' } | { readonly mode: 'poll'; readonly intervalMs?: number };

/**
 * The revocation feed of the PostgreSQL store, with `onRevocation` pushing a wake-up to every node
 * listening on the same schema (or, with `wake.mode` `poll`, polling for it).
 *
 * @example
 * ```ts
 * const feed = createPostgresRevocations({ pool, schemaName: 'public', quotedSchema: '"public"' });
 * const records = await feed.listRevocations({ afterSeq: 0, limit: 100 });
 * ```
 */
export function createPostgresRevocations(
  scope: PostgresScope,
  wake: RevocationWake = { mode: 'listen' },
): PostgresRevocationMethods {
  const { pool, schemaName, quotedSchema: s } = scope;
  return {
    async revokeSession(input) {
      if (!isStorableText(input.sessionId)) return undefined;
      const [record] = await runTransaction(pool, async (client) => {
        await lockFeed(client, schemaName);
        return revokeSessionRows(client, scope, [input.sessionId], input.at, input.reason);
      });
      return record;
    },
    async revokeUser(input) {
      return runTransaction(pool, async (client) => {
        await lockFeed(client, schemaName);
        await client.query(
          `UPDATE ${s}.sessions SET revoked_at = $2, revoked_reason = $3, successor_sealed = NULL
           WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $4`,
          [input.userId, input.at, input.reason, input.exceptSessionId],
        );
        return appendRevocation(client, scope, userRevocationColumns(input));
      });
    },
    async listRevocations(input) {
      const limit = readPageLimit(input.limit);
      if (limit === undefined) return [];
      const found = await queryRows<RevocationColumns>(
        pool,
        `SELECT ${REVOCATION_COLUMNS} FROM ${s}.revocations WHERE seq > $1 ORDER BY seq LIMIT $2`,
        // Whole, because `seq` is bigint and a fractional parameter would be a driver error.
        [Math.floor(readFeedCursor(input.afterSeq)), limit],
      );
      return found.map(toRevocationRecord);
    },
    async onRevocation(listener) {
      if (wake.mode === 'poll')
        return pollForRevocations({
          pool,
          table: `${s}.revocations`,
          listener,
          ...(wake.intervalMs === undefined ? {} : { intervalMs: wake.intervalMs }),
        });
      return listenForRevocations({ pool, channel: CHANNEL, schemaName, listener });
    },
  };
}
