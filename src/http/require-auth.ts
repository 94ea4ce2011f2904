import type { AccessTokenClaims } from '../jwt/claims.js';
import {
  createAccessTokenVerifier,
  type RevocationCheck,
  type VerificationKeys,
} from '../jwt/verify-access-token.js';
import { isTesseraError, TesseraError } from '../errors/tessera-error.js';
import { createRemoteJwks, type RemoteJwks, type RemoteJwksOptions } from '../keys/remote-jwks.js';
import { checkJwksUrl } from '../keys/jwks-cache.js';
import { revocationCheckOf, type RevocationSource } from './followed-revocations.js';
import { problemParts, type ProblemParts } from './problem.js';
import { readBearerTokenFrom } from '../wire/bearer.js';

/** Options of {@link createResourceGuard}: local keys (the auth server's keyring) or a remote JWKS URL. */
export interface ResourceGuardOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly keys?: VerificationKeys;
  readonly jwksUrl?: string;
  /** How the remote JWKS is fetched and cached (timeouts, cooldown, size cap). */
  readonly jwks?: Omit<RemoteJwksOptions, 'url' | 'fetch' | 'now'>;
  readonly leewaySeconds?: number;
  readonly maxLifetimeSeconds?: number;
  /**
   * The revocation view to follow. Without one the guard is stateless: a revoked session's access
   * tokens keep working until they expire (at most the access TTL). Say which in your docs. A remote
   * API follows the auth server's feed with `{ follow: { credential } }` (or `'follow'` in the Express
   * and Fastify adapters, with TESSERA_FEED_CREDENTIAL): README, "Revocation at remote APIs".
   */
  readonly revocations?: RevocationSource;
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
}

/** The outcome of authenticating one request: claims, or the response to send. */
export type GuardResult =
  | { readonly ok: true; readonly claims: AccessTokenClaims }
  | { readonly ok: false; readonly problem: ProblemParts; readonly error: TesseraError };

/**
 * The framework-neutral core of `requireAuth()`: verifies the Bearer token of a request against iss,
 * aud and leeway, and answers failures exactly as the auth server does (problem+json, RFC 6750 challenge).
 *
 * @example
 * ```ts
 * const guard = createResourceGuard({ issuer, audience, jwksUrl: `${issuer}/.well-known/jwks.json` });
 * const result = await guard.authenticate(request);
 * if (!result.ok) return new Response(result.problem.body, result.problem);
 * ```
 */
export interface ResourceGuard {
  authenticate(request: Request): Promise<GuardResult>;
  /**
   * The same over plain strings: synchronous when the keys are at hand, a Promise only when an unknown
   * kid sends a remote JWKS to learn it. Adapters use this to skip building a Fetch Request per call.
   */
  check(parts: {
    url: string;
    authorization: string | null | undefined;
  }): GuardResult | Promise<GuardResult>;
  /** Synchronous path for adapters with local keys: throws a TesseraError on failure. */
  verify(token: string): AccessTokenClaims;
  /** Whether revocation reaches this guard. */
  readonly followsRevocations: boolean;
}

/**
 * Creates a resource guard.
 *
 * @example
 * ```ts
 * const guard = createResourceGuard({ issuer, audience, keys: keyring, revocations: view });
 * ```
 */
export function createResourceGuard(options: ResourceGuardOptions): ResourceGuard {
  let remote: RemoteJwks | undefined;
  let keys: VerificationKeys;
  if (options.keys !== undefined) keys = options.keys;
  else if (options.jwksUrl !== undefined)
    keys = remote = createRemoteJwks({
      ...options.jwks,
      url: checkJwksUrl(options.jwksUrl),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  else
    throw new TesseraError(
      'CONFIG_INVALID',
      'requireAuth() needs either keys (a keyring) or a jwksUrl.',
    );
  const revocations: RevocationCheck | undefined = revocationCheckOf(options);
  const verifier = createAccessTokenVerifier({
    keys,
    issuer: options.issuer,
    audience: options.audience,
    ...(options.leewaySeconds === undefined ? {} : { leewaySeconds: options.leewaySeconds }),
    ...(options.maxLifetimeSeconds === undefined
      ? {}
      : { maxLifetimeSeconds: options.maxLifetimeSeconds }),
    ...(revocations === undefined ? {} : { revocations }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const fail = (error: unknown): GuardResult => {
    const tessera = isTesseraError(error)
      ? error
      : new TesseraError('KEY_INVALID', 'The verification keys could not be loaded.');
    return { ok: false, error: tessera, problem: problemParts(tessera) };
  };
  const guard: ResourceGuard = {
    followsRevocations: revocations !== undefined,
    verify: (token) => verifier.verify(token),
    async authenticate(request) {
      return this.check({ url: request.url, authorization: request.headers.get('authorization') });
    },
    check(parts) {
      let token: string;
      try {
        token = readBearerTokenFrom(parts);
        return { ok: true, claims: verifier.verify(token) };
      } catch (error) {
        if (remote === undefined || !isTesseraError(error, 'KEY_UNKNOWN')) return fail(error);
        // A kid we have not seen may be a freshly rotated key: learn it once (rate-limited), then retry.
        const jwks = remote;
        const kid = kidOf(parts.authorization ?? '');
        if (kid === undefined) return fail(error);
        return jwks.learn(kid).then((learned) => {
          if (!learned) return fail(error);
          try {
            return { ok: true as const, claims: verifier.verify(readBearerTokenFrom(parts)) };
          } catch (retryError) {
            return fail(retryError);
          }
        }, fail);
      }
    },
  };
  // A view that can fall behind (a follower of a remote feed) is brought within its bound first.
  const refresh = revocations?.refresh?.bind(revocations);
  if (refresh === undefined) return guard;
  return { ...guard, check: (parts) => refresh().then(() => guard.check(parts), fail) };
}

function kidOf(authorization: string): string | undefined {
  try {
    const token = authorization.replace(/^Bearer +/i, '');
    const header = JSON.parse(
      Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'),
    ) as { kid?: unknown };
    return typeof header.kid === 'string' && header.kid.length <= 128 ? header.kid : undefined;
  } catch {
    return undefined;
  }
}
