import { row, type ErrorTableRow } from './table-row.js';

/**
 * Rows of the revocation feed: its credential and its query.
 * `ERROR_TABLE` in `codes.ts` spreads the row groups in a fixed order, which is the order of
 * `ERROR_CODES`.
 *
 * @example
 * ```ts
 * import { FEED_ROWS } from './feed-rows.js';
 *
 * console.log(Object.keys(FEED_ROWS).length > 0); // true
 * ```
 */
export const FEED_ROWS = {
  FEED_CREDENTIAL_INVALID: row(
    401,
    'invalid_token',
    null,
    'The revocation feed credential is missing, malformed or unknown',
  ),
  FEED_CREDENTIAL_REVOKED: row(
    401,
    'invalid_token',
    null,
    'The revocation feed credential was revoked',
  ),
  FEED_CREDENTIAL_IN_URL: row(
    400,
    'invalid_request',
    null,
    'Feed credentials are accepted only in the Authorization header',
  ),
  FEED_QUERY_INVALID: row(
    400,
    'invalid_request',
    null,
    'The since or limit parameter of the revocation feed is invalid',
  ),
  FEED_CREDENTIAL_REFUSED: row(
    503,
    'temporarily_unavailable',
    null,
    'The revocation feed refused the credential of this resource server',
  ),
} as const satisfies Record<string, ErrorTableRow>;
