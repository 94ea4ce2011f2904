/**
 * The key-encryption keys that seal stored signing keys, derived from `TESSERA_KEY_SECRET`.
 *
 * - `v1.` records (before issue 15): HKDF-SHA256 of the secret alone. One guess costs one HKDF and one
 *   AES-GCM open, tens of thousands a second per core, so a dump is open to offline guessing.
 * - `v2.` records: scrypt (N 2^14, r 8, p 1: 16 MiB, about 50 ms on one core) of the secret and a random salt
 *   stored in the record, then HKDF per key id. The scrypt result is cached per secret and salt, so a
 *   process pays it once at start, not on every reload.
 */
import { createHash, hkdfSync, randomBytes, scrypt, scryptSync } from 'node:crypto';

/** How a stored key was sealed: its record's prefix. */
export type SealFormat = 'v1' | 'v2';

/** scrypt's cost in `v2`: changing these needs a new format letter, or old records stop opening. */
export const SCRYPT_PARAMS = { N: 2 ** 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
/** Bytes of the scrypt salt at the front of a `v2` record. */
export const SALT_BYTES = 16;

const stretched = new Map<string, Buffer>();
const processSalts = new Map<string, Buffer>();

/**
 * The AES-256-GCM key for one stored key, as its record's format derives it. `salt` is required for v2.
 *
 * @example
 * ```ts
 * const kek = keyEncryptionKey({ format: 'v2', secret, salt, kid: 'k1' });
 * ```
 */
export function keyEncryptionKey(input: {
  format: SealFormat;
  secret: string;
  salt?: Buffer;
  kid: string;
}): Buffer {
  if (input.format === 'v1')
    return Buffer.from(
      hkdfSync('sha256', input.secret, 'tessera-keyring-v1', `kek|${input.kid}`, 32),
    );
  const master = stretchedSecret(input.secret, input.salt as Buffer);
  return Buffer.from(hkdfSync('sha256', master, 'tessera-keyring-v2', `kek|${input.kid}`, 32));
}

/**
 * The salt this process seals new `v2` records with for `secret`: one per process and secret, so a
 * whole keyring written together costs one scrypt, and every process still salts differently.
 *
 * @example
 * ```ts
 * const salt = sealingSalt(secret);
 * ```
 */
export function sealingSalt(secret: string): Buffer {
  const id = secretId(secret);
  let salt = processSalts.get(id);
  if (salt === undefined) {
    salt = randomBytes(SALT_BYTES);
    processSalts.set(id, salt);
  }
  return salt;
}

/**
 * Runs scrypt off the event loop for each (secret, salt) not derived yet, so the synchronous seal and
 * open that follow find it cached. Without it they still work, blocking for the derivation.
 *
 * @example
 * ```ts
 * await prepareStretching(secret, [sealingSalt(secret), ...saltsOf(stored)]);
 * ```
 */
export async function prepareStretching(secret: string, salts: readonly Buffer[]): Promise<void> {
  for (const salt of salts) {
    const key = cacheKey(secret, salt);
    if (stretched.has(key)) continue;
    const derived = await new Promise<Buffer>((resolve, reject) =>
      scrypt(secret, salt, 32, SCRYPT_PARAMS, (error, value) =>
        error === null ? resolve(value) : reject(error),
      ),
    );
    stretched.set(key, derived);
  }
}

function stretchedSecret(secret: string, salt: Buffer): Buffer {
  const key = cacheKey(secret, salt);
  let derived = stretched.get(key);
  if (derived === undefined) {
    derived = scryptSync(secret, salt, 32, SCRYPT_PARAMS);
    stretched.set(key, derived);
  }
  return derived;
}

// The cache is keyed by a hash, so the map never holds the secret itself.
function secretId(secret: string): string {
  return createHash('sha256').update('tessera-secret-id').update(secret).digest('hex');
}

function cacheKey(secret: string, salt: Buffer): string {
  return `${secretId(secret)}:${salt.toString('hex')}`;
}
