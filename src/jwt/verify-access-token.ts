import type { KeyMaterial } from '../keys/key-material.js';
import { nodeCryptoBackend } from '../keys/node-crypto-backend.js';
import type { AccessTokenClaims } from './claims.js';
import { createTokenVerifier } from './token-verifier.js';

/** Resolves a `kid` to its key; the {@link Keyring} is one. There is no fallback key. */
export interface VerificationKeys {
  verificationKey(kid: string): KeyMaterial | undefined;
}

/** The stateful check that lets revocation reach access tokens; it throws TOKEN_REVOKED or REVOCATION_STALE. */
export interface RevocationCheck {
  assertNotRevoked(claims: AccessTokenClaims): void;
  /**
   * Brings the view within its staleness bound. Guards await it before each check when present (a
   * follower of a remote feed syncs here on edge runtimes, where no background timer lives); it never
   * rejects: a view it could not refresh is refused by `assertNotRevoked`.
   */
  refresh?(): Promise<void>;
}

/** Options of {@link createAccessTokenVerifier}. */
export interface VerifierOptions {
  readonly keys: VerificationKeys;
  readonly issuer: string;
  readonly audience: string;
  /** Clock skew tolerance in seconds, 0 to 300. Default 60. */
  readonly leewaySeconds?: number;
  /** Longest accepted iat-to-exp lifetime. Default 3600. */
  readonly maxLifetimeSeconds?: number;
  /** Clock in epoch milliseconds. */
  readonly now?: () => number;
  readonly revocations?: RevocationCheck;
  /** Entries in the verified-token cache; 0 turns it off. Default 10 000. */
  readonly cacheSize?: number;
}

/**
 * Verifies access tokens synchronously.
 *
 * @example
 * ```ts
 * const claims = verifier.verify(token);
 * ```
 */
export interface AccessTokenVerifier {
  verify(token: string): AccessTokenClaims;
}

/**
 * Builds a verifier for RFC 9068 access tokens. The algorithm comes from the key the `kid` names,
 * never from the token; signature first, then claims, then time with leeway, then revocation.
 * A bounded cache keyed by the whole token string skips the crypto on repeat tokens but still
 * enforces time, key retirement and revocation on every hit.
 *
 * @example
 * ```ts
 * import { Keyring, createAccessTokenVerifier, generateKeyMaterial, isTesseraError } from 'tessera-auth';
 *
 * const key = await generateKeyMaterial({ alg: 'ES256' });
 * const keyring = new Keyring({ entries: [{ key, createdAt: 0, activatesAt: 0 }] });
 * const verifier = createAccessTokenVerifier({ keys: keyring, issuer: 'https://auth.example.com', audience: 'api' });
 * try {
 *   const { sub, sid } = verifier.verify('eyJ...'); // synchronous: no await on the hot path
 *   console.log(sub, sid);
 * } catch (error) {
 *   if (!isTesseraError(error)) throw error;
 *   console.log(error.code, error.bucket, error.message); // e.g. TOKEN_MALFORMED storage …
 * }
 * ```
 */
export function createAccessTokenVerifier(options: VerifierOptions): AccessTokenVerifier {
  // The shared rules (jwt/token-verifier.ts) over node:crypto, whose check answers synchronously: no
  // Promise is made on this path.
  const verifier = createTokenVerifier(options, nodeCryptoBackend);
  return { verify: (token) => verifier.verify(token) };
}
