// `tessera users import`: hostile import files against real SQLite (through the command itself) and
// real PostgreSQL (through the same import function), each refused row named by number and reason,
// nothing half-imported, and imported accounts signing in with their old passwords.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import bcrypt from 'bcryptjs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createAccounts } from '../../src/accounts/accounts.js';
import { main } from '../../src/cli/main.js';
import { importUserFile, type ImportReport } from '../../src/cli/user-import.js';
import { isTesseraError } from '../../src/errors/tessera-error.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const directory = mkdtempSync(join(tmpdir(), 'tessera-import-'));
const PG_URL = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
const schemas: string[] = [];
afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

const PASSWORD = 'correct horse battery';
const BCRYPT = bcrypt.hashSync(PASSWORD, 4);
const SCRYPT =
  '$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk';
// scrypt's parameters hold commas: in CSV the hash goes in double quotes, as any CSV writer puts it.
const SCRYPT_CSV = `"${SCRYPT}"`;
const DJANGO = 'pbkdf2_sha256$1000$seasalt1234$dVCseRolHWXn3dKCrJlqQnEHNpty/gC2g6pUYtCGT/4=';

let files = 0;
function file(name: string, text: string): string {
  const path = join(directory, `${(files += 1)}-${name}`);
  writeFileSync(path, text);
  return path;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((err += chunk), true)) as typeof process.stderr.write;
  try {
    return { code: await main(args), out, err };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

function userCount(db: string): number {
  const database = new Database(db, { readonly: true });
  try {
    return (database.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  } finally {
    database.close();
  }
}

const GOOD_CSV = `id,email,hash\n1001,ada@example.com,${BCRYPT}\n1002,"Grace@Example.com",${SCRYPT_CSV}\n1003,linus@example.com,${DJANGO}\n`;

describe('tessera users import on SQLite', () => {
  it('a dry run reports and writes nothing; the import writes all rows, keeping the old ids', async () => {
    const db = join(directory, 'good.db');
    const path = file('good.csv', GOOD_CSV);
    const dry = await cli(['users', 'import', path, '--dry-run', '--db', db]);
    expect(dry).toMatchObject({ code: 0, err: '' });
    expect(dry.out).toBe(
      'Dry run: all 3 row(s) would be imported (bcrypt 1, scrypt 1, pbkdf2 1).\n',
    );
    expect(userCount(db)).toBe(0);
    const real = await cli(['users', 'import', path, '--db', db]);
    expect(real.out).toBe('Imported 3 user(s) (bcrypt 1, scrypt 1, pbkdf2 1).\n');
    expect(real.code).toBe(0);
    // Importing it again: every row is already stored, and it says so per row.
    const again = await cli(['users', 'import', path, '--db', db]);
    expect(again.code).toBe(1);
    expect(again.out.split('\n').slice(0, 3)).toEqual([
      'row 1: id-exists (an account with this id is already stored)',
      'row 2: id-exists (an account with this id is already stored)',
      'row 3: id-exists (an account with this id is already stored)',
    ]);
    const store = createSqliteStore({ database: new Database(db) });
    try {
      const accounts = createAccounts({ store });
      expect((await accounts.login('grace@example.com', PASSWORD)).id).toBe('1002');
      expect((await store.findUserById('1002'))?.passwordHash).toMatch(/^\$argon2id\$/);
    } finally {
      await store.close();
    }
  });

  it('a hostile file is refused row by row, and not one row of it is written', async () => {
    const db = join(directory, 'hostile.db');
    const rows = [
      `1,ok@example.com,${BCRYPT}`, // 1: fine on its own
      `2,huge@example.com,$2b$31$${BCRYPT.slice(7)}`, // 2: cost far above the cap
      `3,trunc@example.com,${BCRYPT.slice(0, -5)}`, // 3: truncated
      `4,b64@example.com,"$scrypt$ln=10,r=8,p=1$AAEC*wQFBgcICQoLDA0ODw$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk"`, // 4
      `5,x@example.com,$2x$10$${BCRYPT.slice(7)}`, // 5: crypt_blowfish's bug marker
      `"=HYPERLINK(""http://evil"")",formula@example.com,${BCRYPT}`, // 6: a formula as the id
      `7,"a@example.com"x,${BCRYPT}`, // 7: text after a closing quote
      `8,q"uote@example.com,${BCRYPT}`, // 8: a quote inside an unquoted field
      `9,OK@Example.COM,${SCRYPT_CSV}`, // 9: row 1's email in another case
      `1,other@example.com,${SCRYPT_CSV}`, // 10: row 1's id
      `11,\u212Aate@example.com,${SCRYPT_CSV}`, // 11: KELVIN SIGN lower-cases to an ASCII k
      `12,jose\u0301@example.com,${SCRYPT_CSV}`, // 12: a combining accent (NFD)
      `13,two@example.com`, // 13: a field missing
      `14,comma@example.com,${SCRYPT}`, // 14: an unquoted scrypt hash splits into five fields
      `15,"multi`, // 15: a quote never closed (it would swallow every line after it)
    ];
    const path = file('hostile.csv', `id,email,hash\r\n${rows.join('\r\n')}\r\n`);
    const { code, out } = await cli(['users', 'import', path, '--db', db]);
    expect(code).toBe(1);
    const reasons = out
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('row '))
      .map((line) => /^row (\d+): ([a-z-]+)/.exec(line)?.slice(1).join(' '));
    expect(reasons).toEqual([
      '2 hash-cost-too-high',
      '3 hash-encoding-invalid',
      '4 hash-encoding-invalid',
      '5 hash-format-unknown',
      '6 id-invalid',
      '7 line-malformed',
      '8 line-malformed',
      '9 email-duplicate',
      '10 id-duplicate',
      '11 email-invalid',
      '12 email-invalid',
      '13 line-malformed',
      '14 line-malformed',
      '15 line-malformed',
    ]);
    expect(out).toContain('14 problem(s) in 15 row(s); nothing was imported.');
    expect(out).toContain(
      "row 14: line-malformed (line 15: has 5 fields, not 3; a hash with commas, like scrypt's, goes in double quotes)",
    );
    expect(out).toContain(
      'row 9: email-duplicate (the same email as row 1 (compared lower-cased))',
    );
    // No hash and no email is echoed in the report.
    expect(out).not.toContain('example.com');
    expect(out).not.toContain(BCRYPT.slice(7, 20));
    expect(userCount(db)).toBe(0);
  });

  it('reads JSON rows, taking integer ids as strings, and refuses a field named twice', async () => {
    const db = join(directory, 'json.db');
    const good = file(
      'users.json',
      JSON.stringify([
        { id: 42, email: 'int@example.com', hash: BCRYPT },
        { id: 'b7', email: 'str@example.com', hash: DJANGO },
      ]),
    );
    expect((await cli(['users', 'import', good, '--db', db])).code).toBe(0);
    const store = createSqliteStore({ database: new Database(db) });
    expect((await store.findUserByEmail('int@example.com'))?.id).toBe('42');
    await store.close();
    const twice = file(
      'twice.json',
      `[{"id":"9","email":"t@example.com","hash":"${DJANGO}","hash":"${BCRYPT}"}]`,
    );
    expect(await cli(['users', 'import', twice, '--db', db])).toEqual({
      code: 1,
      out: '',
      err: 'tessera users: A JSON row names one field twice.\n',
    });
    const shapes = file(
      'shapes.json',
      JSON.stringify([
        { id: -1, email: 'neg@example.com', hash: BCRYPT },
        { id: '10', email: 'extra@example.com', hash: BCRYPT, admin: true },
        ['11', 'arr@example.com', BCRYPT],
        { id: '12', email: 'num@example.com', hash: 12 },
      ]),
    );
    const refused = await cli(['users', 'import', shapes, '--db', db]);
    expect(refused.out.split('\n').slice(0, 4)).toEqual([
      'row 1: id-invalid (an id is 1 to 128 of A-Z a-z 0-9 . _ : @ | + -, starting with a letter, digit or _)',
      'row 2: line-malformed (needs exactly id, email and hash)',
      'row 3: line-malformed (needs exactly id, email and hash)',
      'row 4: hash-format-unknown (the hash is not a string)',
    ]);
    expect(userCount(db)).toBe(2);
  });

  it('answers a bad header, a bad command line and a missing file with a message, not a stack', async () => {
    const db = join(directory, 'usage.db');
    const header = file('header.csv', `user,mail,pw\n1,a@example.com,${BCRYPT}\n`);
    expect(await cli(['users', 'import', header, '--db', db])).toMatchObject({
      code: 1,
      err: 'tessera users: The CSV import file must start with the header id,email,hash (in any order).\n',
    });
    expect((await cli(['users', 'export', header])).code).toBe(2);
    expect((await cli(['users', 'import'])).code).toBe(2);
    expect((await cli(['users', 'import', header, '--format', 'xml'])).code).toBe(2);
    const missing = await cli(['users', 'import', join(directory, 'nope.csv'), '--db', db]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^tessera users: ENOENT/);
  });
});

describe('the import on PostgreSQL', () => {
  const open = (): ReturnType<typeof createPostgresStore> => {
    const schema = `tessera_import_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    return createPostgresStore({ pool: new pg.Pool({ connectionString: PG_URL, max: 4 }), schema });
  };
  const run = (
    store: ReturnType<typeof open>,
    text: string,
    dryRun = false,
  ): Promise<ImportReport> => importUserFile(store, text, { format: 'csv', dryRun, now: 1 });

  it('imports whole, refuses stored conflicts without writing, and signs the users in', async () => {
    const store = open();
    await store.migrate();
    try {
      expect((await run(store, GOOD_CSV, true)).imported).toBe(0);
      expect(await store.findUserById('1001')).toBeUndefined();
      expect(await run(store, GOOD_CSV)).toMatchObject({ rows: 3, imported: 3, refusals: [] });
      const second = `id,email,hash\n2001,new@example.com,${BCRYPT}\n2002,ADA@example.com,${SCRYPT_CSV}\n`;
      expect(await run(store, second)).toEqual({
        rows: 2,
        imported: 0,
        refusals: [
          {
            row: 2,
            reason: 'email-exists',
            detail: 'an account with this email is already stored',
          },
        ],
        schemes: { bcrypt: 1, scrypt: 1 },
      });
      expect(await store.findUserById('2001')).toBeUndefined();
      const accounts = createAccounts({ store });
      expect((await accounts.login('linus@example.com', PASSWORD)).id).toBe('1003');
    } finally {
      await store.close();
    }
  });

  it('refuses a NUL inside a quoted field before it reaches the database', async () => {
    const store = open();
    await store.migrate();
    try {
      const report = await run(store, `id,email,hash\n"1\u0000",nul@example.com,${BCRYPT}\n`);
      expect(report.refusals.map((refusal) => refusal.reason)).toEqual(['id-invalid']);
    } finally {
      await store.close();
    }
  });
});

it('a file that is not JSON is IMPORT_INVALID', async () => {
  const error = await importUserFile({ importUsers: async () => [] }, '[{', {
    format: 'json',
    dryRun: true,
    now: 0,
  }).catch((caught: unknown) => caught);
  expect(isTesseraError(error) && error.code).toBe('IMPORT_INVALID');
});
