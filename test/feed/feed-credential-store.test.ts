import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll } from 'vitest';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runFeedCredentialStoreConformance } from '../../src/store/testing.js';

const directory = mkdtempSync(join(tmpdir(), 'tessera-feed-store-'));
const URL = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const admin = new pg.Pool({ connectionString: URL, max: 1 });
const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
  rmSync(directory, { recursive: true, force: true });
});

let count = 0;
runFeedCredentialStoreConformance({
  name: 'sqlite',
  createStore: async () =>
    createSqliteStore({ database: new Database(join(directory, `s-${(count += 1)}.db`)) }),
});
runFeedCredentialStoreConformance({
  name: 'postgres',
  createStore: async () => {
    const schema = `tessera_feed_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    return createPostgresStore({
      pool: new pg.Pool({ connectionString: URL, max: 8 }),
      schema,
    });
  },
});
