import { row, type ErrorTableRow } from './table-row.js';

/**
 * The rows inside the three buckets: the access and refresh token as sent (`storage`), its times
 * (`time`) and its checks (`validation`).
 * `ERROR_TABLE` in `codes.ts` spreads the row groups in a fixed order, which is the order of
 * `ERROR_CODES`.
 *
 * @example
 * ```ts
 * import { TOKEN_ROWS } from './token-rows.js';
 *
 * console.log(Object.keys(TOKEN_ROWS).length > 0); // true
 * ```
 */
export const TOKEN_ROWS = {
  // storage: where the client keeps and sends the token
  TOKEN_MISSING: row(401, 'invalid_token', 'storage', 'No access token was sent'),
  TOKEN_MALFORMED: row(
    401,
    'invalid_token',
    'storage',
    'The token is not a well-formed compact JWS',
  ),
  TOKEN_TOO_LARGE: row(401, 'invalid_token', 'storage', 'The token is larger than 8 KB'),
  TOKEN_IN_URL: row(
    400,
    'invalid_request',
    'storage',
    'Access tokens are accepted only in the Authorization header',
  ),
  REFRESH_TOKEN_MISSING: row(401, 'invalid_grant', 'storage', 'No refresh token was sent'),
  REFRESH_TOKEN_MALFORMED: row(
    401,
    'invalid_grant',
    'storage',
    'The refresh token is not in the tsr_ format',
  ),
  // time
  TOKEN_EXPIRED: row(401, 'invalid_token', 'time', 'The access token has expired'),
  TOKEN_NOT_YET_VALID: row(401, 'invalid_token', 'time', 'The access token is not valid yet'),
  TOKEN_ISSUED_IN_FUTURE: row(
    401,
    'invalid_token',
    'time',
    'The access token was issued in the future',
  ),
  TOKEN_LIFETIME_TOO_LONG: row(
    401,
    'invalid_token',
    'time',
    'The access token lives longer than allowed',
  ),
  REFRESH_TOKEN_EXPIRED: row(401, 'invalid_grant', 'time', 'The refresh token has expired'),
  SESSION_EXPIRED: row(
    401,
    'invalid_grant',
    'time',
    'The session reached its idle or absolute lifetime',
  ),
  // validation
  SIGNATURE_INVALID: row(401, 'invalid_token', 'validation', 'The token signature does not verify'),
  ALGORITHM_NOT_ALLOWED: row(
    401,
    'invalid_token',
    'validation',
    'The token algorithm is not the one of its key',
  ),
  KEY_UNKNOWN: row(401, 'invalid_token', 'validation', 'The token was signed with an unknown key'),
  KEY_UNFIT: row(
    401,
    'invalid_token',
    'validation',
    'The token names a published key that is unfit for its algorithm',
  ),
  HEADER_NOT_ALLOWED: row(
    401,
    'invalid_token',
    'validation',
    'The token header carries a parameter that is refused',
  ),
  TOKEN_UNSUPPORTED: row(
    401,
    'invalid_token',
    'validation',
    'Encrypted or nested tokens are not accepted',
  ),
  CLAIM_INVALID: row(
    401,
    'invalid_token',
    'validation',
    'A token claim is missing or has the wrong type',
  ),
  AUDIENCE_MISMATCH: row(401, 'invalid_token', 'validation', 'The token is for another audience'),
  ISSUER_MISMATCH: row(401, 'invalid_token', 'validation', 'The token comes from another issuer'),
  TOKEN_TYPE_MISMATCH: row(401, 'invalid_token', 'validation', 'The token is not an access token'),
  TOKEN_REVOKED: row(401, 'invalid_token', 'validation', 'The session of this token was revoked'),
  REFRESH_TOKEN_UNKNOWN: row(401, 'invalid_grant', 'validation', 'The refresh token is not known'),
  REFRESH_TOKEN_REUSED: row(
    401,
    'invalid_grant',
    'validation',
    'The refresh token was already used; the session is revoked',
  ),
  REFRESH_TOKEN_REVOKED: row(
    401,
    'invalid_grant',
    'validation',
    'The session of this refresh token was revoked',
  ),
} as const satisfies Record<string, ErrorTableRow>;
