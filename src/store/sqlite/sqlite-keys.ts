/** The signing keys on SQLite: the {@link KeyStore} part of the store, whole sets written atomically. */
import { sameStoredKeys, type KeyStore, type StoredKey } from '../../keys/key-store.js';
import type { SqliteScope, SqliteStatements } from './sqlite-driver.js';

const KEY_COLUMNS =
  'kid, alg, created_at AS createdAt, activates_at AS activatesAt, retires_at AS retiresAt, sealed_key AS sealedKey';

function selectKeys(sql: SqliteStatements): StoredKey[] {
  return sql(
    `SELECT ${KEY_COLUMNS} FROM signing_keys ORDER BY created_at, kid`,
  ).all() as StoredKey[];
}

function insertKeys(sql: SqliteStatements, keys: readonly StoredKey[]): void {
  const insert = sql(
    'INSERT INTO signing_keys (kid, alg, created_at, activates_at, retires_at, sealed_key) VALUES (@kid, @alg, @createdAt, @activatesAt, @retiresAt, @sealedKey)',
  );
  for (const key of keys) insert.run({ ...key, retiresAt: key.retiresAt ?? null });
}

/**
 * The key store of the SQLite store. `initKeys` counts and inserts in one `BEGIN IMMEDIATE` transaction,
 * so of several processes offering a first key at once exactly one set is stored and all read it back.
 *
 * @example
 * ```ts
 * const keys = createSqliteKeys({ db, sql: createStatementCache(db) });
 * const stored = await keys.initKeys([firstKey]);
 * ```
 */
export function createSqliteKeys({ db, sql }: SqliteScope): KeyStore {
  const saveKeys = db.transaction((keys: readonly StoredKey[]): void => {
    sql('DELETE FROM signing_keys').run();
    insertKeys(sql, keys);
  });
  const initKeys = db.transaction((keys: readonly StoredKey[]): StoredKey[] => {
    const { count } = sql('SELECT count(*) AS count FROM signing_keys').get() as { count: number };
    if (count === 0) insertKeys(sql, keys);
    return selectKeys(sql);
  });

  const replaceKeys = db.transaction(
    (expected: readonly StoredKey[], next: readonly StoredKey[]): boolean => {
      if (!sameStoredKeys(selectKeys(sql), expected)) return false;
      sql('DELETE FROM signing_keys').run();
      insertKeys(sql, next);
      return true;
    },
  );

  return {
    async loadKeys() {
      return selectKeys(sql);
    },
    async saveKeys(keys) {
      saveKeys.immediate(keys);
    },
    async initKeys(keys) {
      return initKeys.immediate(keys);
    },
    async replaceKeys(expected, next) {
      return replaceKeys.immediate(expected, next);
    },
  };
}
