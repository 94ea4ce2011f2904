import {
  createHmac,
  sign as signWithKey,
  timingSafeEqual,
  verify as verifyWithKey,
  constants,
  type KeyObject,
} from 'node:crypto';

/**
 * The JWS algorithms Tessera signs and verifies (RFC 7518, RFC 8037). EdDSA means Ed25519.
 *
 * @example
 * ```ts
 * const alg: Algorithm = 'ES256';
 * ```
 */
export type Algorithm = 'EdDSA' | 'ES256' | 'RS256' | 'PS256' | 'HS256';

/**
 * The supported algorithms, default first. ES256 is the default because every common JWT stack
 * verifies it (several refuse Ed25519 keys: see the README's verifier table); EdDSA, RS256 and PS256
 * are there by choice.
 *
 * @example
 * ```ts
 * ALGORITHMS[0]; // 'ES256'
 * ```
 */
export const ALGORITHMS: readonly Algorithm[] = ['ES256', 'EdDSA', 'RS256', 'PS256', 'HS256'];

/**
 * The algorithm of a new keyring's first key, and of `tessera keys rotate` without `--alg`.
 *
 * @example
 * ```ts
 * DEFAULT_ALGORITHM; // 'ES256'
 * ```
 */
export const DEFAULT_ALGORITHM: PublishableAlgorithm = 'ES256';

/**
 * An algorithm whose verification key can be published in a JWKS (every one but HS256).
 *
 * @example
 * ```ts
 * const alg: PublishableAlgorithm = 'PS256';
 * ```
 */
export type PublishableAlgorithm = Exclude<Algorithm, 'HS256'>;

/**
 * The algorithms a server may sign with from a published JWKS: all but HS256, whose secret can never
 * be published, so no separate API could verify its tokens.
 *
 * @example
 * ```ts
 * PUBLISHABLE_ALGORITHMS; // ['ES256', 'EdDSA', 'RS256', 'PS256']
 * ```
 */
export const PUBLISHABLE_ALGORITHMS: readonly PublishableAlgorithm[] = [
  'ES256',
  'EdDSA',
  'RS256',
  'PS256',
];

/**
 * Narrows a string to a supported algorithm.
 *
 * @example
 * ```ts
 * isAlgorithm('HS256'); // true
 * ```
 */
export function isAlgorithm(value: unknown): value is Algorithm {
  return typeof value === 'string' && (ALGORITHMS as readonly string[]).includes(value);
}

// P-256 group order n and n/2: a valid ECDSA signature has 0 < r, s < n, and we also require s <= n/2
// (low-S) so a signature has exactly one accepted form.
const P256_N = Buffer.from(
  'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
  'hex',
);
const P256_HALF_N = Buffer.from(
  '7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8',
  'hex',
);
const P256_N_BIGINT = BigInt(`0x${P256_N.toString('hex')}`);
const ZERO_32 = Buffer.alloc(32);

/**
 * Signs the JWS signing input with a node:crypto KeyObject. ES256 output is normalised to low-S.
 *
 * @example
 * ```ts
 * const signature = signJws('EdDSA', privateKey, Buffer.from('header.payload'));
 * ```
 */
export function signJws(alg: Algorithm, key: KeyObject, data: Buffer): Buffer {
  switch (alg) {
    case 'EdDSA':
      return signWithKey(null, data, key);
    case 'ES256':
      return normaliseLowS(signWithKey('sha256', data, { key, dsaEncoding: 'ieee-p1363' }));
    case 'RS256':
      return signWithKey('sha256', data, key);
    case 'PS256':
      return signWithKey('sha256', data, {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      });
    case 'HS256':
      return createHmac('sha256', key).update(data).digest();
  }
}

/**
 * Verifies a JWS signature synchronously with node:crypto. The algorithm comes from the key, never from
 * the token. Returns false for any signature that is not in its one canonical form.
 *
 * @example
 * ```ts
 * verifyJws('EdDSA', publicKey, Buffer.from('header.payload'), signature); // true or false
 * ```
 */
export function verifyJws(
  alg: Algorithm,
  key: KeyObject,
  data: Buffer,
  signature: Buffer,
): boolean {
  switch (alg) {
    case 'EdDSA':
      return signature.length === 64 && verifyWithKey(null, data, key, signature);
    case 'ES256':
      return (
        isCanonicalP256Signature(signature) &&
        verifyWithKey('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
      );
    case 'RS256':
      return signature.length > 0 && verifyWithKey('sha256', data, key, signature);
    case 'PS256':
      return (
        signature.length > 0 &&
        verifyWithKey(
          'sha256',
          data,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
          signature,
        )
      );
    case 'HS256': {
      if (signature.length !== 32) return false;
      return timingSafeEqual(createHmac('sha256', key).update(data).digest(), signature);
    }
  }
}

function isCanonicalP256Signature(signature: Buffer): boolean {
  if (signature.length !== 64) return false;
  const r = signature.subarray(0, 32);
  const s = signature.subarray(32);
  if (r.equals(ZERO_32) || s.equals(ZERO_32)) return false;
  return Buffer.compare(r, P256_N) < 0 && Buffer.compare(s, P256_HALF_N) <= 0;
}

// OpenSSL returns either s or n - s; both verify. Emitting only the low one keeps our own tokens
// acceptable to our strict verifier and to any verifier that enforces low-S.
function normaliseLowS(signature: Buffer): Buffer {
  const s = signature.subarray(32);
  if (Buffer.compare(s, P256_HALF_N) <= 0) return signature;
  const low = P256_N_BIGINT - BigInt(`0x${s.toString('hex')}`);
  const lowBytes = Buffer.from(low.toString(16).padStart(64, '0'), 'hex');
  return Buffer.concat([signature.subarray(0, 32), lowBytes]);
}
