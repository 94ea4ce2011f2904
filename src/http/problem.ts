import { ERROR_TABLE } from '../errors/codes.js';
import { TesseraError } from '../errors/tessera-error.js';
import { textResponse } from './response-text.js';

// The problem+json parts live in errors/ so `tessera-auth/verify` answers exactly as the server does.
export { problemParts, problemResponse, type ProblemParts } from '../errors/problem-parts.js';

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
  return textResponse(
    JSON.stringify({
      error: oauthError,
      error_description: row.description,
      tessera_code: error.code,
    }),
    { status, headers },
  );
}
