import { TesseraError, isTesseraError } from '../errors/tessera-error.js';
import { decodeBase64url } from '../jws/base64url.js';
import { parseStrictJson } from '../jws/strict-json.js';
import type { AccessTokenClaims } from '../jwt/claims.js';
import { createTokenVerifier } from '../jwt/token-verifier.js';
import type { RevocationCheck } from '../jwt/verify-access-token.js';
import type { CryptoBackend, CryptoBackendName } from '../keys/crypto-backend.js';
import { checkJwksUrl, createJwksCache, type RemoteJwksOptions } from '../keys/jwks-cache.js';
import { importJwks } from '../keys/jwks-import.js';

/** Options of `createVerifier` in `tessera-auth/verify`. */
export interface VerifyOptions {
  /** The auth server's issuer (`iss`); required. */
  readonly issuer: string;
  /** This API's audience (`aud`); required. */
  readonly audience: string;
  /** The auth server's JWKS, https (http on localhost only); checked when the verifier is built. */
  readonly jwksUrl: string;
  /** How the JWKS is fetched and cached (timeouts, cooldown, size cap). */
  readonly jwks?: Omit<RemoteJwksOptions, 'url' | 'fetch' | 'now'>;
  /** Clock skew tolerance in seconds, 0 to 300. Default 60. */
  readonly leewaySeconds?: number;
  /** Longest accepted iat-to-exp lifetime. Default 3600. */
  readonly maxLifetimeSeconds?: number;
  /**
   * The revocation view to follow. Without one the verifier is stateless: a revoked session's access
   * tokens keep working until they expire (at most the access TTL).
   */
  readonly revocations?: RevocationCheck;
  /** Entries in the verified-token cache; 0 turns it off. Default 10 000. */
  readonly cacheSize?: number;
  /** Clock in epoch milliseconds. */
  readonly now?: () => number;
  /** The fetch used for the JWKS; defaults to the global one. */
  readonly fetch?: typeof fetch;
}

/**
 * Verifies Tessera access tokens against a remote JWKS. `verify` answers with the claims directly on the
 * Node backend when the key is already known (no Promise on that path), and with a Promise on Web Crypto
 * or when the JWKS must be fetched: always `await` it. Failures are TesseraErrors with their stable code.
 *
 * @example
 * ```ts
 * const claims = await verifier.verify(token);
 * ```
 */
export interface Verifier {
  verify(token: string): AccessTokenClaims | Promise<AccessTokenClaims>;
  /** Fetches the JWKS now; rejects with JWKS_UNAVAILABLE or JWKS_INVALID. Optional: the first token fetches it. */
  refresh(): Promise<void>;
  /** Which crypto backend the export conditions chose: `node` or `web`. */
  readonly backend: CryptoBackendName;
}

/**
 * Builds a {@link Verifier} over one crypto backend; the entries of `tessera-auth/verify` bind it to
 * node:crypto or Web Crypto by export condition.
 *
 * @example
 * ```ts
 * const verifier = createVerifierWith(webCryptoBackend, { issuer, audience, jwksUrl });
 * ```
 */
export function createVerifierWith<K>(backend: CryptoBackend<K>, options: VerifyOptions): Verifier {
  if (typeof options.jwksUrl !== 'string')
    throw new TesseraError('CONFIG_INVALID', 'createVerifier() needs a jwksUrl.');
  const url = checkJwksUrl(options.jwksUrl);
  const jwks = createJwksCache(
    {
      ...options.jwks,
      url,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.now === undefined ? {} : { now: options.now }),
    },
    (body, where) => importJwks(backend, body, where),
  );
  const core = createTokenVerifier({ ...options, keys: jwks }, backend);

  // A kid not seen yet may be a freshly rotated key: learn it once (rate-limited), then verify again.
  // A JWKS that cannot be read answers JWKS_UNAVAILABLE or JWKS_INVALID, never "unknown key".
  const relearn = async (token: string, error: unknown): Promise<AccessTokenClaims> => {
    const kid = isTesseraError(error, 'KEY_UNKNOWN') ? kidOf(token) : undefined;
    if (kid === undefined) throw error;
    if (!(await jwks.learn(kid))) throw error;
    return core.verify(token);
  };

  return {
    backend: backend.name,
    refresh: () => jwks.refresh(),
    verify(token) {
      let answer: AccessTokenClaims | Promise<AccessTokenClaims>;
      try {
        answer = core.verify(token);
      } catch (error) {
        return relearn(token, error);
      }
      // Claims are a plain object; anything else is a Promise, possibly of another realm.
      return 'sub' in answer ? answer : answer.catch((error: unknown) => relearn(token, error));
    },
  };
}

// The kid of a token whose key is unknown, read with the same strict decoders; undefined when the header
// is not even that (the verifier has already said why).
function kidOf(token: string): string | undefined {
  const bytes = decodeBase64url(token.slice(0, Math.max(0, token.indexOf('.'))));
  if (bytes === undefined) return undefined;
  const parsed = parseStrictJson(bytes);
  const kid = parsed.ok ? parsed.value.kid : undefined;
  return typeof kid === 'string' && kid.length > 0 && kid.length <= 128 ? kid : undefined;
}
