/** The signing keys on PostgreSQL: the {@link KeyStore} part of the store, whole sets written atomically. */
import { sameStoredKeys, type KeyStore, type StoredKey } from '../../keys/key-store.js';
import {
  queryRows,
  runTransaction,
  type PgClient,
  type PgPool,
  type PostgresScope,
} from './postgres-driver.js';

// bigint columns come back from node-postgres as strings; float8 comes back as a number and holds epoch ms exactly.
const KEY_COLUMNS = `kid, alg, created_at::float8 AS "createdAt", activates_at::float8 AS "activatesAt", retires_at::float8 AS "retiresAt", sealed_key AS "sealedKey"`;

/**
 * The key store of the PostgreSQL store. Writers lock the table first, so of several nodes offering a
 * first key at once exactly one set is stored and all read it back.
 *
 * @example
 * ```ts
 * const keys = createPostgresKeys({ pool, schemaName: 'public', quotedSchema: '"public"' });
 * const stored = await keys.initKeys([firstKey]);
 * ```
 */
export function createPostgresKeys({ pool, quotedSchema: s }: PostgresScope): KeyStore {
  const insertKeys = async (client: PgClient, keys: readonly StoredKey[]): Promise<void> => {
    for (const key of keys) {
      await client.query(
        `INSERT INTO ${s}.signing_keys (kid, alg, created_at, activates_at, retires_at, sealed_key) VALUES ($1, $2, $3, $4, $5, $6)`,
        [key.kid, key.alg, key.createdAt, key.activatesAt, key.retiresAt ?? null, key.sealedKey],
      );
    }
  };
  const loadKeys = (client: PgClient | PgPool): Promise<StoredKey[]> =>
    queryRows<StoredKey>(
      client,
      `SELECT ${KEY_COLUMNS} FROM ${s}.signing_keys ORDER BY created_at, kid`,
      [],
    );
  // SHARE ROW EXCLUSIVE conflicts with itself but not with readers: key writers queue, loadKeys does not.
  const lockKeys = (client: PgClient): Promise<unknown> =>
    client.query(`LOCK TABLE ${s}.signing_keys IN SHARE ROW EXCLUSIVE MODE`);

  return {
    async loadKeys() {
      return loadKeys(pool);
    },
    async saveKeys(keys) {
      await runTransaction(pool, async (client) => {
        await lockKeys(client);
        await client.query(`DELETE FROM ${s}.signing_keys`);
        await insertKeys(client, keys);
      });
    },
    async replaceKeys(expected, next) {
      return runTransaction(pool, async (client) => {
        await lockKeys(client);
        if (!sameStoredKeys(await loadKeys(client), expected)) return false;
        await client.query(`DELETE FROM ${s}.signing_keys`);
        await insertKeys(client, next);
        return true;
      });
    },
    async initKeys(keys) {
      return runTransaction(pool, async (client) => {
        await lockKeys(client);
        const [row] = await queryRows<{ count: number }>(
          client,
          `SELECT count(*)::int AS count FROM ${s}.signing_keys`,
          [],
        );
        if (row?.count === 0) await insertKeys(client, keys);
        return loadKeys(client);
      });
    },
  };
}
