import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import { isAlgorithm } from '../jwa/algorithms.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { KeyringEntry } from './keyring.js';

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
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', deriveKek(options.encryptionSecret, key.kid), iv);
    cipher.setAAD(Buffer.from(`${key.kid}|${key.alg}`));
    const body = Buffer.concat([cipher.update(der), cipher.final()]);
    sealedKey = `v1.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
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
  if (stored.sealedKey.startsWith('plain.')) {
    der = Buffer.from(stored.sealedKey.slice(6), 'base64url');
  } else if (stored.sealedKey.startsWith('v1.')) {
    if (options.encryptionSecret === undefined) {
      throw new TesseraError(
        'KEY_INVALID',
        `Stored key ${stored.kid} is sealed; set TESSERA_KEY_SECRET to the secret it was sealed with.`,
      );
    }
    const raw = Buffer.from(stored.sealedKey.slice(3), 'base64url');
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        deriveKek(options.encryptionSecret, stored.kid),
        raw.subarray(0, 12),
      );
      decipher.setAAD(Buffer.from(`${stored.kid}|${alg}`));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      der = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
    } catch {
      throw new TesseraError(
        'KEY_INVALID',
        `Stored key ${stored.kid} does not open with this TESSERA_KEY_SECRET: it was sealed with another one.`,
      );
    }
  } else {
    throw new TesseraError('KEY_INVALID', `Stored key ${stored.kid} is in an unknown format.`);
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

function deriveKek(secret: string, kid: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'tessera-keyring-v1', `kek|${kid}`, 32));
}
