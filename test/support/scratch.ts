import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll } from 'vitest';

/** The test database; no skip when it is missing: the suites fail in their setup instead. */
export const POSTGRES_URL =
  process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A temp directory and fresh PostgreSQL schemas for one test file, all removed after it. */
export interface Scratch {
  readonly directory: string;
  readonly admin: pg.Pool;
  /** A new schema name, dropped (with everything in it) after the file's tests. */
  schema(prefix: string): string;
}

export function useScratch(name: string): Scratch {
  const directory = mkdtempSync(join(tmpdir(), `tessera-${name}-`));
  const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  const schemas: string[] = [];
  afterAll(async () => {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
    rmSync(directory, { recursive: true, force: true });
  });
  return {
    directory,
    admin,
    schema(prefix) {
      const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
      schemas.push(schema);
      return schema;
    },
  };
}
