// Issue 15: sealed keys are stretched (v2, scrypt), old v1 records still open, and the GCM tag is
// pinned to 16 bytes for sealed keys and for grace-window successors. Records here are built by hand.
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isTesseraError } from '../../src/errors/tessera-error.js';
import { generateKeyMaterial } from '../../src/keys/key-material.js';
import {
  openStoredKey,
  sealFormatOf,
  sealKeyringEntry,
  type StoredKey,
} from '../../src/keys/key-store.js';
import type { KeyringEntry } from '../../src/keys/keyring.js';
import { openSuccessor, sealSuccessor } from '../../src/sessions/successor-seal.js';
import { sealV1 } from './v1-seal.js';

const SECRET = randomBytes(32).toString('base64url');

async function entry(): Promise<KeyringEntry> {
  return { key: await generateKeyMaterial({ alg: 'EdDSA' }), createdAt: 0, activatesAt: 0 };
}

function openError(stored: StoredKey, secret = SECRET): unknown {
  try {
    openStoredKey(stored, { encryptionSecret: secret });
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('sealed key records', () => {
  it('seals new records as v2 (salted, stretched) and opens them again', async () => {
    const source = await entry();
    const stored = sealKeyringEntry(source, { encryptionSecret: SECRET });
    expect(sealFormatOf(stored)).toBe('v2');
    const opened = openStoredKey(stored, { encryptionSecret: SECRET });
    expect(opened.key.kid).toBe(source.key.kid);
    const again = openStoredKey(stored, { encryptionSecret: SECRET });
    expect(again.key.publicKey.export({ format: 'jwk' })).toEqual(
      source.key.publicKey.export({ format: 'jwk' }),
    );
  });

  it('still opens a v1 record sealed before the upgrade (no logout)', async () => {
    const source = await entry();
    const opened = openStoredKey(sealV1(source, SECRET), { encryptionSecret: SECRET });
    expect(opened.key.publicKey.export({ format: 'jwk' })).toEqual(
      source.key.publicKey.export({ format: 'jwk' }),
    );
  });

  it('refuses a v2 record under another secret with KEY_INVALID secret-mismatch', async () => {
    const stored = sealKeyringEntry(await entry(), { encryptionSecret: SECRET });
    const error = openError(stored, randomBytes(32).toString('base64url'));
    expect(isTesseraError(error, 'KEY_INVALID')).toBe(true);
    expect((error as { facts: { reason: string } }).facts.reason).toBe('secret-mismatch');
  });

  it.each([4, 12])(
    'refuses a v1 record whose GCM tag is %i bytes (sealed so, a valid short tag)',
    async (tagBytes) => {
      // Without a pinned tag length, GCM would accept this record's own short tag.
      const error = openError(sealV1(await entry(), SECRET, tagBytes));
      expect(isTesseraError(error, 'KEY_INVALID')).toBe(true);
    },
  );

  it.each([4, 12])('refuses a v2 record with its tag cut to %i bytes', async (tagBytes) => {
    const stored = sealKeyringEntry(await entry(), { encryptionSecret: SECRET });
    const raw = Buffer.from(stored.sealedKey.slice(3), 'base64url');
    const cut = raw.subarray(0, raw.length - 16 + tagBytes).toString('base64url');
    const error = openError({ ...stored, sealedKey: `v2.${cut}` });
    expect(isTesseraError(error, 'KEY_INVALID')).toBe(true);
  });

  it('refuses a record too short to hold a tag as sealed-key-truncated', async () => {
    const stored = sealKeyringEntry(await entry(), { encryptionSecret: SECRET });
    const short = Buffer.from(stored.sealedKey.slice(3), 'base64url').subarray(0, 16 + 12 + 4);
    const error = openError({ ...stored, sealedKey: `v2.${short.toString('base64url')}` });
    expect(isTesseraError(error, 'KEY_INVALID')).toBe(true);
    expect((error as { facts: { reason: string } }).facts.reason).toBe('sealed-key-truncated');
  });
});

describe('grace-window successor seals', () => {
  const input = {
    previousSecret: randomBytes(32).toString('base64url'),
    sessionId: 's1',
    generation: 3,
  };

  it('opens a whole seal and refuses one with its tag cut to 4 or 12 bytes', () => {
    const sealed = sealSuccessor({ ...input, successor: 'rt_abc.def' });
    expect(openSuccessor({ ...input, sealed })).toBe('rt_abc.def');
    const raw = Buffer.from(sealed, 'base64url');
    for (const tagBytes of [4, 12]) {
      const cut = raw.subarray(0, raw.length - 16 + tagBytes).toString('base64url');
      expect(openSuccessor({ ...input, sealed: cut })).toBeUndefined();
    }
  });

  it('refuses a seal built with a valid 4-byte tag', () => {
    // The forgery a pinned tag length stops: the same key and AAD, a tag GCM would accept if unpinned.
    const key = Buffer.from(
      hkdfSync(
        'sha256',
        Buffer.from(input.previousSecret, 'base64url'),
        'tessera-grace-v1',
        `successor|${input.sessionId}|${input.generation}`,
        32,
      ),
    );
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 4 });
    cipher.setAAD(Buffer.from(`${input.sessionId}|${input.generation}`));
    const body = Buffer.concat([cipher.update('rt_forged.value', 'utf8'), cipher.final()]);
    const sealed = Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
    expect(openSuccessor({ ...input, sealed })).toBeUndefined();
  });
});
