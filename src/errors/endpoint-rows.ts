import { row, type ErrorTableRow } from './table-row.js';

/**
 * Rows of the refresh endpoint and the routes: cookie conflicts, transport, `client_id`, `grant_type`,
 * an unknown resource or method.
 * `ERROR_TABLE` in `codes.ts` spreads the row groups in a fixed order, which is the order of
 * `ERROR_CODES`.
 *
 * @example
 * ```ts
 * import { ENDPOINT_ROWS } from './endpoint-rows.js';
 *
 * console.log(Object.keys(ENDPOINT_ROWS).length > 0); // true
 * ```
 */
export const ENDPOINT_ROWS = {
  REFRESH_COOKIE_CONFLICT: row(
    409,
    'invalid_request',
    null,
    'Two refresh cookies name live sessions of different users',
  ),
  TRANSPORT_MISMATCH: row(
    400,
    'invalid_request',
    'storage',
    'The refresh token came by a transport its session does not use',
  ),
  CLIENT_UNKNOWN: row(
    401,
    'invalid_client',
    null,
    'The client_id is not one of the configured public clients',
  ),
  GRANT_TYPE_UNSUPPORTED: row(
    400,
    'unsupported_grant_type',
    null,
    'Only grant_type=refresh_token is supported here',
  ),
  NOT_FOUND: row(404, 'invalid_request', null, 'No such resource'),
  METHOD_NOT_ALLOWED: row(405, 'invalid_request', null, 'Method not allowed on this resource'),
} as const satisfies Record<string, ErrorTableRow>;
