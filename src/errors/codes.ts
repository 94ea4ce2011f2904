/**
 * The three places a token failure comes from, the way people debug them.
 * - `time`: expiry, not-before, issued-in-the-future, clock skew.
 * - `storage`: where the client keeps and sends the token (missing, mangled, overwritten, sent in the wrong place).
 * - `validation`: key, signature, algorithm, audience, issuer, type, revocation.
 *
 * @example
 * ```ts
 * import { ERROR_TABLE, type Bucket } from 'tessera-auth';
 *
 * const bucket: Bucket | null = ERROR_TABLE.TOKEN_EXPIRED.bucket;
 * console.log(bucket); // 'time'
 * ```
 */
export type Bucket = 'time' | 'storage' | 'validation';

/** RFC 6749 section 5.2 and RFC 6750 section 3.1 `error` values. */
export type OAuthErrorValue =
  | 'invalid_request'
  | 'invalid_token'
  | 'invalid_grant'
  | 'invalid_client'
  | 'unsupported_grant_type'
  | 'insufficient_scope'
  | 'server_error'
  | 'temporarily_unavailable';

/** One row of the error table: how a code is answered over HTTP and where it is debugged. */
export interface ErrorTableRow {
  readonly status: number;
  readonly oauthError: OAuthErrorValue;
  readonly bucket: Bucket | null;
  /** Fixed ASCII text, safe for a `WWW-Authenticate` header: never carries a value from a token. */
  readonly description: string;
}

/**
 * Every failure Tessera raises, with its HTTP status, its RFC 6750 / RFC 6749 `error`, and its bucket.
 * This is the one table the HTTP layer, the doctor and the client read.
 *
 * @example
 * ```ts
 * import { ERROR_TABLE } from 'tessera-auth';
 *
 * console.log(ERROR_TABLE.KEY_UNKNOWN.status); // 401
 * ```
 */
export const ERROR_TABLE = {
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
  CREDENTIALS_INVALID: row(401, 'invalid_grant', null, 'Email or password is wrong'),
  ACCOUNT_EXISTS: row(409, 'invalid_request', null, 'An account with this email already exists'),
  SIGNUP_DISABLED: row(403, 'invalid_request', null, 'Sign-up is turned off on this server'),
  RESET_TOKEN_INVALID: row(
    400,
    'invalid_grant',
    null,
    'The password-reset token is unknown, used or expired',
  ),
  VERIFY_TOKEN_INVALID: row(
    400,
    'invalid_grant',
    null,
    'The email-verification token is unknown, used or expired',
  ),
  TICKET_INVALID: row(
    401,
    'invalid_token',
    null,
    'The connection ticket is unknown, used or expired',
  ),
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
  PAYLOAD_SENSITIVE: row(
    500,
    'server_error',
    null,
    'Refused to sign a payload with secret or personal data',
  ),
  CLAIM_NOT_ALLOWED: row(
    500,
    'server_error',
    null,
    'Refused to sign a claim outside the allow-list',
  ),
  SECRET_WEAK: row(500, 'server_error', null, 'The HMAC secret is too weak'),
  KEY_INVALID: row(500, 'server_error', null, 'A key could not be loaded or used'),
  CONFIG_INVALID: row(500, 'server_error', null, 'The configuration is invalid'),
  // issue 14: imported password hashes
  PASSWORD_HASH_UNUSABLE: row(
    500,
    'server_error',
    null,
    'The stored password hash has an unknown format or a cost above the cap',
  ),
  IMPORT_INVALID: row(400, 'invalid_request', null, 'The user import has rows that cannot go in'),
  // Legacy tokens (issue 14): an old app's own JWTs exchanged once for a Tessera session. RFC 8693
  // section 2.2.2 answers an unusable subject_token with invalid_request.
  LEGACY_TOKEN_MALFORMED: row(
    400,
    'invalid_request',
    'storage',
    'The legacy token is not a compact JWS',
  ),
  LEGACY_SIGNATURE_INVALID: row(
    400,
    'invalid_request',
    'validation',
    'The legacy token is not signed by the configured legacy key',
  ),
  LEGACY_TOKEN_NO_EXP: row(
    400,
    'invalid_request',
    'validation',
    'The legacy token has no exp claim',
  ),
  LEGACY_TOKEN_EXPIRED: row(400, 'invalid_request', 'time', 'The legacy token has expired'),
  LEGACY_CLAIM_INVALID: row(
    400,
    'invalid_request',
    'validation',
    'The legacy token has the wrong issuer, audience or time claims',
  ),
  LEGACY_SUBJECT_INVALID: row(
    400,
    'invalid_request',
    'validation',
    'The legacy user id claim is missing or of the wrong type',
  ),
  LEGACY_WINDOW_CLOSED: row(
    400,
    'invalid_request',
    'time',
    'The migration window for legacy tokens has closed',
  ),
  LEGACY_TOKEN_REPLAYED: row(
    400,
    'invalid_request',
    'validation',
    'The legacy token was already exchanged; its session is revoked',
  ),
  LEGACY_TOKEN_REJECTED: row(
    400,
    'invalid_request',
    'validation',
    'The old app store refused the legacy token',
  ),
  LEGACY_NOT_CONFIGURED: row(
    400,
    'invalid_request',
    null,
    'This server has no legacy token configuration',
  ),
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

/**
 * The stable string codes; a `switch` over `error.code` narrows on them.
 *
 * @example
 * ```ts
 * import { ERROR_TABLE, type ErrorCode } from 'tessera-auth';
 *
 * function isTime(code: ErrorCode): boolean {
 *   return ERROR_TABLE[code].bucket === 'time';
 * }
 * ```
 */
export type ErrorCode = keyof typeof ERROR_TABLE;

/**
 * All codes as a list, for exhaustive tests and documentation.
 *
 * @example
 * ```ts
 * ERROR_CODES.includes('TOKEN_EXPIRED'); // true
 * ```
 */
export const ERROR_CODES: readonly ErrorCode[] = Object.keys(ERROR_TABLE) as ErrorCode[];

function row(
  status: number,
  oauthError: OAuthErrorValue,
  bucket: Bucket | null,
  description: string,
): ErrorTableRow {
  return { status, oauthError, bucket, description };
}
