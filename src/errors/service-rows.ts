import { row, type ErrorTableRow } from './table-row.js';

/**
 * Rows outside the buckets about the server itself and the request's shape: stale revocation data,
 * an unavailable store or key set, rate and password-check limits, CSRF, malformed or oversized bodies.
 * `ERROR_TABLE` in `codes.ts` spreads the row groups in a fixed order, which is the order of
 * `ERROR_CODES`.
 *
 * @example
 * ```ts
 * import { SERVICE_ROWS } from './service-rows.js';
 *
 * console.log(Object.keys(SERVICE_ROWS).length > 0); // true
 * ```
 */
export const SERVICE_ROWS = {
  // outside the buckets
  REVOCATION_STALE: row(
    503,
    'temporarily_unavailable',
    null,
    'Revocation data is too stale to trust',
  ),
  STORE_UNAVAILABLE: row(503, 'temporarily_unavailable', null, 'The session store is unavailable'),
  JWKS_UNAVAILABLE: row(
    503,
    'temporarily_unavailable',
    null,
    'The key set of the auth server could not be fetched',
  ),
  JWKS_INVALID: row(
    503,
    'temporarily_unavailable',
    null,
    'The key set of the auth server is invalid',
  ),
  RATE_LIMITED: row(429, 'invalid_request', null, 'Too many requests'),
  PASSWORD_CHECK_BUSY: row(
    503,
    'temporarily_unavailable',
    null,
    'Too many password checks are waiting; retry shortly',
  ),
  CSRF_FAILED: row(403, 'invalid_request', null, 'The request failed the CSRF check'),
  REQUEST_INVALID: row(400, 'invalid_request', null, 'The request is malformed'),
  REQUEST_DUPLICATE_KEY: row(
    400,
    'invalid_request',
    null,
    'The JSON request body names one field twice in an object',
  ),
  REQUEST_TOO_LARGE: row(413, 'invalid_request', null, 'The request body is too large'),
  MEDIA_TYPE_UNSUPPORTED: row(
    415,
    'invalid_request',
    null,
    'The request content type is not supported',
  ),
} as const satisfies Record<string, ErrorTableRow>;
