import type { AccessTokenClaims } from '../jwt/claims.js';
import { ERROR_TABLE, type ErrorCode } from '../errors/codes.js';
import { isTesseraError, TesseraError, type ErrorFacts } from '../errors/tessera-error.js';
import { createOriginPolicy, type OriginPolicy } from '../http/origin-policy.js';
import { readBearerTokenFrom } from '../wire/bearer.js';
import { accessTokenFromCookies } from './access-cookie.js';

/**
 * The one place a Next.js integration chooses its verifier: a function from an access token to its
 * verified claims, throwing a TesseraError. On Node, `createResourceGuard({ keys, revocations, ... }).verify`
 * (the in-process keyring) or the same over a `jwksUrl`; an edge route would pass the Web Crypto
 * verifier of `tessera-auth/verify` here, which is why a Promise is allowed.
 */
export type VerifyAccessToken = (token: string) => AccessTokenClaims | Promise<AccessTokenClaims>;

/** A verified session, as server components, server actions, route handlers and the proxy see it. */
export interface TesseraSession {
  readonly userId: string;
  readonly sessionId: string;
  /** When the access token expires, in ms since the epoch (the client refreshes before then). */
  readonly expiresAt: number;
  readonly claims: AccessTokenClaims;
  /** `cookie`: the httpOnly access cookie; `bearer`: an Authorization header (the client's `fetch`). */
  readonly via: 'cookie' | 'bearer';
}

/** A session, or why there is none (TOKEN_MISSING when signed out, TOKEN_EXPIRED, TOKEN_REVOKED, CSRF_FAILED, ...). */
export type SessionResult =
  | { readonly ok: true; readonly session: TesseraSession }
  | { readonly ok: false; readonly error: TesseraError };

/** Options of {@link createRequestAuthenticator}. */
export interface RequestAuthenticatorOptions {
  readonly verify: VerifyAccessToken;
  /** Browser origins allowed to make cookie-authenticated state changes. Default: the request's own origin. */
  readonly allowedOrigins?: readonly string[];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Next's server-action header: not CORS-safelisted, so a cross-site page cannot send it without a preflight. */
const SERVER_ACTION_HEADER = 'next-action';

/**
 * Authenticates a Fetch `Request` (a route handler's, the proxy's): the Authorization header if there is
 * one, else the access cookie. A cookie-authenticated state change must pass the origin rules of
 * `http/origin-policy.ts` (an allowed Origin and `Tessera-CSRF: 1`); a server action, whose
 * `Next-Action` header already forces a preflight, needs the allowed Origin only.
 *
 * @example
 * ```ts
 * const authenticate = createRequestAuthenticator({ verify: guard.verify });
 * const result = await authenticate(request);
 * if (!result.ok) return problemResponse(result.error);
 * ```
 */
export function createRequestAuthenticator(
  options: RequestAuthenticatorOptions,
): (request: Request) => Promise<SessionResult> {
  const configured =
    options.allowedOrigins === undefined
      ? undefined
      : createOriginPolicy({ allowedOrigins: options.allowedOrigins });
  const ownOrigin = new Map<string, OriginPolicy>();
  const policyFor = (request: Request): OriginPolicy => {
    if (configured !== undefined) return configured;
    const origin = new URL(request.url).origin;
    let policy = ownOrigin.get(origin);
    if (policy === undefined) {
      // Bounded: a Host header is the client's to choose.
      if (ownOrigin.size >= 16) ownOrigin.clear();
      policy = createOriginPolicy({ allowedOrigins: [origin] });
      ownOrigin.set(origin, policy);
    }
    return policy;
  };
  return async (request) => {
    try {
      const authorization = request.headers.get('authorization');
      const bearer = authorization !== null && authorization.trim() !== '';
      let token: string | undefined;
      try {
        token = readBearerTokenFrom({ url: request.url, authorization });
      } catch (error) {
        // No header is not yet a failure: the cookie may carry the token. A token in the URL still is.
        if (bearer || !isTesseraError(error, 'TOKEN_MISSING')) throw error;
      }
      token ??= accessTokenFromCookies(request.headers.get('cookie'));
      if (token === undefined)
        throw new TesseraError(
          'TOKEN_MISSING',
          'No access token was sent: no Authorization header and no access cookie (signed out, or the cookie expired and the client has not refreshed yet).',
        );
      if (!bearer && !SAFE_METHODS.has(request.method))
        assertCookieStateChange(request, policyFor(request));
      return {
        ok: true,
        session: sessionOf(await options.verify(token), bearer ? 'bearer' : 'cookie'),
      };
    } catch (error) {
      return { ok: false, error: asTesseraError(error) };
    }
  };
}

function assertCookieStateChange(request: Request, policy: OriginPolicy): void {
  if (request.headers.get(SERVER_ACTION_HEADER) === null) {
    policy.assertSafeStateChange(request, { usesCookie: true });
    return;
  }
  // The policy's CORS answer names the origin only when it is allowed: the same allow-list, one rule.
  if (policy.corsHeaders(request)['access-control-allow-origin'] === undefined)
    throw new TesseraError(
      'CSRF_FAILED',
      'A server action authenticated by the access cookie came from an origin that is not allowed.',
      { reason: 'origin-not-allowed' },
    );
}

/**
 * The session a verified token describes.
 *
 * @example
 * ```ts
 * const session = sessionOf(guard.verify(token), 'cookie');
 * console.log(session.userId, new Date(session.expiresAt));
 * ```
 */
export function sessionOf(claims: AccessTokenClaims, via: TesseraSession['via']): TesseraSession {
  return { userId: claims.sub, sessionId: claims.sid, expiresAt: claims.exp * 1000, claims, via };
}

/**
 * Any verifier failure as a TesseraError. A TesseraError from another copy of this package counts as
 * one: Next bundles the proxy apart from the app's routes, so the proxy's copy may judge errors thrown
 * by a verifier that the app's (unbundled) copy built, and `instanceof` fails across copies. Any other
 * thrown value (a broken key, a bug) becomes KEY_INVALID with no detail from it, as
 * `createResourceGuard` answers.
 *
 * @example
 * ```ts
 * const error = asTesseraError(caught);
 * ```
 */
export function asTesseraError(error: unknown): TesseraError {
  if (isTesseraError(error)) return error;
  const foreign = foreignTesseraError(error);
  if (foreign !== undefined) return foreign;
  return new TesseraError('KEY_INVALID', 'The verification keys could not be loaded.');
}

function foreignTesseraError(error: unknown): TesseraError | undefined {
  if (!(error instanceof Error) || error.name !== 'TesseraError') return undefined;
  const { code, facts } = error as { code?: unknown; facts?: unknown };
  if (typeof code !== 'string' || !Object.hasOwn(ERROR_TABLE, code)) return undefined;
  const copied = typeof facts === 'object' && facts !== null ? (facts as ErrorFacts) : {};
  return new TesseraError(code as ErrorCode, error.message, copied);
}
