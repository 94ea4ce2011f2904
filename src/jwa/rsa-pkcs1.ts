import { constants, hash, publicDecrypt, type KeyObject } from 'node:crypto';

// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) verified as RFC 8017 section 8.2.2 states it: recover the
// encoded message with the public key (RSAVP1), encode the expected one (EMSA-PKCS1-v1_5), and compare
// every byte. Nothing in the recovered message is parsed, so no lenient padding or DigestInfo reading
// can be exploited; crypto.verify does the same modular exponentiation, plus a digest context per call
// that this path replaces with one-shot `crypto.hash` (about 5% of an RS256 verify).

// DER of DigestInfo for SHA-256, the hash following (RFC 8017 section 9.2, note 1).
const SHA256_DIGEST_INFO = [
  0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
  0x00, 0x04, 0x20,
];
const HASH_BYTES = 32;

interface Recovery {
  /** The expected encoded message up to the hash: 00 01 FF..FF 00 DigestInfo. */
  readonly prefix: Buffer;
  readonly options: { readonly key: KeyObject; readonly padding: number };
}

// Per key, built on first use; null for a key this path does not handle (crypto.verify decides then).
const recoveries = new WeakMap<KeyObject, Recovery | null>();

/**
 * Verifies an RS256 signature by recovery and comparison of the whole encoded message, or returns
 * undefined when the key is not a plain RSA public key (the caller falls back to crypto.verify).
 * False for a signature that is not exactly the modulus length, not below the modulus, or not the one
 * encoding of this SHA-256 hash.
 *
 * @example
 * ```ts
 * const ok = verifyRs256ByRecovery(publicKey, Buffer.from('header.payload'), signature); // true, false or undefined
 * ```
 */
export function verifyRs256ByRecovery(
  key: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean | undefined {
  let recovery = recoveries.get(key);
  if (recovery === undefined) {
    recovery = prepare(key);
    recoveries.set(key, recovery);
  }
  if (recovery === null) return undefined;
  const length = recovery.prefix.length + HASH_BYTES;
  // RFC 8017 section 8.2.2 step 1: a signature of any other length is invalid (OpenSSL would take a
  // shorter one as a smaller number).
  if (signature.length !== length) return false;
  let recovered: Buffer;
  try {
    // Throws for a signature not below the modulus.
    recovered = publicDecrypt(recovery.options, signature);
  } catch {
    return false;
  }
  if (recovered.length !== length) return false;
  const split = recovery.prefix.length;
  return (
    recovered.compare(recovery.prefix, 0, split, 0, split) === 0 &&
    recovered.compare(hash('sha256', data, 'buffer'), 0, HASH_BYTES, split, length) === 0
  );
}

function prepare(key: KeyObject): Recovery | null {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.type !== 'public' || key.asymmetricKeyType !== 'rsa' || bits === undefined) return null;
  const length = Math.ceil(bits / 8);
  const padding = length - 3 - SHA256_DIGEST_INFO.length - HASH_BYTES;
  // RFC 8017 section 9.2 step 4: at least 8 bytes of FF (keys under 2048 bits never get this far).
  if (padding < 8) return null;
  const prefix = Buffer.alloc(length - HASH_BYTES, 0xff);
  prefix[0] = 0x00;
  prefix[1] = 0x01;
  prefix[2 + padding] = 0x00;
  prefix.set(SHA256_DIGEST_INFO, 3 + padding);
  return { prefix, options: { key, padding: constants.RSA_NO_PADDING } };
}
