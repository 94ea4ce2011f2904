// Issue 15: `tessera keys secret` prints a fresh secret and nothing else on stdout; `tessera keys
// reseal` moves a keyring sealed under an old secret to the new one; `tessera config` shows neither.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyMaterial } from '../../src/keys/key-material.js';
import { sealFormatOf } from '../../src/keys/key-store.js';
import { findSecretWeakness } from '../../src/keys/secret-strength.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { sealV1 } from '../keys/v1-seal.js';

const run = promisify(execFile);
const BIN = join(process.cwd(), 'bin/tessera.js');
const directory = mkdtempSync(join(tmpdir(), 'tessera-keys-cli-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('tessera keys secret', () => {
  it('prints one fresh, strong secret on stdout and nothing else', async () => {
    const first = await run(process.execPath, [BIN, 'keys', 'secret']);
    const second = await run(process.execPath, [BIN, 'keys', 'secret']);
    expect(first.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(first.stderr).toBe('');
    expect(second.stdout).not.toBe(first.stdout);
    expect(findSecretWeakness(first.stdout.trim())).toBeUndefined();
  });
});

describe('tessera keys reseal', () => {
  it('re-seals a keyring sealed under 32 × "a" with PREVIOUS, and config hides both secrets', async () => {
    const db = join(directory, 'reseal.db');
    const weak = 'a'.repeat(32);
    const store = await openSqliteStore({ path: db });
    const entry = {
      key: await generateKeyMaterial({ alg: 'EdDSA' }),
      createdAt: 0,
      activatesAt: 0,
    };
    await store.initKeys([sealV1(entry, weak)]);
    await store.close();
    const secret = (await run(process.execPath, [BIN, 'keys', 'secret'])).stdout.trim();
    const env = { ...process.env, TESSERA_KEY_SECRET: secret, TESSERA_KEY_SECRET_PREVIOUS: weak };
    const resealed = await run(process.execPath, [BIN, 'keys', 'reseal', '--db', db], { env });
    expect(resealed.stderr).toMatch(/re-sealed 1 stored keys/);
    expect(resealed.stdout).toContain(entry.key.kid);
    expect(`${resealed.stdout}${resealed.stderr}`).not.toContain(secret);
    const check = await openSqliteStore({ path: db });
    expect((await check.loadKeys()).map(sealFormatOf)).toEqual(['v2']);
    await check.close();

    const { stdout } = await run(process.execPath, [BIN, 'config'], { env });
    expect(JSON.parse(stdout)).toMatchObject({ keySecret: 'set', keySecretPrevious: 'set' });
    expect(stdout).not.toContain(secret);
    expect(stdout).not.toContain(weak);
  });
});
