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
 * One row from its four parts, in the order the table reads them.
 *
 * @example
 * ```ts
 * const expired = row(401, 'invalid_token', 'time', 'The access token has expired');
 * console.log(expired.status); // 401
 * ```
 */
export function row(
  status: number,
  oauthError: OAuthErrorValue,
  bucket: Bucket | null,
  description: string,
): ErrorTableRow {
  return { status, oauthError, bucket, description };
}
