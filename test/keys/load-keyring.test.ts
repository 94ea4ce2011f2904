// Keys that survive restarts, sealed at rest, and the production refusals.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createAccessTokenSigner,
  createAccessTokenVerifier,
  createFileKeyStore,
  loadKeyring,
  type StoredKey,
} from '../../src/index.js';
import { AUDIENCE, ISSUER, NOW_MS, expectCodeAsync } from '../support/forge.js';

const SECRET = randomBytes(32).toString('base64url');
let directory: string;
let path: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tessera-keys-'));
  path = join(directory, 'keys.json');
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const now = (): number => NOW_MS;

describe('stable across restarts', () => {
  it('gives the same kid on a second load and verifies tokens signed before the restart', async () => {
    const before = await loadKeyring({
      store: createFileKeyStore({ path }),
      encryptionSecret: SECRET,
      now,
    });
    const sign = createAccessTokenSigner({ keys: before, issuer: ISSUER, audience: AUDIENCE, now });
    const { token } = sign({ sub: 'user-1', sid: 'sess-1', clientId: 'web' });

    const after = await loadKeyring({
      store: createFileKeyStore({ path }),
      encryptionSecret: SECRET,
      now,
    });
    expect(after.signingKey().kid).toBe(before.signingKey().kid);
    const verifier = createAccessTokenVerifier({
      keys: after,
      issuer: ISSUER,
      audience: AUDIENCE,
      now,
    });
    expect(verifier.verify(token).sub).toBe('user-1');
  });

  it('does so for every algorithm it can generate', async () => {
    for (const alg of ['ES256', 'HS256'] as const) {
      const file = join(directory, `${alg}.json`);
      const before = await loadKeyring({
        store: createFileKeyStore({ path: file }),
        encryptionSecret: SECRET,
        now,
        alg,
      });
      const { token } = createAccessTokenSigner({
        keys: before,
        issuer: ISSUER,
        audience: AUDIENCE,
        now,
      })({ sub: 'u', sid: 's', clientId: 'c' });
      const after = await loadKeyring({
        store: createFileKeyStore({ path: file }),
        encryptionSecret: SECRET,
        now,
        alg,
      });
      expect(
        createAccessTokenVerifier({ keys: after, issuer: ISSUER, audience: AUDIENCE, now }).verify(
          token,
        ).sub,
      ).toBe('u');
    }
  });

  it('stores the key sealed, in a file only its owner can read', async () => {
    const keyring = await loadKeyring({
      store: createFileKeyStore({ path }),
      encryptionSecret: SECRET,
      now,
    });
    const { keys } = JSON.parse(await readFile(path, 'utf8')) as { keys: StoredKey[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]?.sealedKey.startsWith('v2.')).toBe(true);
    const der = keyring.signingKey().privateKey.export({ format: 'der', type: 'pkcs8' });
    expect(await readFile(path, 'utf8')).not.toContain(der.toString('base64url'));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('lets two concurrent first loads on an empty store agree on one kid', async () => {
    // Ten rounds, each with its own empty file: a race shows up as two kids or as a half-written file.
    for (let round = 0; round < 10; round++) {
      const file = join(directory, `race-${round}.json`);
      const loads = Array.from({ length: 3 }, () =>
        loadKeyring({ store: createFileKeyStore({ path: file }), encryptionSecret: SECRET, now }),
      );
      const keyrings = await Promise.all(loads);
      const kids = new Set(keyrings.map((keyring) => keyring.signingKey().kid));
      expect(kids.size).toBe(1);
      const stored = JSON.parse(await readFile(file, 'utf8')) as { keys: StoredKey[] };
      expect(stored.keys.map((k) => k.kid)).toEqual([...kids]);
    }
  });
});

describe('sealing secret', () => {
  it('refuses a wrong TESSERA_KEY_SECRET with KEY_INVALID', async () => {
    await loadKeyring({ store: createFileKeyStore({ path }), encryptionSecret: SECRET, now });
    const error = await expectCodeAsync(
      () =>
        loadKeyring({ store: createFileKeyStore({ path }), encryptionSecret: `${SECRET}x`, now }),
      'KEY_INVALID',
    );
    expect(error.message).not.toContain(SECRET);
  });

  it('refuses a sealed store opened without a secret with KEY_INVALID', async () => {
    await loadKeyring({ store: createFileKeyStore({ path }), encryptionSecret: SECRET, now });
    await expectCodeAsync(
      () => loadKeyring({ store: createFileKeyStore({ path }), now }),
      'KEY_INVALID',
    );
  });

  it('refuses a sealed key moved to another kid (the kid is bound to the ciphertext)', async () => {
    const store = createFileKeyStore({ path });
    await loadKeyring({ store, encryptionSecret: SECRET, now });
    const [key] = await store.loadKeys();
    await store.saveKeys([{ ...(key as StoredKey), kid: 'moved' }]);
    await expectCodeAsync(
      () => loadKeyring({ store, encryptionSecret: SECRET, now }),
      'KEY_INVALID',
    );
  });
});

describe('production', () => {
  it('refuses ephemeral keys with CONFIG_INVALID', async () => {
    await expectCodeAsync(
      () => loadKeyring({ production: true, encryptionSecret: SECRET, now }),
      'CONFIG_INVALID',
    );
  });

  it('refuses a missing TESSERA_KEY_SECRET with CONFIG_INVALID', async () => {
    await expectCodeAsync(
      () => loadKeyring({ production: true, store: createFileKeyStore({ path }), now }),
      'CONFIG_INVALID',
    );
  });

  it('refuses a store that holds unsealed keys with CONFIG_INVALID', async () => {
    await loadKeyring({ store: createFileKeyStore({ path }), now });
    await expectCodeAsync(
      () =>
        loadKeyring({
          production: true,
          store: createFileKeyStore({ path }),
          encryptionSecret: SECRET,
          now,
        }),
      'CONFIG_INVALID',
    );
  });

  it('loads a sealed store (control)', async () => {
    const first = await loadKeyring({
      store: createFileKeyStore({ path }),
      encryptionSecret: SECRET,
      now,
    });
    const again = await loadKeyring({
      production: true,
      store: createFileKeyStore({ path }),
      encryptionSecret: SECRET,
      now,
    });
    expect(again.signingKey().kid).toBe(first.signingKey().kid);
  });

  it('allows ephemeral keys outside production', async () => {
    const keyring = await loadKeyring({ now });
    expect(keyring.signingKey().alg).toBe('ES256');
  });
});

describe("the first key's algorithm", () => {
  it('is ES256 by default, and the one asked for on an empty store', async () => {
    expect((await loadKeyring({ store: createFileKeyStore({ path }), now })).signingKey().alg).toBe(
      'ES256',
    );
    const other = join(directory, 'rsa.json');
    const rsa = await loadKeyring({
      store: createFileKeyStore({ path: other }),
      alg: 'PS256',
      now,
    });
    expect(rsa.signingKey().alg).toBe('PS256');
  });

  it('never replaces a stored key: an EdDSA keyring stays EdDSA when ES256 is asked for', async () => {
    const before = await loadKeyring({ store: createFileKeyStore({ path }), alg: 'EdDSA', now });
    const sign = createAccessTokenSigner({ keys: before, issuer: ISSUER, audience: AUDIENCE, now });
    const { token } = sign({ sub: 'user-1', sid: 'sess-1', clientId: 'web' });
    const after = await loadKeyring({ store: createFileKeyStore({ path }), alg: 'ES256', now });
    expect(after.signingKey()).toMatchObject({ kid: before.signingKey().kid, alg: 'EdDSA' });
    const verify = createAccessTokenVerifier({
      keys: after,
      issuer: ISSUER,
      audience: AUDIENCE,
      now,
    });
    expect(verify.verify(token).sub).toBe('user-1');
  });
});
