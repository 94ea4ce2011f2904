import { isUtf8 } from 'node:buffer';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { verifyJws } from '../jwa/node-signatures.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { SyncCryptoBackend } from './crypto-backend.js';
import { assertKeyFitsAlgorithm } from './key-material.js';

// The signing input of every token that fits the 8 KiB token limit is written here instead of into a
// fresh Buffer: node:crypto reads it synchronously, before any other verify can run, so one is enough.
const SIGNING_INPUT = Buffer.allocUnsafeSlow(8192);

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
    // The shared rules proved the input is base64url and dots, so latin1 writes its exact bytes.
    const data =
      signingInput.length <= SIGNING_INPUT.length
        ? SIGNING_INPUT.subarray(0, SIGNING_INPUT.write(signingInput, 0, 'latin1'))
        : Buffer.from(signingInput, 'latin1');
    // RS256 stays on crypto.verify: a hand-written RFC 8017 8.2.2 comparison measured ~5% faster, too
    // little to own signature verification for (and the bench's raw limit is crypto.verify itself).
    return verifyJws(alg, key, data, signature);
  },
  // Node's native decoders: the rules were applied by the shared code, these only convert.
  base64urlBytes: (canonical) => Buffer.from(canonical, 'base64url'),
  utf8Text(bytes) {
    const buffer = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const text = buffer.toString('utf8');
    // Node's decoder replaces every invalid sequence with U+FFFD, so text without one came from valid
    // UTF-8; only text that holds one (sent or replaced) needs the full check.
    return !text.includes('\uFFFD') || isUtf8(bytes) ? text : undefined;
  },
};
