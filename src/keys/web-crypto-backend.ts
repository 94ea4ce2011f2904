import type { Algorithm, PublishableAlgorithm } from '../jwa/algorithms.js';
import { hasCanonicalForm } from '../jwa/signature-form.js';
import { canonicalBase64urlBytes } from '../jws/base64url.js';
import { utf8Text } from '../jws/strict-json.js';
import type { CryptoBackend } from './crypto-backend.js';

// Web Crypto names for each algorithm (RFC 7518 section 3, RFC 8037); the hash is fixed by the key,
// never read from a token.
const IMPORT_PARAMS: Record<
  PublishableAlgorithm,
  AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams
> = {
  EdDSA: { name: 'Ed25519' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  PS256: { name: 'RSA-PSS', hash: 'SHA-256' },
};
const VERIFY_PARAMS: Record<Algorithm, AlgorithmIdentifier | EcdsaParams | RsaPssParams> = {
  EdDSA: { name: 'Ed25519' },
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  PS256: { name: 'RSA-PSS', saltLength: 32 },
  HS256: { name: 'HMAC' },
};
const ENCODER = new TextEncoder();

/**
 * The Web Crypto backend: `crypto.subtle`, asynchronous. Chosen by the `workerd`, `edge-light`,
 * `browser`, `deno` and `worker` export conditions of `tessera-auth/verify`. Web Crypto accepts both
 * ECDSA signatures of a message (s and n - s); this backend refuses the high one before calling it, as
 * the node:crypto backend does, so a token has one accepted spelling on every runtime.
 *
 * @example
 * ```ts
 * const ok = await webCryptoBackend.verify('ES256', cryptoKey, signingInput, signature);
 * ```
 */
export const webCryptoBackend: CryptoBackend<CryptoKey> = {
  name: 'web',
  base64urlBytes: canonicalBase64urlBytes,
  utf8Text,
  async importPublicJwk(alg, jwk) {
    try {
      return await globalThis.crypto.subtle.importKey(
        'jwk',
        { ...jwk, ext: true } as JsonWebKey,
        IMPORT_PARAMS[alg],
        false,
        ['verify'],
      );
    } catch {
      return `it is not a valid ${jwk.kty} public key`;
    }
  },
  verify(alg, key, signingInput, signature) {
    // The same shape rules as node:crypto (low-S included), before Web Crypto sees the signature.
    if (!hasCanonicalForm(alg, signature)) return false;
    return globalThis.crypto.subtle
      .verify(VERIFY_PARAMS[alg], key, signature as BufferSource, ENCODER.encode(signingInput))
      .catch(() => false);
  },
};
