import type { Algorithm, PublishableAlgorithm } from '../jwa/algorithms.js';

/**
 * Which crypto a verifier runs on: `node` (node:crypto KeyObjects, synchronous) or `web` (Web Crypto,
 * asynchronous: workerd, Vercel's edge runtime, Deno, browsers).
 *
 * @example
 * ```ts
 * const name: CryptoBackendName = 'web';
 * ```
 */
export type CryptoBackendName = 'node' | 'web';

/** The public members of a JWK that passed the fit screen; nothing private ever reaches a backend. */
export type PublicJwk = Readonly<
  Record<'kty', string> & Partial<Record<'crv' | 'x' | 'y' | 'n' | 'e', string>>
>;

/**
 * A verification key as a backend holds it: `publicKey` is a node:crypto KeyObject on Node and a
 * CryptoKey on Web Crypto. {@link KeyMaterial} is one for the Node backend.
 *
 * @example
 * ```ts
 * const key: VerificationKey<CryptoKey> = { kid: 'k1', alg: 'ES256', publicKey: cryptoKey };
 * ```
 */
export interface VerificationKey<K> {
  readonly kid: string;
  readonly alg: Algorithm;
  readonly publicKey: K;
}

/**
 * The one seam between Tessera's verification rules and a runtime's crypto. Everything else (base64url,
 * JSON, header and claim rules, the JWKS fit screen, low-S) is shared code above it. The Node backend
 * answers synchronously, so the Node hot path never awaits; the Web Crypto backend answers with
 * Promises. Callers branch on the answer, never on the runtime.
 *
 * @example
 * ```ts
 * const ok = backend.verify('ES256', key, 'header.payload', signature);
 * const verified = typeof ok === 'boolean' ? ok : await ok;
 * ```
 */
export interface CryptoBackend<K> {
  readonly name: CryptoBackendName;
  /** Imports a published public key that passed the fit screen; a string says why it is unfit. */
  importPublicJwk(alg: PublishableAlgorithm, jwk: PublicJwk): K | string | Promise<K | string>;
  /**
   * Verifies `signature` over the ASCII signing input with the key's algorithm. False (never a throw)
   * for a wrong or non-canonical signature: ES256 must be 64 bytes and low-S on every backend.
   */
  verify(
    alg: Algorithm,
    key: K,
    signingInput: string,
    signature: Uint8Array,
  ): boolean | Promise<boolean>;
  /** The bytes of base64url text the shared rules already proved canonical (conversion only). */
  base64urlBytes(canonical: string): Uint8Array;
  /** The text of UTF-8 bytes, undefined when they are not valid UTF-8 (a BOM kept). */
  utf8Text(bytes: Uint8Array): string | undefined;
}

/**
 * A backend that answers synchronously (node:crypto): the same seam, with no Promise in its answers.
 *
 * @example
 * ```ts
 * const ok: boolean = nodeCryptoBackend.verify('EdDSA', key.publicKey, signingInput, signature);
 * ```
 */
export interface SyncCryptoBackend<K> extends CryptoBackend<K> {
  importPublicJwk(alg: PublishableAlgorithm, jwk: PublicJwk): K | string;
  verify(alg: Algorithm, key: K, signingInput: string, signature: Uint8Array): boolean;
}
