import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/sqlite-schema.js';
import { runAccountStoreConformance, runStoreConformance } from '../../src/store/testing.js';

const directory = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let count = 0;
const freshPath = (): string => join(directory, `store-${(count += 1)}.db`);

runStoreConformance({
  name: 'sqlite',
  createStore: async () => createSqliteStore({ database: new Database(freshPath()) }),
});

describe('sqlite store setup', () => {
  it('sets WAL, a 5 s busy timeout, foreign keys and synchronous=NORMAL on its connection', async () => {
    const database = new Database(freshPath());
    const store = createSqliteStore({ database });
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(database.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(database.pragma('synchronous', { simple: true })).toBe(1);
    await store.close();
    const durable = new Database(freshPath());
    createSqliteStore({ database: durable, synchronous: 'FULL' });
    expect(durable.pragma('synchronous', { simple: true })).toBe(2);
    durable.close();
  });

  it('opens a file in a directory that does not exist yet, migrated and ready', async () => {
    const path = join(directory, 'nested', 'deeper', 'tessera.db');
    const store = await openSqliteStore({ path });
    expect(await store.initKeys([])).toEqual([]);
    await store.close();
    const reader = new Database(path, { readonly: true });
    expect(reader.prepare('SELECT max(version) AS version FROM schema_version').get()).toEqual({
      version: SQLITE_MIGRATIONS.length,
    });
    expect(reader.pragma('journal_mode', { simple: true })).toBe('wal');
    reader.close();
  });

  it('creates its directory 0700 and the file with its -wal and -shm 0600, whatever the umask', async () => {
    const previous = process.umask(0o000);
    try {
      const path = join(directory, 'private', 'tessera.db');
      const store = await openSqliteStore({ path });
      // A write while open, so the -wal and -shm files exist to be looked at.
      await store.appendEvent({
        at: 1,
        type: 'login',
        userId: 'u',
        sessionId: null,
        ip: null,
        detail: '{}',
      });
      const mode = (file: string): number => statSync(file).mode & 0o777;
      expect(mode(join(directory, 'private'))).toBe(0o700);
      expect([mode(path), mode(`${path}-wal`), mode(`${path}-shm`)]).toEqual([0o600, 0o600, 0o600]);
      await store.close();
    } finally {
      process.umask(previous);
    }
  });

  it('leaves the mode of an existing file as it was (its owner chose it) and opens it', async () => {
    const path = join(directory, 'existing.db');
    writeFileSync(path, '', { mode: 0o640 });
    const store = await openSqliteStore({ path });
    expect(await store.initKeys([])).toEqual([]);
    await store.close();
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });
});

runAccountStoreConformance({
  name: 'sqlite',
  createStore: async () => {
    count += 1;
    return createSqliteStore({ database: new Database(join(directory, `accounts-${count}.db`)) });
  },
});
