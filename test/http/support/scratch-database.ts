// A PostgreSQL database of its own for one HTTP test file: `tessera serve` keeps its tables in the
// public schema, so a scratch schema is not enough.
import pg from 'pg';
import { POSTGRES_URL } from '../../support/scratch.js';

/** A fresh database's URL, and how to drop it (its connections too) when the tests are done. */
export interface ScratchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * Creates a fresh, empty database on the test PostgreSQL server.
 *
 * @example
 * ```ts
 * const database = await createScratchDatabase('flood');
 * const test = await createTestServer({ 'database-url': database.url });
 * await database.drop();
 * ```
 */
export async function createScratchDatabase(label: string): Promise<ScratchDatabase> {
  const name = `tessera_${label}_${process.pid}_${Date.now()}`;
  const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}
