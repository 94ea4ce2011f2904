// `tessera feeds` through the real binary on a real SQLite file: the credential printed once (alone on
// stdout), stored only as a hash, listed without secrets, revoked by name.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTesseraError } from '../../src/errors/tessera-error.js';
import { createFeedCredentials } from '../../src/sessions/feed-credentials.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';

const BIN = join(process.cwd(), 'bin/tessera.js');
const dir = mkdtempSync(join(tmpdir(), 'tessera-feeds-'));
const db = join(dir, 'tessera.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tessera(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr });
    });
  });
}

async function authenticate(value: string): Promise<unknown> {
  const store = await openSqliteStore({ path: db });
  try {
    return await createFeedCredentials({ store }).authenticate(value);
  } catch (error) {
    return isTesseraError(error) ? error.code : error;
  } finally {
    await store.close();
  }
}

describe('tessera feeds', () => {
  let credential = '';

  it('creates a credential and prints it alone on stdout, once', async () => {
    const created = await tessera('feeds', 'create', 'billing-api', '--db', db);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^tsf_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\n$/);
    expect(created.stderr).toMatch(/shown once.*TESSERA_FEED_CREDENTIAL/);
    credential = created.stdout.trim();
    expect(await authenticate(credential)).toEqual({ name: 'billing-api' });
  });

  it('refuses a second live credential of one name, and a name that needs quoting', async () => {
    const again = await tessera('feeds', 'create', 'billing-api', '--db', db);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/REQUEST_INVALID: A live feed credential is already named/);
    const spaced = await tessera('feeds', 'create', 'two words', '--db', db);
    expect(spaced.code).toBe(1);
    expect(spaced.stderr).toMatch(/1 to 63 letters/);
  });

  it('lists names, states and times, never the secret or its hash', async () => {
    await tessera('feeds', 'create', 'search-api', '--db', db);
    const listed = await tessera('feeds', 'list', '--db', db);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      /^billing-api\s+live\s+created \S+\nsearch-api\s+live\s+created \S+\n$/,
    );
    const json = await tessera('feeds', 'list', '--json', '--db', db);
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(rows.map((row) => Object.keys(row).sort())).toEqual([
      ['createdAt', 'name', 'revokedAt', 'state'],
      ['createdAt', 'name', 'revokedAt', 'state'],
    ]);
    const secret = credential.split('.')[1] ?? '';
    expect(listed.stdout + json.stdout).not.toContain(secret);
    expect(listed.stdout + json.stdout).not.toContain(credential.slice(4, 26));
  });

  it('revokes by name: the feed refuses the credential, the other one still opens it', async () => {
    const revoked = await tessera('feeds', 'revoke', 'billing-api', '--db', db);
    expect(revoked.code).toBe(0);
    expect(await authenticate(credential)).toBe('FEED_CREDENTIAL_REVOKED');
    const twice = await tessera('feeds', 'revoke', 'billing-api', '--db', db);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/no live feed credential is named "billing-api"/);
    const listed = await tessera('feeds', 'list', '--db', db);
    expect(listed.stdout).toMatch(/^billing-api\s+revoked\s+created \S+\s+revoked \S+\n/);
  });

  it('answers usage mistakes with the usage and exit code 2, and --help with 0', async () => {
    for (const args of [
      ['feeds'],
      ['feeds', 'create'],
      ['feeds', 'list', 'x'],
      ['feeds', 'drop', 'x'],
    ]) {
      const answer = await tessera(...args, '--db', db);
      expect(answer.code).toBe(2);
      expect(answer.stderr).toMatch(/^Usage: tessera feeds/);
    }
    const help = await tessera('feeds', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: tessera feeds/);
  });
});
