// Issue 15: a weak TESSERA_KEY_SECRET is refused for a new deployment, warned about for an existing
// one, and replaced by re-sealing with TESSERA_KEY_SECRET_PREVIOUS, on SQLite, PostgreSQL and the key
// file, in one write, without changing a single key (so no token and no session is lost).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTesseraError } from '../../src/errors/tessera-error.js';
import { createFileKeyStore } from '../../src/keys/file-key-store.js';
import { generateKeyMaterial } from '../../src/keys/key-material.js';
import { sealFormatOf, type KeyStore, type StoredKey } from '../../src/keys/key-store.js';
import { resealStoredKeyring } from '../../src/keys/keyring-reseal.js';
import { loadKeyring, type KeyringWarning } from '../../src/keys/load-keyring.js';
import { openPostgresStore } from '../../src/store/postgres/open-postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { POSTGRES_URL, useScratch } from '../support/scratch.js';
import { sealV1 } from './v1-seal.js';

const scratch = useScratch('reseal');
const WEAK = 'a'.repeat(32);
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
});

let files = 0;
const STORES: readonly [string, () => Promise<KeyStore>][] = [
  [
    'SQLite',
    async () => {
      const store = await openSqliteStore({ path: join(scratch.directory, `k${files++}.db`) });
      closers.push(() => store.close());
      return store;
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const store = await openPostgresStore({
        url: POSTGRES_URL,
        schema: scratch.schema('reseal'),
        max: 2,
      });
      closers.push(() => store.close());
      return store;
    },
  ],
  [
    'the key file',
    async () => createFileKeyStore({ path: join(scratch.directory, `k${files++}.json`) }),
  ],
];

/** A keyring as production had it before the upgrade: two v1 records sealed under 32 × 'a'. */
async function legacyKeyring(store: KeyStore): Promise<StoredKey[]> {
  const records = [];
  for (const [i, alg] of (['EdDSA', 'ES256'] as const).entries()) {
    const entry = { key: await generateKeyMaterial({ alg }), createdAt: i, activatesAt: i };
    records.push(sealV1(entry, WEAK));
  }
  return store.initKeys(records);
}

function collect(): { warnings: KeyringWarning[]; onWarning: (w: KeyringWarning) => void } {
  const warnings: KeyringWarning[] = [];
  return { warnings, onWarning: (warning) => void warnings.push(warning) };
}

describe.each(STORES)('key secrets on %s', (_name, open) => {
  it('refuses a new production deployment with 32 × "a", naming the structure and the fix', async () => {
    const store = await open();
    const error: unknown = await loadKeyring({
      store,
      encryptionSecret: WEAK,
      production: true,
    }).catch((caught: unknown) => caught);
    expect(isTesseraError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/repeated 32 times.*tessera keys secret/);
    expect((error as Error).message).not.toContain(WEAK);
    expect(await store.loadKeys()).toEqual([]);
  });

  it('starts an existing deployment sealed under the weak secret, warning loudly with the recipe', async () => {
    const store = await open();
    const before = await legacyKeyring(store);
    const { warnings, onWarning } = collect();
    const keyring = await loadKeyring({
      store,
      encryptionSecret: WEAK,
      production: true,
      onWarning,
    });
    expect(keyring.entries.map((e) => e.key.kid)).toEqual(before.map((k) => k.kid));
    const weak = warnings.find((w) => w.code === 'KEY_SECRET_WEAK');
    expect(weak?.message).toMatch(/TESSERA_KEY_SECRET_PREVIOUS.*tessera keys secret/);
    expect(weak?.message).not.toContain(WEAK);
    expect(warnings.map((w) => w.code)).toContain('KEYS_UNSTRETCHED');
    expect(await store.loadKeys()).toEqual(before);
  });

  it('re-seals under the new secret with PREVIOUS, once, keeping every key', async () => {
    const store = await open();
    const before = await legacyKeyring(store);
    const old = await loadKeyring({ store, encryptionSecret: WEAK });
    const secret = randomBytes(32).toString('base64url');
    const { warnings, onWarning } = collect();
    const keyring = await loadKeyring({
      store,
      encryptionSecret: secret,
      previousEncryptionSecret: WEAK,
      production: true,
      onWarning,
    });
    expect(warnings.map((w) => w.code)).toEqual(['KEYS_RESEALED']);
    expect(warnings[0]?.message).toMatch(/TESSERA_KEY_SECRET_PREVIOUS can now be removed/);
    const after = await store.loadKeys();
    expect(after.map((k) => [k.kid, sealFormatOf(k)])).toEqual(before.map((k) => [k.kid, 'v2']));
    for (const [i, entry] of keyring.entries.entries())
      expect(entry.key.publicKey.export({ format: 'jwk' })).toEqual(
        old.entries[i]?.key.publicKey.export({ format: 'jwk' }),
      );
    // The new secret alone opens it now; the old one no longer does.
    await expect(
      loadKeyring({ store, encryptionSecret: secret, production: true }),
    ).resolves.toBeDefined();
    const stale = await loadKeyring({ store, encryptionSecret: WEAK }).catch((e: unknown) => e);
    expect(isTesseraError(stale, 'KEY_INVALID')).toBe(true);
    // PREVIOUS left set after the re-seal: a reminder, nothing written.
    const reminder = collect();
    await loadKeyring({
      store,
      encryptionSecret: secret,
      previousEncryptionSecret: WEAK,
      onWarning: reminder.onWarning,
    });
    expect(reminder.warnings.map((w) => w.code)).toEqual(['KEY_SECRET_PREVIOUS_UNUSED']);
    expect(await store.loadKeys()).toEqual(after);
  });

  it('with a wrong PREVIOUS and a wrong current secret: KEY_INVALID, nothing written', async () => {
    const store = await open();
    const before = await legacyKeyring(store);
    const error: unknown = await loadKeyring({
      store,
      encryptionSecret: randomBytes(32).toString('base64url'),
      previousEncryptionSecret: randomBytes(32).toString('base64url'),
    }).catch((caught: unknown) => caught);
    expect(isTesseraError(error, 'KEY_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(
      /neither TESSERA_KEY_SECRET nor TESSERA_KEY_SECRET_PREVIOUS/,
    );
    expect(await store.loadKeys()).toEqual(before);
  });

  it('refuses to re-seal under a weak new secret in production, writing nothing', async () => {
    const store = await open();
    const before = await legacyKeyring(store);
    const error: unknown = await loadKeyring({
      store,
      encryptionSecret: 'ThisIsMySuperSecretKey123456789!',
      previousEncryptionSecret: WEAK,
      production: true,
    }).catch((caught: unknown) => caught);
    expect(isTesseraError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/English words/);
    expect(await store.loadKeys()).toEqual(before);
  });

  it('`tessera keys reseal` converts v1 records under the same strong secret to v2', async () => {
    const store = await open();
    const secret = randomBytes(32).toString('base64url');
    const entry = {
      key: await generateKeyMaterial({ alg: 'EdDSA' }),
      createdAt: 0,
      activatesAt: 0,
    };
    await store.initKeys([sealV1(entry, secret)]);
    expect(await resealStoredKeyring({ store, secret })).toBe(1);
    expect((await store.loadKeys()).map(sealFormatOf)).toEqual(['v2']);
    expect(await resealStoredKeyring({ store, secret })).toBe(0);
    const keyring = await loadKeyring({ store, encryptionSecret: secret });
    expect(keyring.entries[0]?.key.kid).toBe(entry.key.kid);
  });
});

describe('replaceKeys compares before it writes', () => {
  it.each(STORES.slice(0, 2))(
    'on %s, refuses a re-seal of a set another node changed',
    async (_name, open) => {
      const store = await open();
      const before = await legacyKeyring(store);
      const changed = before.slice(1);
      await store.saveKeys(changed);
      expect(await store.replaceKeys?.(before, [])).toBe(false);
      expect(await store.loadKeys()).toEqual(changed);
    },
  );
});
