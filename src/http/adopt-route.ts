import { z } from 'zod';
import { TesseraError } from '../errors/tessera-error.js';
import { TRANSPORT_HEADER } from '../wire/names.js';
import { addressBucket } from './client-address.js';
import type { Route } from './handler-options.js';
import { enforceRate } from './rate-limit.js';
import { readJsonBody } from './request-body.js';
import { LEGACY_EXCHANGES_PER_IP, legacyOf } from './token-exchange.js';

const adoptBody = z.strictObject({ subject_token: z.string().max(8192) });

/**
 * `POST /auth/adopt`: a browser exchanges its old app's JWT once for a Tessera session. Only through
 * the refresh cookie: the answer sets it and carries the access token, never a refresh token a script
 * could read; a client asking for the body transport is sent to `/oauth/token`. The response sets a
 * cookie, so an allowed Origin and the CSRF header are required, as for every cookie request.
 *
 * @example
 * ```ts
 * const routes = { 'POST /auth/adopt': adoptRoute };
 * ```
 */
export const adoptRoute: Route = async (input, deps) => {
  const { request, ip } = input;
  deps.origins.assertSafeStateChange(request, { usesCookie: true });
  if (request.headers.get(TRANSPORT_HEADER)?.toLowerCase() === 'body')
    throw new TesseraError(
      'REQUEST_INVALID',
      'POST /auth/adopt answers with the refresh cookie only; native clients exchange at /oauth/token (RFC 8693).',
    );
  const legacy = legacyOf(deps);
  const { subject_token } = await readJsonBody(request, adoptBody);
  await enforceRate(deps.limiter, `adopt:ip:${addressBucket(ip)}`, LEGACY_EXCHANGES_PER_IP);
  const tokens = await legacy.exchange(subject_token, {
    ip,
    userAgent: request.headers.get('user-agent')?.slice(0, 256) ?? null,
    transport: 'cookie',
  });
  return deps.tokenBody(tokens);
};
