import type { Algorithm } from './algorithms.js';

// ECDSA P-256 signatures in their one canonical form. node:crypto and Web Crypto both accept s and n - s
// (the two signatures of one message); Tessera accepts only the low one on every backend, so a token has
// exactly one accepted spelling and a cache or deny-list keyed by the string cannot be sidestepped.

// P-256 group order n and n/2: a valid ECDSA signature has 0 < r, s < n, and we also require s <= n/2.
const P256_N = hexBytes('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const P256_HALF_N = hexBytes('7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8');
const P256_N_BIGINT = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/**
 * Whether a raw (IEEE P1363, r || s) ES256 signature is canonical: 64 bytes, 0 < r < n, 0 < s <= n/2.
 *
 * @example
 * ```ts
 * isCanonicalP256Signature(new Uint8Array(64)); // false (r and s are zero)
 * ```
 */
export function isCanonicalP256Signature(signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  const r = signature.subarray(0, 32);
  const s = signature.subarray(32);
  if (isZero(r) || isZero(s)) return false;
  return compare(r, P256_N) < 0 && compare(s, P256_HALF_N) <= 0;
}

/**
 * The low-S twin of a raw ES256 signature (the signature itself when it already is low-S). OpenSSL
 * returns either S, and both verify; emitting only the low one keeps Tessera's own tokens acceptable to
 * its strict verifier and to any verifier that enforces low-S.
 *
 * @example
 * ```ts
 * const canonical = toLowS(signature);
 * ```
 */
export function toLowS(signature: Uint8Array): Uint8Array {
  const s = signature.subarray(32);
  if (compare(s, P256_HALF_N) <= 0) return signature;
  let hex = '';
  for (const byte of s) hex += byte.toString(16).padStart(2, '0');
  const low = hexBytes((P256_N_BIGINT - BigInt(`0x${hex}`)).toString(16).padStart(64, '0'));
  const result = new Uint8Array(64);
  result.set(signature.subarray(0, 32));
  result.set(low, 32);
  return result;
}

/**
 * The shape rules every backend applies before any crypto: EdDSA 64 bytes, ES256 64 bytes and
 * canonical low-S, HS256 32 bytes, RSA non-empty. One function, so node:crypto and Web Crypto refuse
 * exactly the same signatures.
 *
 * @example
 * ```ts
 * hasCanonicalForm('EdDSA', new Uint8Array(65)); // false
 * ```
 */
export function hasCanonicalForm(alg: Algorithm, signature: Uint8Array): boolean {
  switch (alg) {
    case 'EdDSA':
      return signature.length === 64;
    case 'ES256':
      return isCanonicalP256Signature(signature);
    case 'HS256':
      return signature.length === 32;
    case 'RS256':
    case 'PS256':
      return signature.length > 0;
  }
}

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function isZero(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}

// Big-endian comparison of two 32-byte numbers.
function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}
