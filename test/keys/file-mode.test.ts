// Issue 15: Tessera never widens or silently fixes a file's mode; an existing key file or database
// that others can read is reported at start with its path, its mode and the chmod that fixes it.
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileKeyStore } from '../../src/keys/file-key-store.js';
import type { FileModeWarning } from '../../src/keys/file-mode.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';

const directory = mkdtempSync(join(tmpdir(), 'tessera-modes-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('file-mode warnings', () => {
  it('reports a 0644 key file once, with the fix, and leaves its mode alone', async () => {
    const path = join(directory, 'keys.json');
    writeFileSync(path, '{"keys":[]}\n', { mode: 0o644 });
    chmodSync(path, 0o644);
    const warnings: FileModeWarning[] = [];
    const store = createFileKeyStore({ path, onFileModeWarning: (w) => void warnings.push(w) });
    await store.loadKeys();
    await store.loadKeys();
    expect(warnings).toEqual([
      { path, mode: '0644', message: expect.stringContaining(`chmod 600 ${path}`) as string },
    ]);
    expect(statSync(path).mode & 0o777).toBe(0o644);
  });

  it('says nothing about a 0600 key file', async () => {
    const path = join(directory, 'private.json');
    writeFileSync(path, '{"keys":[]}\n', { mode: 0o600 });
    const warnings: FileModeWarning[] = [];
    await createFileKeyStore({ path, onFileModeWarning: (w) => void warnings.push(w) }).loadKeys();
    expect(warnings).toEqual([]);
  });

  it('reports a group-readable SQLite file and its -wal, and a fresh one not at all', async () => {
    const fresh: FileModeWarning[] = [];
    const db = join(directory, 'sessions.db');
    const first = await openSqliteStore({ path: db, onFileModeWarning: (w) => void fresh.push(w) });
    await first.close();
    expect(fresh).toEqual([]);
    chmodSync(db, 0o640);
    writeFileSync(`${db}-wal`, '', { mode: 0o664 });
    chmodSync(`${db}-wal`, 0o664);
    const warnings: FileModeWarning[] = [];
    const store = await openSqliteStore({
      path: db,
      onFileModeWarning: (w) => void warnings.push(w),
    });
    await store.close();
    expect(warnings.map((w) => [w.path, w.mode])).toContainEqual([db, '0640']);
    // SQLite may recreate the -wal with the main file's mode; either way it is named.
    expect(warnings.map((w) => w.path)).toContain(`${db}-wal`);
    expect(statSync(db).mode & 0o777).toBe(0o640);
  });
});
