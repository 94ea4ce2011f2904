import { TesseraError } from '../errors/tessera-error.js';
import type { LegacyExchange } from '../sessions/legacy-exchange.js';
import type { RouteDeps, RouteInput } from './handler-options.js';
import { enforceRate } from './rate-limit.js';
import { addressBucket } from './client-address.js';

/** RFC 8693 section 2.1: the grant type of a token exchange. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 8693 section 3: the subject token type of a legacy token (a JWT). */
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
/** RFC 8693 section 3: what the answer's `access_token` holds. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** Exchanges, or the refresh path's budget, per address: an adoption is a sign-in. */
export const LEGACY_EXCHANGES_PER_IP = { limit: 60, windowSeconds: 60 };

/**
 * The legacy exchange of a server, or LEGACY_NOT_CONFIGURED.
 *
 * @example
 * ```ts
 * const tokens = await legacyOf(deps).exchange(subjectToken, { transport: 'body' });
 * ```
 */
export function legacyOf(deps: RouteDeps): LegacyExchange {
  if (deps.options.legacy === undefined)
    throw new TesseraError(
      'LEGACY_NOT_CONFIGURED',
      'This server adopts no legacy tokens: configure `legacy` (see README, "Coming from your own JWT code").',
    );
  return deps.options.legacy;
}

/**
 * `grant_type=urn:ietf:params:oauth:grant-type:token-exchange` (RFC 8693) at `/oauth/token`: a native or
 * server client exchanges its old app's JWT (`subject_token`, `subject_token_type=...:jwt`) once for a
 * Tessera session, answered in the body with `issued_token_type` (section 2.2.1). Every refusal of the
 * subject token is `invalid_request` (section 2.2.2), with Tessera's code beside it.
 *
 * @example
 * ```ts
 * if (form.get('grant_type') === TOKEN_EXCHANGE_GRANT) return tokenExchangeGrant(form, input, deps);
 * ```
 */
export async function tokenExchangeGrant(
  form: URLSearchParams,
  input: Pick<RouteInput, 'ip' | 'request'>,
  deps: RouteDeps,
  clientId: string,
): Promise<Response> {
  for (const name of ['subject_token', 'subject_token_type', 'requested_token_type']) {
    if (form.getAll(name).length > 1)
      throw new TesseraError('REQUEST_INVALID', `The parameter ${name} appears more than once.`);
  }
  // Actor tokens (delegation) and other token types are not what an adoption is.
  if (form.has('actor_token'))
    throw new TesseraError('REQUEST_INVALID', 'actor_token is not supported here.');
  if (form.get('subject_token_type') !== JWT_TOKEN_TYPE)
    throw new TesseraError('REQUEST_INVALID', `subject_token_type must be ${JWT_TOKEN_TYPE}.`);
  const requested = form.get('requested_token_type');
  if (requested !== null && requested !== ACCESS_TOKEN_TYPE)
    throw new TesseraError(
      'REQUEST_INVALID',
      `requested_token_type, when sent, must be ${ACCESS_TOKEN_TYPE}.`,
    );
  const legacy = legacyOf(deps);
  await enforceRate(deps.limiter, `adopt:ip:${addressBucket(input.ip)}`, LEGACY_EXCHANGES_PER_IP);
  const tokens = await legacy.exchange(form.get('subject_token') ?? undefined, {
    ip: input.ip,
    userAgent: input.request.headers.get('user-agent')?.slice(0, 256) ?? null,
    transport: 'body',
    clientId,
  });
  return Response.json(
    {
      access_token: tokens.accessToken,
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: tokens.expiresIn,
      refresh_token: tokens.refreshToken,
      refresh_grace_s: tokens.refreshGraceSeconds,
      // Beside the RFC 8693 members, as /auth answers carry it: the client keys its state on it.
      session_id: tokens.sessionId,
    },
    { headers: { 'cache-control': 'no-store', pragma: 'no-cache' } },
  );
}
