import { DEFAULT_ALGORITHM, type Algorithm } from '../jwa/algorithms.js';
import { TesseraError } from '../errors/tessera-error.js';
import { generateKeyMaterial } from './key-material.js';
import { Keyring } from './keyring.js';
import { openStoredKey, sealKeyringEntry, type KeyStore } from './key-store.js';

/** Options of {@link loadKeyring}. */
export interface LoadKeyringOptions {
  /** Where the keyring persists. Without one the keys are ephemeral: refused in production. */
  readonly store?: KeyStore | undefined;
  readonly encryptionSecret?: string | undefined;
  readonly production?: boolean;
  /**
   * Algorithm of the first key when none is stored. Default ES256. A stored keyring keeps its keys
   * whatever this says: changing algorithm is `tessera keys rotate --alg`, so nobody is logged out.
   */
  readonly alg?: Algorithm;
  readonly now?: () => number;
  readonly prepublishSeconds?: number;
  readonly verifyOverlapSeconds?: number;
}

/**
 * Loads the deployment's keyring from its store, creating the first key once (atomically, so nodes that
 * start together agree). Keys generated at boot and never stored would log every user out on each
 * restart; in production that is refused, and so is an unsealed key store.
 *
 * @example
 * ```ts
 * const keyring = await loadKeyring({ store: createFileKeyStore({ path: '.tessera/keys.json' }), encryptionSecret: process.env.TESSERA_KEY_SECRET });
 * ```
 */
export async function loadKeyring(options: LoadKeyringOptions): Promise<Keyring> {
  const now = options.now ?? Date.now;
  const sealing = { encryptionSecret: options.encryptionSecret };
  const keyringOptions = {
    now,
    prepublishSeconds: options.prepublishSeconds,
    verifyOverlapSeconds: options.verifyOverlapSeconds,
  };
  if (options.production === true && options.encryptionSecret === undefined) {
    throw new TesseraError(
      'CONFIG_INVALID',
      'Production mode needs TESSERA_KEY_SECRET to seal the stored signing keys (32+ random bytes).',
    );
  }
  const first = async (): Promise<{
    key: Awaited<ReturnType<typeof generateKeyMaterial>>;
    createdAt: number;
    activatesAt: number;
  }> => {
    const createdAt = now();
    return {
      key: await generateKeyMaterial({ alg: options.alg ?? DEFAULT_ALGORITHM }),
      createdAt,
      activatesAt: createdAt,
    };
  };
  if (options.store === undefined) {
    if (options.production === true) {
      throw new TesseraError(
        'CONFIG_INVALID',
        'Production mode refuses ephemeral keys: configure a key store or key files, or every restart logs everyone out.',
      );
    }
    return new Keyring({ ...withoutUndefined(keyringOptions), entries: [await first()] });
  }
  let stored = await options.store.loadKeys();
  if (stored.length === 0)
    stored = await options.store.initKeys([sealKeyringEntry(await first(), sealing)]);
  const unsealed = stored.find((key) => key.sealedKey.startsWith('plain.'));
  if (options.production === true && unsealed !== undefined) {
    throw new TesseraError(
      'CONFIG_INVALID',
      `Production mode refuses unsealed stored keys (key ${unsealed.kid} was stored without TESSERA_KEY_SECRET): rotate to a new key sealed with the secret.`,
    );
  }
  return new Keyring({
    ...withoutUndefined(keyringOptions),
    entries: stored.map((key) => openStoredKey(key, sealing)),
  });
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
