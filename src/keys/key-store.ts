import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  randomBytes,
} from 'node:crypto';
import { isAlgorithm } from '../jwa/algorithms.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { KeyringEntry } from './keyring.js';
import { keyEncryptionKey, SALT_BYTES, sealingSalt, type SealFormat } from './key-sealing.js';

const IV_BYTES = 12;
// Pinned: GCM accepts tags of 4 to 16 bytes unless told, and a short tag is a forgery an attacker who
// can write the key table may find by trial.
const TAG_BYTES = 16;

/**
 * A keyring entry as persisted: schedule in epoch ms and the private key sealed with AES-256-GCM under a
 * key derived from the deployment's key-encryption secret (`TESSERA_KEY_SECRET`). Without a secret,
 * outside production, the key is stored unsealed and marked so (`plain.`).
 *
 * @example
 * ```ts
 * const stored: StoredKey = sealKeyringEntry(entry, { encryptionSecret: process.env.TESSERA_KEY_SECRET });
 * ```
 */
export interface StoredKey {
  readonly kid: string;
  readonly alg: string;
  readonly createdAt: number;
  readonly activatesAt: number;
  readonly retiresAt: number | null;
  readonly sealedKey: string;
}

/**
 * Where keys live so that every restart and every node signs with the same keyring. The file store and
 * the database stores implement it.
 *
 * @example
 * ```ts
 * const keys = await store.initKeys(generated); // the stored set wins when another node got there first
 * ```
 */
export interface KeyStore {
  loadKeys(): Promise<StoredKey[]>;
  /** Writes the whole set (after a rotation or prune). */
  saveKeys(keys: readonly StoredKey[]): Promise<void>;
  /** Stores `keys` only when none are stored yet, atomically; returns what is stored afterwards. */
  initKeys(keys: readonly StoredKey[]): Promise<StoredKey[]>;
  /**
   * Replaces the stored set with `next` in one transaction, only if it is still exactly `expected`
   * (same kids and sealed values); false when another node changed it first. Used to re-seal.
   * Optional: without it a re-seal falls back to {@link KeyStore.saveKeys}.
   */
  replaceKeys?(expected: readonly StoredKey[], next: readonly StoredKey[]): Promise<boolean>;
}

/**
 * Whether two stored sets are the same records (order aside): what {@link KeyStore.replaceKeys}
 * compares before it writes.
 *
 * @example
 * ```ts
 * if (!sameStoredKeys(await store.loadKeys(), expected)) return false;
 * ```
 */
export function sameStoredKeys(a: readonly StoredKey[], b: readonly StoredKey[]): boolean {
  const seal = (keys: readonly StoredKey[]): string =>
    keys
      .map((key) => `${key.kid}\u0000${key.sealedKey}\u0000${key.retiresAt ?? ''}`)
      .sort()
      .join('\u0001');
  return a.length === b.length && seal(a) === seal(b);
}

/**
 * How a stored key was sealed: `plain` (development, no secret), `v1` (unstretched, before issue 15),
 * `v2` (scrypt-stretched), or undefined for a format this version does not know.
 *
 * @example
 * ```ts
 * const old = stored.filter((key) => sealFormatOf(key) === 'v1').length;
 * ```
 */
export function sealFormatOf(stored: StoredKey): SealFormat | 'plain' | undefined {
  const prefix = stored.sealedKey.slice(0, stored.sealedKey.indexOf('.') + 1);
  return prefix === 'plain.'
    ? 'plain'
    : prefix === 'v1.'
      ? 'v1'
      : prefix === 'v2.'
        ? 'v2'
        : undefined;
}

/**
 * The scrypt salt of a `v2` record (undefined for other formats or a record too short to hold one).
 *
 * @example
 * ```ts
 * await prepareStretching(secret, stored.flatMap((key) => saltOf(key) ?? []));
 * ```
 */
export function saltOf(stored: StoredKey): Buffer | undefined {
  if (sealFormatOf(stored) !== 'v2') return undefined;
  const raw = Buffer.from(stored.sealedKey.slice(3), 'base64url');
  return raw.length >= SALT_BYTES ? raw.subarray(0, SALT_BYTES) : undefined;
}

/** Options for sealing and opening stored keys. */
export interface SealOptions {
  readonly encryptionSecret?: string | undefined;
}

/**
 * Seals a keyring entry for storage.
 *
 * @example
 * ```ts
 * await store.saveKeys(keyring.entries.map((e) => sealKeyringEntry(e, { encryptionSecret })));
 * ```
 */
export function sealKeyringEntry(entry: KeyringEntry, options: SealOptions): StoredKey {
  const { key } = entry;
  const der =
    key.alg === 'HS256'
      ? key.privateKey.export()
      : key.privateKey.export({ format: 'der', type: 'pkcs8' });
  let sealedKey: string;
  if (options.encryptionSecret === undefined) {
    sealedKey = `plain.${der.toString('base64url')}`;
  } else {
    const salt = sealingSalt(options.encryptionSecret);
    const iv = randomBytes(IV_BYTES);
    const kek = keyEncryptionKey({
      format: 'v2',
      secret: options.encryptionSecret,
      salt,
      kid: key.kid,
    });
    const cipher = createCipheriv('aes-256-gcm', kek, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(`${key.kid}|${key.alg}`));
    const body = Buffer.concat([cipher.update(der), cipher.final()]);
    sealedKey = `v2.${Buffer.concat([salt, iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }
  return {
    kid: key.kid,
    alg: key.alg,
    createdAt: entry.createdAt,
    activatesAt: entry.activatesAt,
    retiresAt: entry.retiresAt ?? null,
    sealedKey,
  };
}

/**
 * Opens a stored key. A wrong or missing secret is a KEY_INVALID error that says which.
 *
 * @example
 * ```ts
 * const entries = (await store.loadKeys()).map((k) => openStoredKey(k, { encryptionSecret }));
 * ```
 */
export function openStoredKey(stored: StoredKey, options: SealOptions): KeyringEntry {
  if (!isAlgorithm(stored.alg))
    throw new TesseraError('KEY_INVALID', `Stored key ${stored.kid} has an unsupported alg.`);
  const alg = stored.alg;
  let der: Buffer;
  const format = sealFormatOf(stored);
  if (format === 'plain') {
    der = Buffer.from(stored.sealedKey.slice(6), 'base64url');
  } else if (format === 'v1' || format === 'v2') {
    if (options.encryptionSecret === undefined) {
      throw new TesseraError(
        'KEY_INVALID',
        `Stored key ${stored.kid} is sealed; set TESSERA_KEY_SECRET to the secret it was sealed with.`,
        { kid: stored.kid, reason: 'secret-missing' },
      );
    }
    der = openSealed(stored, format, options.encryptionSecret);
  } else {
    throw new TesseraError('KEY_INVALID', `Stored key ${stored.kid} is in an unknown format.`, {
      kid: stored.kid,
      reason: 'unknown-format',
    });
  }
  const privateKey =
    alg === 'HS256'
      ? createSecretKey(der)
      : createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const publicKey = alg === 'HS256' ? privateKey : createPublicKey(privateKey);
  const entry: KeyringEntry = {
    key: { kid: stored.kid, alg, privateKey, publicKey },
    createdAt: stored.createdAt,
    activatesAt: stored.activatesAt,
  };
  return stored.retiresAt === null ? entry : { ...entry, retiresAt: stored.retiresAt };
}

function openSealed(stored: StoredKey, format: SealFormat, secret: string): Buffer {
  const raw = Buffer.from(stored.sealedKey.slice(3), 'base64url');
  const saltBytes = format === 'v2' ? SALT_BYTES : 0;
  // A record shorter than salt, nonce, one byte and a whole tag was cut short (or forged short).
  if (raw.length < saltBytes + IV_BYTES + 1 + TAG_BYTES)
    throw new TesseraError(
      'KEY_INVALID',
      `Stored key ${stored.kid} is truncated: its sealed value is too short to hold a 16-byte GCM tag.`,
      { kid: stored.kid, reason: 'sealed-key-truncated' },
    );
  const kek = keyEncryptionKey({
    format,
    secret,
    salt: raw.subarray(0, saltBytes),
    kid: stored.kid,
  });
  try {
    const iv = raw.subarray(saltBytes, saltBytes + IV_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', kek, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(`${stored.kid}|${stored.alg}`));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    const body = raw.subarray(saltBytes + IV_BYTES, raw.length - TAG_BYTES);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new TesseraError(
      'KEY_INVALID',
      `Stored key ${stored.kid} does not open with this TESSERA_KEY_SECRET: it was sealed with another one (or the record was altered).`,
      { kid: stored.kid, reason: 'secret-mismatch' },
    );
  }
}
