import { ERROR_TABLE, type ErrorCode } from '../errors/codes.js';
import { TesseraError } from '../errors/tessera-error.js';

const ACCESS_TOKEN_CODES = new Set<ErrorCode>([
  'TOKEN_MALFORMED',
  'TOKEN_TOO_LARGE',
  'TOKEN_EXPIRED',
  'TOKEN_NOT_YET_VALID',
  'TOKEN_ISSUED_IN_FUTURE',
  'TOKEN_LIFETIME_TOO_LONG',
  'SIGNATURE_INVALID',
  'ALGORITHM_NOT_ALLOWED',
  'KEY_UNKNOWN',
  'KEY_UNFIT',
  'HEADER_NOT_ALLOWED',
  'TOKEN_UNSUPPORTED',
  'CLAIM_INVALID',
  'AUDIENCE_MISMATCH',
  'ISSUER_MISMATCH',
  'TOKEN_TYPE_MISMATCH',
  'TOKEN_REVOKED',
]);

/**
 * Turns any thrown value into a TesseraError. Unknown errors (a store outage, a driver error) become
 * STORE_UNAVAILABLE with no detail from the original message, which may quote SQL or data.
 *
 * @example
 * ```ts
 * const error = toTesseraError(caught);
 * ```
 */
export function toTesseraError(value: unknown): TesseraError {
  if (value instanceof TesseraError) return value;
  return new TesseraError(
    'STORE_UNAVAILABLE',
    'The server could not reach its session store; try again shortly.',
  );
}

/** A problem response as plain parts, for adapters that write to their own response objects. */
export interface ProblemParts {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * The parts of an RFC 9457 problem+json response for an error, with the RFC 6750 challenge on 401s:
 * `error` and a fixed ASCII description per code for access-token failures (token values never reach a
 * header), a bare `Bearer` challenge when the token is missing.
 *
 * @example
 * ```ts
 * const { status, headers, body } = problemParts(error);
 * res.writeHead(status, headers).end(body);
 * ```
 */
export function problemParts(
  error: TesseraError,
  extraHeaders: Record<string, string> = {},
): ProblemParts {
  const row = ERROR_TABLE[error.code];
  const headers: Record<string, string> = {
    'content-type': 'application/problem+json',
    'cache-control': 'no-store',
    ...extraHeaders,
  };
  if (row.status === 401) headers['www-authenticate'] = challengeFor(error.code);
  if (
    (error.code === 'RATE_LIMITED' || error.code === 'PASSWORD_CHECK_BUSY') &&
    typeof error.facts.retryAfterSeconds === 'number'
  ) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.facts.retryAfterSeconds)));
  }
  const body = {
    type: `tag:tessera-auth,2026:${error.code}`,
    title: row.description,
    status: row.status,
    detail: error.message,
    code: error.code,
    bucket: row.bucket,
    ...(Object.keys(error.facts).length === 0 ? {} : { facts: error.facts }),
  };
  return { status: row.status, headers, body: JSON.stringify(body) };
}

/**
 * An RFC 9457 problem+json Response for an error; see {@link problemParts}.
 *
 * @example
 * ```ts
 * return problemResponse(new TesseraError('TOKEN_EXPIRED', '...'));
 * ```
 */
export function problemResponse(
  error: TesseraError,
  headers: Record<string, string> = {},
): Response {
  const parts = problemParts(error, headers);
  return new Response(parts.body, { status: parts.status, headers: parts.headers });
}

/**
 * An RFC 6749 section 5.2 error response for the OAuth token endpoint: `{ error, error_description }`.
 *
 * @example
 * ```ts
 * return oauthErrorResponse(new TesseraError('REFRESH_TOKEN_REUSED', '...'));
 * ```
 */
export function oauthErrorResponse(error: TesseraError): Response {
  const row = ERROR_TABLE[error.code];
  const oauthError = row.oauthError === 'invalid_token' ? 'invalid_grant' : row.oauthError;
  const status =
    oauthError === 'invalid_client'
      ? 401
      : row.status >= 500 || row.status === 429
        ? row.status
        : 400;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    pragma: 'no-cache',
  };
  if (status === 401) headers['www-authenticate'] = 'Basic realm="tessera"';
  return new Response(
    JSON.stringify({
      error: oauthError,
      error_description: row.description,
      tessera_code: error.code,
    }),
    { status, headers },
  );
}

function challengeFor(code: ErrorCode): string {
  if (code === 'TOKEN_MISSING') return 'Bearer realm="tessera"';
  if (ACCESS_TOKEN_CODES.has(code))
    return `Bearer realm="tessera", error="invalid_token", error_description="${ERROR_TABLE[code].description}"`;
  return 'Bearer realm="tessera"';
}
