import { TesseraError } from '../errors/tessera-error.js';
import { describeUntrusted } from '../errors/explain.js';
import type { Algorithm } from '../jwa/algorithms.js';
import { CompactParser } from '../jws/compact.js';
import { decodeCheckedBase64url } from '../jws/base64url.js';
import { parseStrictJson } from '../jws/strict-json.js';
import type { VerificationKey } from '../keys/crypto-backend.js';
import {
  checkClaimShape,
  checkClaimTimes,
  type AccessTokenClaims,
  type ClaimRules,
} from './claims.js';
import { resolveLeeway, resolvePositiveSeconds } from './time-options.js';

// The rules of access-token verification, once, for every crypto backend: the root entry's verifier
// (node:crypto, synchronous) and `tessera-auth/verify` (node:crypto or Web Crypto) are both this code
// with a different signature check. No `node:*` import and no Buffer here.

/** Resolves a `kid` to one backend's key. There is no fallback key. */
export interface KeyLookup<K> {
  verificationKey(kid: string): VerificationKey<K> | undefined;
}

/** A backend's signature check: a boolean from a synchronous backend, a Promise from an asynchronous one. */
export type SignatureCheck<K, R extends boolean | Promise<boolean>> = (
  alg: Algorithm,
  key: K,
  signingInput: string,
  signature: Uint8Array,
) => R;

/** Options of {@link createTokenVerifier}: those of `createAccessTokenVerifier` over any backend's keys. */
export interface TokenVerifierOptions<K> {
  readonly keys: KeyLookup<K>;
  readonly issuer: string;
  readonly audience: string;
  readonly leewaySeconds?: number;
  readonly maxLifetimeSeconds?: number;
  readonly now?: () => number;
  readonly revocations?: { assertNotRevoked(claims: AccessTokenClaims): void };
  readonly cacheSize?: number;
}

/** Claims synchronously when the check is synchronous; otherwise claims or a Promise of them. */
export type VerifyAnswer<R> = R extends boolean
  ? AccessTokenClaims
  : AccessTokenClaims | Promise<AccessTokenClaims>;

/**
 * A verifier over one backend; `verify` answers as its signature check does (see {@link VerifyAnswer}).
 *
 * @example
 * ```ts
 * const claims = await verifier.verify(token);
 * ```
 */
export interface TokenVerifier<R> {
  verify(token: string): VerifyAnswer<R>;
}

interface CachedToken {
  readonly claims: AccessTokenClaims;
  readonly kid: string;
}

/**
 * Builds a verifier for RFC 9068 access tokens over one backend's signature check. The algorithm comes
 * from the key the `kid` names, never from the token; signature first, then claims, then time with
 * leeway, then revocation. A bounded cache keyed by the whole token string skips the crypto on repeat
 * tokens but still enforces time, key retirement and revocation on every hit.
 *
 * @example
 * ```ts
 * const verifier = createTokenVerifier({ keys, issuer, audience }, nodeCryptoBackend);
 * const claims = verifier.verify(token); // synchronous: the node:crypto check returns a boolean
 * ```
 */
export function createTokenVerifier<K, R extends boolean | Promise<boolean>>(
  options: TokenVerifierOptions<K>,
  backend: {
    readonly verify: SignatureCheck<K, R>;
    readonly base64urlBytes: (canonical: string) => Uint8Array;
    readonly utf8Text: (bytes: Uint8Array) => string | undefined;
  },
): TokenVerifier<R> {
  const { base64urlBytes, utf8Text } = backend;
  const check = backend.verify;
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
  if (!Number.isSafeInteger(cacheSize) || cacheSize < 0)
    throw new TesseraError(
      'CONFIG_INVALID',
      `cacheSize must be a whole number of tokens, 0 or more (0 turns the cache off); got ${describeUntrusted(cacheSize)}.`,
    );
  const cache = new Map<string, CachedToken>();
  // Insertion order, kept beside the Map: evicting with `cache.keys().next()` walks every deleted slot
  // V8 keeps at the front of the Map's table until its next rehash (thousands with a full cache), which
  // measured ~10 µs a miss with 12 000 users cycling through 10 000 entries. The ring names the entry to
  // drop in O(1); a key it names twice (re-verified after a key change) only leaves the cache early.
  const ring: (string | undefined)[] = [];
  let ringHead = 0;
  const parser = new CompactParser();

  const readClaims = (payloadSegment: string, kid: string): CachedToken => {
    const payloadBytes = decodeCheckedBase64url(payloadSegment, base64urlBytes);
    if (payloadBytes === undefined)
      throw new TesseraError('CLAIM_INVALID', 'The token payload is not canonical base64url.');
    const parsed = parseStrictJson(payloadBytes, utf8Text);
    if (!parsed.ok)
      throw new TesseraError(
        'CLAIM_INVALID',
        `The token payload is not a JSON object with unique claim names (${parsed.problem}).`,
      );
    // Cached claims are handed to every request that presents the same token: parseStrictJson froze
    // them deeply (roles and aud too), so one handler's edit cannot be seen by the next request.
    return { claims: checkClaimShape(parsed.value, rules), kid };
  };

  const verifyUncached = (token: string): CachedToken | Promise<CachedToken> => {
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
    const signature = decodeCheckedBase64url(signatureSegment, base64urlBytes);
    if (signature === undefined || signature.length === 0) {
      throw new TesseraError(
        'SIGNATURE_INVALID',
        'The token signature is empty or not canonical base64url.',
      );
    }
    const verified = check(key.alg, key.publicKey, signingInput, signature);
    if (verified === true) return readClaims(payloadSegment, key.kid);
    if (verified === false) throw signatureInvalid(key);
    return (verified as Promise<boolean>).then((ok) => {
      if (!ok) throw signatureInvalid(key);
      return readClaims(payloadSegment, key.kid);
    });
  };

  const admit = (token: string, entry: CachedToken, fresh: boolean): AccessTokenClaims => {
    if (fresh && cacheSize > 0) {
      const oldest = ring[ringHead];
      if (oldest !== undefined) cache.delete(oldest);
      ring[ringHead] = token;
      ringHead = (ringHead + 1) % cacheSize;
      cache.set(token, entry);
    }
    checkClaimTimes(entry.claims, rules, now() / 1000);
    revocations?.assertNotRevoked(entry.claims);
    return entry.claims;
  };

  return {
    verify(token: string): VerifyAnswer<R> {
      if (typeof token !== 'string' || token.length === 0)
        throw new TesseraError('TOKEN_MISSING', 'No access token was given.');
      const cached = cacheSize > 0 ? cache.get(token) : undefined;
      if (cached !== undefined && keys.verificationKey(cached.kid) !== undefined)
        return admit(token, cached, false) as VerifyAnswer<R>;
      if (cached !== undefined) cache.delete(token);
      const entry = verifyUncached(token);
      // Not `instanceof Promise`: a runtime's crypto may hand back a Promise of another realm (Vercel's
      // edge runtime runs the app in a VM and Web Crypto in the host).
      if (!('claims' in entry))
        return entry.then((resolved) => admit(token, resolved, true)) as VerifyAnswer<R>;
      return admit(token, entry, true) as VerifyAnswer<R>;
    },
  };
}

function signatureInvalid(key: { kid: string; alg: Algorithm }): TesseraError {
  return new TesseraError(
    'SIGNATURE_INVALID',
    `The token signature does not verify with key ${key.kid} (${key.alg}). The token was altered, or signed by a key with the same kid from another deployment.`,
  );
}
