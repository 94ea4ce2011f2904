import { isUtf8 } from 'node:buffer';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { verifyJws } from '../jwa/node-signatures.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { SyncCryptoBackend } from './crypto-backend.js';
import { assertKeyFitsAlgorithm } from './key-material.js';

/**
 * The node:crypto backend: KeyObjects, synchronous verification (no Promise on the hot path). Chosen by
 * the `node` export condition of `tessera-auth/verify`, and used by the root entry's verifier.
 *
 * @example
 * ```ts
 * const ok = nodeCryptoBackend.verify('EdDSA', key.publicKey, signingInput, signature); // boolean
 * ```
 */
export const nodeCryptoBackend: SyncCryptoBackend<KeyObject> = {
  name: 'node',
  importPublicJwk(alg, jwk) {
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey({ key: jwk as never, format: 'jwk' });
    } catch {
      return `it is not a valid ${jwk.kty} public key`;
    }
    try {
      assertKeyFitsAlgorithm(alg, publicKey);
    } catch (error) {
      return error instanceof TesseraError ? error.message : `it cannot verify ${alg}`;
    }
    return publicKey;
  },
  verify(alg, key, signingInput, signature) {
    return verifyJws(alg, key, Buffer.from(signingInput, 'latin1'), signature);
  },
  // Node's native decoders: the rules were applied by the shared code, these only convert.
  base64urlBytes: (canonical) => Buffer.from(canonical, 'base64url'),
  utf8Text: (bytes) =>
    isUtf8(bytes)
      ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
      : undefined,
};
