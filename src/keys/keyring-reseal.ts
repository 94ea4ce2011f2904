/**
 * Opening a stored keyring with the current secret, falling back to the previous one, and re-sealing
 * it under the current secret in one write: how a deployment changes `TESSERA_KEY_SECRET` (or moves
 * its records from the unstretched `v1` seal to `v2`) without logging anyone out.
 */
import { TesseraError, isTesseraError } from '../errors/tessera-error.js';
import { prepareStretching, sealingSalt } from './key-sealing.js';
import {
  openStoredKey,
  saltOf,
  sealFormatOf,
  sealKeyringEntry,
  type KeyStore,
  type StoredKey,
} from './key-store.js';
import type { KeyringEntry } from './keyring.js';
import { findSecretWeakness } from './secret-strength.js';

/** What {@link openKeyring} found: the entries, and which records needed the previous secret. */
export interface OpenedKeyring {
  readonly entries: KeyringEntry[];
  /** Kids that opened only with the previous secret. */
  readonly openedWithPrevious: readonly string[];
  /** Kids whose records are `v1` (no key stretching). */
  readonly unstretched: readonly string[];
}

/**
 * Opens every stored key with `secret`, or with `previousSecret` when the current one does not open
 * it. Throws KEY_INVALID (naming both secrets) when a record opens with neither; writes nothing.
 *
 * @example
 * ```ts
 * const opened = await openKeyring(stored, { secret, previousSecret: process.env.TESSERA_KEY_SECRET_PREVIOUS });
 * ```
 */
export async function openKeyring(
  stored: readonly StoredKey[],
  options: { secret: string | undefined; previousSecret?: string | undefined },
): Promise<OpenedKeyring> {
  const salts = stored.flatMap((key) => saltOf(key) ?? []);
  if (options.secret !== undefined) await prepareStretching(options.secret, salts);
  const entries: KeyringEntry[] = [];
  const openedWithPrevious: string[] = [];
  for (const key of stored) {
    try {
      entries.push(openStoredKey(key, { encryptionSecret: options.secret }));
    } catch (error) {
      const previous = options.previousSecret;
      if (!isTesseraError(error) || error.facts.reason !== 'secret-mismatch') throw error;
      if (previous === undefined)
        throw new TesseraError(
          'KEY_INVALID',
          `${error.message} To change the secret, set TESSERA_KEY_SECRET_PREVIOUS to the old one for one start (see README, "Changing TESSERA_KEY_SECRET").`,
          error.facts,
        );
      await prepareStretching(previous, saltOf(key) === undefined ? [] : [saltOf(key) as Buffer]);
      try {
        entries.push(openStoredKey(key, { encryptionSecret: previous }));
        openedWithPrevious.push(key.kid);
      } catch {
        throw new TesseraError(
          'KEY_INVALID',
          `Stored key ${key.kid} opens with neither TESSERA_KEY_SECRET nor TESSERA_KEY_SECRET_PREVIOUS; nothing was re-sealed.`,
          { kid: key.kid, reason: 'secret-mismatch' },
        );
      }
    }
  }
  const unstretched = stored.filter((key) => sealFormatOf(key) === 'v1').map((key) => key.kid);
  return { entries, openedWithPrevious, unstretched };
}

/**
 * Writes `entries` back sealed under `secret` (the stretched `v2` seal), replacing exactly the
 * records `stored` in one transaction. False when another node changed the keyring first (then it
 * has re-sealed or rotated, and the caller reloads).
 *
 * @example
 * ```ts
 * await resealKeys(store, stored, opened.entries, { secret });
 * ```
 */
export async function resealKeys(
  store: KeyStore,
  stored: readonly StoredKey[],
  entries: readonly KeyringEntry[],
  options: { secret: string },
): Promise<boolean> {
  await prepareStretching(options.secret, [sealingSalt(options.secret)]);
  const next = entries.map((entry) =>
    sealKeyringEntry(entry, { encryptionSecret: options.secret }),
  );
  if (store.replaceKeys !== undefined) return store.replaceKeys(stored, next);
  await store.saveKeys(next);
  return true;
}

/**
 * `tessera keys reseal`: opens the stored keyring (with the previous secret where the current one does
 * not open a record) and re-seals it under `secret` when any record needed the previous secret or is
 * in the unstretched `v1` format. Returns how many records were re-sealed (0: nothing to do).
 *
 * @example
 * ```ts
 * const count = await resealStoredKeyring({ store, secret: process.env.TESSERA_KEY_SECRET, previousSecret: process.env.TESSERA_KEY_SECRET_PREVIOUS });
 * ```
 */
export async function resealStoredKeyring(options: {
  store: KeyStore;
  secret: string | undefined;
  previousSecret?: string | undefined;
}): Promise<number> {
  const { store, secret } = options;
  if (secret === undefined)
    throw new TesseraError(
      'CONFIG_INVALID',
      'Re-sealing needs TESSERA_KEY_SECRET: the secret to seal under.',
    );
  const weakness = findSecretWeakness(secret);
  if (weakness !== undefined)
    throw new TesseraError(
      'CONFIG_INVALID',
      `TESSERA_KEY_SECRET refused as the sealing secret: ${weakness.reason}. Nothing was re-sealed; generate one with: npx tessera keys secret`,
      { setting: 'TESSERA_KEY_SECRET' },
    );
  for (let attempt = 0; attempt < 3; attempt++) {
    const stored = await store.loadKeys();
    const opened = await openKeyring(stored, { secret, previousSecret: options.previousSecret });
    const stale = stored.filter((key) => sealFormatOf(key) !== 'v2').length;
    if (opened.openedWithPrevious.length === 0 && stale === 0) return 0;
    if (await resealKeys(store, stored, opened.entries, { secret })) return stored.length;
  }
  throw new TesseraError(
    'KEY_INVALID',
    'The keyring kept changing while re-sealing (another node rotating?); run the re-seal again.',
  );
}
