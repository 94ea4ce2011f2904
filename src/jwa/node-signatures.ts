import {
  createHmac,
  sign as signWithKey,
  timingSafeEqual,
  verify as verifyWithKey,
  constants,
  type KeyObject,
} from 'node:crypto';
import type { Algorithm } from './algorithms.js';
import { hasCanonicalForm, toLowS } from './signature-form.js';

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
    case 'ES256': {
      const raw = signWithKey('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
      const low = toLowS(raw);
      return low === raw ? raw : Buffer.from(low);
    }
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
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (!hasCanonicalForm(alg, signature)) return false;
  switch (alg) {
    case 'EdDSA':
      return verifyWithKey(null, data, key, signature);
    case 'ES256':
      return verifyWithKey('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'RS256':
      return verifyWithKey('sha256', data, key, signature);
    case 'PS256':
      return verifyWithKey(
        'sha256',
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
        signature,
      );
    case 'HS256':
      return timingSafeEqual(createHmac('sha256', key).update(data).digest(), signature);
  }
}
