// The email migration on a database that already has accounts, on SQLite and PostgreSQL: users keep
// their rows (unverified, epoch 0), tickets survive the one_time_tokens rebuild, and a reset token minted
// before the upgrade (no epoch: a password change back then could not kill it) is dead afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { redeemLinkToken } from '../../src/accounts/link-tokens.js';
import { hashSecret } from '../../src/secrets/opaque-secret.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/postgres-schema.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { postgresMailMigration } from '../../src/store/postgres/postgres-mail.js';
import { SQLITE_MAIL_MIGRATION } from '../../src/store/sqlite/sqlite-mail.js';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/sqlite-schema.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { AccountStore } from '../../src/store/account-store.js';
import { POSTGRES_URL } from '../support/scratch.js';

const T0 = 1_800_000_000_000;
const SECRET = 'r'.repeat(43);
const ID = 'i'.repeat(22);
// The schema as it was just before the email migration, wherever the merge put it in the list.
const BEFORE = SQLITE_MIGRATIONS.indexOf(SQLITE_MAIL_MIGRATION);
const PG_BEFORE = POSTGRES_MIGRATIONS.indexOf(postgresMailMigration);

const oldRows = [
  `INSERT INTO users (id, email, password_hash, created_at, password_changed_at) VALUES ('u1', 'ada@example.com', 'h', ${T0}, ${T0})`,
  `INSERT INTO one_time_tokens (id, kind, user_id, session_id, secret_hash, expires_at) VALUES ('${ID}', 'reset', 'u1', NULL, '${hashSecret(SECRET, undefined)}', ${T0 + 900_000})`,
  `INSERT INTO one_time_tokens (id, kind, user_id, session_id, secret_hash, expires_at) VALUES ('t1', 'ticket', 'u1', 's1', 'th', ${T0 + 30_000})`,
];

async function checkUpgraded(store: AccountStore): Promise<void> {
  expect(await store.findUserById('u1')).toMatchObject({
    email: 'ada@example.com',
    emailVerified: false,
    passwordEpoch: 0,
  });
  expect(
    await store.consumeOneTimeToken({ id: 't1', kind: 'ticket', secretHash: 'th', at: T0 }),
  ).toMatchObject({ userId: 'u1', sessionId: 's1', passwordEpoch: null });
  expect(
    await redeemLinkToken(store, { kind: 'reset', token: `tsp_${ID}.${SECRET}`, at: T0 }),
  ).toBeUndefined();
}

describe('the email migration on an existing database', () => {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-email-migration-'));
  const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
  const schema = `tessera_email_migration_${process.pid}`;
  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
    rmSync(directory, { recursive: true, force: true });
  });

  it('finds the email migration in both lists', () => {
    expect(BEFORE).toBeGreaterThan(0);
    expect(PG_BEFORE).toBeGreaterThan(0);
  });

  it('upgrades SQLite in place', async () => {
    const path = join(directory, 'old.db');
    const old = new Database(path);
    old.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    for (let version = 0; version < BEFORE; version++) {
      old.exec(SQLITE_MIGRATIONS[version] as string);
      old.prepare('INSERT INTO schema_version (version) VALUES (?)').run(version + 1);
    }
    for (const row of oldRows) old.exec(row);
    old.close();
    const store = createSqliteStore({ database: new Database(path) });
    await store.migrate();
    await checkUpgraded(store);
    await store.close();
  });

  it('upgrades PostgreSQL in place', async () => {
    const s = `"${schema}"`;
    await admin.query(`CREATE SCHEMA ${s}`);
    await admin.query(`CREATE TABLE ${s}.schema_version (version integer NOT NULL)`);
    for (let version = 0; version < PG_BEFORE; version++) {
      await admin.query((POSTGRES_MIGRATIONS[version] as (q: string) => string)(s));
      await admin.query(`INSERT INTO ${s}.schema_version (version) VALUES ($1)`, [version + 1]);
    }
    await admin.query(`SET search_path TO ${s}`);
    for (const row of oldRows) await admin.query(row);
    await admin.query('SET search_path TO public');
    const store = createPostgresStore({
      pool: new pg.Pool({ connectionString: POSTGRES_URL, max: 2 }),
      schema,
    });
    await store.migrate();
    await checkUpgraded(store);
    await store.close();
  });
});
