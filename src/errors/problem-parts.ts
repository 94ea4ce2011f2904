import { ERROR_TABLE, type ErrorCode } from './codes.js';
import type { TesseraError } from './tessera-error.js';

// How a failure is answered over HTTP: RFC 9457 problem+json with the RFC 6750 challenge. Shared by the
// server's handlers (http/) and `tessera-auth/verify`, so a resource server on an edge runtime answers
// byte for byte as the auth server does. Web-standard Response only.

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

function challengeFor(code: ErrorCode): string {
  if (code === 'TOKEN_MISSING') return 'Bearer realm="tessera"';
  if (ACCESS_TOKEN_CODES.has(code))
    return `Bearer realm="tessera", error="invalid_token", error_description="${ERROR_TABLE[code].description}"`;
  return 'Bearer realm="tessera"';
}
