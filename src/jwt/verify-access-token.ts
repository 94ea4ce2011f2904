import { TesseraError } from '../errors/tessera-error.js';
import { verifyJws } from '../jwa/algorithms.js';
import { CompactParser } from '../jws/compact.js';
import { decodeCheckedBase64url } from '../jws/base64url.js';
import { parseStrictJson } from '../jws/strict-json.js';
import { describeUntrusted } from '../errors/explain.js';
import type { KeyMaterial } from '../keys/key-material.js';
import {
  checkClaimShape,
  checkClaimTimes,
  type AccessTokenClaims,
  type ClaimRules,
} from './claims.js';
import { resolveLeeway, resolvePositiveSeconds } from './time-options.js';

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

interface CachedToken {
  readonly claims: AccessTokenClaims;
  readonly kid: string;
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
  if (!options.issuer || !options.audience) {
    throw new TesseraError(
      'CONFIG_INVALID',
      'A verifier needs both an issuer and an audience: tokens from another issuer or for another API must not pass.',
    );
  }
  const rules: ClaimRules = {
    issuer: options.issuer,
    audience: options.audience,
    leewaySeconds: resolveLeeway(options.leewaySeconds),
    maxLifetimeSeconds: resolvePositiveSeconds(
      'maxLifetimeSeconds',
      options.maxLifetimeSeconds ?? 3600,
    ),
  };
  const now = options.now ?? Date.now;
  const { keys, revocations } = options;
  const cacheSize = options.cacheSize ?? 10_000;
  const cache = new Map<string, CachedToken>();
  const parser = new CompactParser();

  const verifyUncached = (token: string): CachedToken => {
    const { header, signingInput, payloadSegment, signatureSegment } = parser.parse(token);
    const key = keys.verificationKey(header.kid);
    if (key === undefined) {
      throw new TesseraError(
        'KEY_UNKNOWN',
        `No published key has kid ${describeUntrusted(header.kid)}. The signing key was rotated without overlap, or the token comes from another deployment.`,
      );
    }
    if (header.alg !== key.alg) {
      throw new TesseraError(
        'ALGORITHM_NOT_ALLOWED',
        `The token says alg ${describeUntrusted(header.alg)}, but key ${key.kid} is ${key.alg}: the algorithm is decided by the key, never by the token.`,
        {
          expected: key.alg,
        },
      );
    }
    const signature = decodeCheckedBase64url(signatureSegment);
    if (signature === undefined || signature.length === 0) {
      throw new TesseraError(
        'SIGNATURE_INVALID',
        'The token signature is empty or not canonical base64url.',
      );
    }
    if (!verifyJws(key.alg, key.publicKey, Buffer.from(signingInput, 'latin1'), signature)) {
      throw new TesseraError(
        'SIGNATURE_INVALID',
        `The token signature does not verify with key ${key.kid} (${key.alg}). The token was altered, or signed by a key with the same kid from another deployment.`,
      );
    }
    const payloadBytes = decodeCheckedBase64url(payloadSegment);
    if (payloadBytes === undefined)
      throw new TesseraError('CLAIM_INVALID', 'The token payload is not canonical base64url.');
    const parsed = parseStrictJson(payloadBytes);
    if (!parsed.ok)
      throw new TesseraError(
        'CLAIM_INVALID',
        `The token payload is not a JSON object with unique claim names (${parsed.problem}).`,
      );
    return { claims: freezeDeep(checkClaimShape(parsed.value, rules)), kid: key.kid };
  };

  return {
    verify(token: string): AccessTokenClaims {
      if (typeof token !== 'string' || token.length === 0)
        throw new TesseraError('TOKEN_MISSING', 'No access token was given.');
      let entry = cacheSize > 0 ? cache.get(token) : undefined;
      if (entry === undefined || keys.verificationKey(entry.kid) === undefined) {
        if (entry !== undefined) cache.delete(token);
        entry = verifyUncached(token);
        if (cacheSize > 0) {
          // Map keeps insertion order, so the first key is the oldest entry.
          if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
          cache.set(token, entry);
        }
      }
      checkClaimTimes(entry.claims, rules, now() / 1000);
      revocations?.assertNotRevoked(entry.claims);
      return entry.claims;
    },
  };
}

// Cached claims are handed to every request that presents the same token: nested arrays and objects
// (roles, aud) must be frozen too, or one handler's edit would be seen by the next request.
function freezeDeep<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) freezeDeep(child);
    Object.freeze(value);
  }
  return value;
}
