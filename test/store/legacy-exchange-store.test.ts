import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { newSession, T0, DAY } from '../../src/store/testing/fixtures.js';
import { runLegacyExchangeConformance } from '../../src/store/testing.js';

const URL = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const admin = new pg.Pool({ connectionString: URL, max: 2 });
const schemas: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'tessera-legacy-store-'));
let n = 0;
afterAll(async () => {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
});

runLegacyExchangeConformance({
  name: 'sqlite',
  createStore: async () =>
    createSqliteStore({ database: new Database(join(dir, `${String(n++)}.db`)) }),
});
runLegacyExchangeConformance({
  name: 'postgres',
  createStore: async () => {
    const schema = `tessera_test_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    return createPostgresStore({
      pool: new pg.Pool({ connectionString: URL, max: 8, connectionTimeoutMillis: 10_000 }),
      schema,
    });
  },
});

describe('legacy exchanges on one SQLite file from two connections', () => {
  it('gives the key to the first connection only', async () => {
    const path = join(dir, 'shared.db');
    const a = createSqliteStore({ database: new Database(path) });
    const b = createSqliteStore({ database: new Database(path) });
    try {
      await a.migrate();
      await b.migrate();
      const first = newSession({ userId: 'u-shared' });
      const second = newSession({ userId: 'u-shared' });
      const key = 'sig:shared';
      const results = await Promise.all([
        a.createLegacySession({ ...first, legacyKey: key, legacyExpiresAt: T0 + DAY }),
        b.createLegacySession({ ...second, legacyKey: key, legacyExpiresAt: T0 + DAY }),
      ]);
      expect(results.map((result) => result.created)).toEqual([true, false]);
      expect(await b.listSessions('u-shared')).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
