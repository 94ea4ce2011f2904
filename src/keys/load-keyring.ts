import { DEFAULT_ALGORITHM, type Algorithm } from '../jwa/algorithms.js';
import { TesseraError } from '../errors/tessera-error.js';
import { generateKeyMaterial } from './key-material.js';
import { Keyring } from './keyring.js';
import { prepareStretching, sealingSalt } from './key-sealing.js';
import { sealKeyringEntry, type KeyStore } from './key-store.js';
import { openKeyring, resealKeys } from './keyring-reseal.js';
import { findSecretWeakness } from './secret-strength.js';

/** Why {@link loadKeyring} warns: a vocabulary the server logs and tests match. */
export type KeyringWarningCode =
  'KEY_SECRET_WEAK' | 'KEYS_UNSTRETCHED' | 'KEYS_RESEALED' | 'KEY_SECRET_PREVIOUS_UNUSED';

/** A warning from {@link loadKeyring}: never the secret, only what is wrong and the fix. */
export interface KeyringWarning {
  readonly code: KeyringWarningCode;
  readonly message: string;
}

const RESEAL_RECIPE =
  'Re-seal: set TESSERA_KEY_SECRET_PREVIOUS to the current secret, TESSERA_KEY_SECRET to the output of `tessera keys secret`, and restart (or run `tessera keys reseal`); then remove TESSERA_KEY_SECRET_PREVIOUS. Nobody is logged out.';

/** Options of {@link loadKeyring}. */
export interface LoadKeyringOptions {
  /** Where the keyring persists. Without one the keys are ephemeral: refused in production. */
  readonly store?: KeyStore | undefined;
  readonly encryptionSecret?: string | undefined;
  /**
   * The secret the keyring was sealed with before `encryptionSecret` (TESSERA_KEY_SECRET_PREVIOUS):
   * records that open only with it are re-sealed under `encryptionSecret` in one write.
   */
  readonly previousEncryptionSecret?: string | undefined;
  /** Where warnings go (a weak secret, unstretched records, a re-seal done). Default: none. */
  readonly onWarning?: ((warning: KeyringWarning) => void) | undefined;
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
  const store = options.store;
  const secret = options.encryptionSecret;
  const warn = options.onWarning ?? ((): void => undefined);
  const weakness = secret === undefined ? undefined : findSecretWeakness(secret);
  let stored = await store.loadKeys();
  if (stored.length === 0) {
    // A new deployment: nothing is sealed yet, so a weak secret can still be refused at no cost.
    if (weakness !== undefined && options.production === true)
      throw new TesseraError(
        'CONFIG_INVALID',
        `TESSERA_KEY_SECRET refused: ${weakness.reason}. It seals the signing keys in the database; generate one with: npx tessera keys secret`,
        { setting: 'TESSERA_KEY_SECRET', structures: weakness.structures.join(', ') },
      );
    if (secret !== undefined) await prepareStretching(secret, [sealingSalt(secret)]);
    stored = await store.initKeys([sealKeyringEntry(await first(), sealing)]);
  }
  const unsealed = stored.find((key) => key.sealedKey.startsWith('plain.'));
  if (options.production === true && unsealed !== undefined) {
    throw new TesseraError(
      'CONFIG_INVALID',
      `Production mode refuses unsealed stored keys (key ${unsealed.kid} was stored without TESSERA_KEY_SECRET): rotate to a new key sealed with the secret.`,
    );
  }
  const previous = options.previousEncryptionSecret;
  let opened = await openKeyring(stored, { secret, previousSecret: previous });
  if (opened.openedWithPrevious.length > 0 && secret !== undefined) {
    if (weakness !== undefined && options.production === true)
      throw new TesseraError(
        'CONFIG_INVALID',
        `TESSERA_KEY_SECRET refused as the new sealing secret: ${weakness.reason}. Nothing was re-sealed; generate one with: npx tessera keys secret`,
        { setting: 'TESSERA_KEY_SECRET' },
      );
    if (await resealKeys(store, stored, opened.entries, { secret })) {
      warn({
        code: 'KEYS_RESEALED',
        message: `Re-sealed ${stored.length} stored signing keys under the new TESSERA_KEY_SECRET (${opened.openedWithPrevious.length} opened with TESSERA_KEY_SECRET_PREVIOUS). TESSERA_KEY_SECRET_PREVIOUS can now be removed.`,
      });
    }
    // Either way the stored set is now sealed under the current secret: read what is there.
    stored = await store.loadKeys();
    opened = await openKeyring(stored, { secret, previousSecret: previous });
  } else if (previous !== undefined) {
    warn({
      code: 'KEY_SECRET_PREVIOUS_UNUSED',
      message:
        'Every stored signing key opens with TESSERA_KEY_SECRET: TESSERA_KEY_SECRET_PREVIOUS is no longer needed; remove it.',
    });
  }
  if (weakness !== undefined)
    warn({
      code: 'KEY_SECRET_WEAK',
      message: `TESSERA_KEY_SECRET is weak: ${weakness.reason}. A copy of the database can be opened by guessing it offline. ${RESEAL_RECIPE}`,
    });
  if (opened.unstretched.length > 0)
    warn({
      code: 'KEYS_UNSTRETCHED',
      message: `${opened.unstretched.length} stored signing keys are sealed the old way (v1, no key stretching): run \`tessera keys reseal\` once every node runs this version.`,
    });
  return new Keyring({
    ...withoutUndefined(keyringOptions),
    entries: opened.entries,
  });
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
