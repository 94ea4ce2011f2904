import { TesseraError } from '../errors/tessera-error.js';

/** The CSRF header every browser state change must carry; cross-origin it forces a CORS preflight. */
import { CSRF_HEADER } from '../wire/names.js';

/**
 * One origin allow-list drives both CORS and the CSRF check, so they can never disagree.
 *
 * @example
 * ```ts
 * const policy = createOriginPolicy({ allowedOrigins: ['https://app.example.com'] });
 * ```
 */
export interface OriginPolicy {
  /** CORS headers for a request (empty when its Origin is not allowed). Credentials are never combined with `*`. */
  corsHeaders(request: Request): Record<string, string>;
  /** The answer to a CORS preflight. */
  preflight(request: Request): Response;
  /** Throws CSRF_FAILED unless a browser-originated state change carries an allowed Origin and the CSRF header. */
  assertSafeStateChange(request: Request, options: { usesCookie: boolean }): void;
}

/**
 * Creates the origin policy.
 *
 * @example
 * ```ts
 * policy.assertSafeStateChange(request, { usesCookie: true });
 * ```
 */
export function createOriginPolicy(options: { allowedOrigins: readonly string[] }): OriginPolicy {
  const allowed = new Set(options.allowedOrigins.map((origin) => origin.replace(/\/$/, '')));
  const isAllowed = (origin: string | null): origin is string =>
    origin !== null && allowed.has(origin);
  const cors = (request: Request): Record<string, string> => {
    const origin = request.headers.get('origin');
    if (!isAllowed(origin)) return { vary: 'Origin' };
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'WWW-Authenticate, Date, Retry-After',
      vary: 'Origin',
    };
  };
  return {
    corsHeaders: cors,
    preflight(request) {
      const headers = cors(request);
      if (headers['access-control-allow-origin'] !== undefined) {
        headers['access-control-allow-methods'] = 'GET, POST, DELETE, OPTIONS';
        headers['access-control-allow-headers'] =
          'Content-Type, Authorization, Tessera-CSRF, Token-Transport';
        headers['access-control-max-age'] = '600';
      }
      return new Response(null, { status: 204, headers });
    },
    assertSafeStateChange(request, { usesCookie }) {
      const origin = request.headers.get('origin');
      // Native and server clients send neither a cookie nor an Origin: nothing for a CSRF to ride on.
      if (!usesCookie && origin === null) return;
      if (origin === null) {
        throw new TesseraError(
          'CSRF_FAILED',
          'A request that relies on the refresh cookie must carry an Origin header; this one has none.',
          { reason: 'origin-missing' },
        );
      }
      if (!isAllowed(origin)) {
        throw new TesseraError(
          'CSRF_FAILED',
          'The request comes from an origin that is not in the allowed origins (--allowed-origins).',
          { reason: 'origin-not-allowed' },
        );
      }
      if (request.headers.get(CSRF_HEADER) !== '1') {
        throw new TesseraError(
          'CSRF_FAILED',
          'The request lacks the "Tessera-CSRF: 1" header that browser state changes must send.',
          { reason: 'header-missing' },
        );
      }
    },
  };
}
