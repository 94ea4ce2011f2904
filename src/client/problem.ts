import type { ErrorCode } from '../errors/codes.js';

/**
 * A failure the client reports: the server's stable `code` (or a client-side one) and its explanation.
 *
 * @example
 * ```ts
 * try { await auth.login(email, password); } catch (error) { if (error instanceof AuthClientError && error.code === 'CREDENTIALS_INVALID') showWrongPassword(); }
 * ```
 */
export class AuthClientError extends Error {
  /** The server's problem+json `code`, or `NETWORK` / `REFRESH_UNAVAILABLE` / `HTTP_<status>` from the client. */
  readonly code: ErrorCode | 'NETWORK' | 'REFRESH_UNAVAILABLE' | `HTTP_${number}`;
  readonly status: number;
  /** The server's `facts.reason` when it gave one (for example `reuse` on a revoked session). */
  readonly reason: string | undefined;

  /**
   * @example
   * ```ts
   * throw new AuthClientError('NETWORK', 'The auth server could not be reached.', 0);
   * ```
   */
  constructor(code: AuthClientError['code'], message: string, status: number, reason?: string) {
    super(message);
    this.name = 'AuthClientError';
    this.code = code;
    this.status = status;
    this.reason = reason;
  }
}

/**
 * The access-token failures a refresh can cure: expired, missing, or invalid in a way a new token fixes
 * (a rotated signing key, a token the server no longer trusts). TOKEN_REVOKED is included so the refresh
 * call, not a guess, says why the session ended.
 *
 * @example
 * ```ts
 * REFRESHABLE_CODES.has('TOKEN_EXPIRED'); // true
 * ```
 */
export const REFRESHABLE_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'TOKEN_EXPIRED',
  'TOKEN_MISSING',
  'TOKEN_MALFORMED',
  'SIGNATURE_INVALID',
  'KEY_UNKNOWN',
  'TOKEN_NOT_YET_VALID',
  'TOKEN_ISSUED_IN_FUTURE',
  'TOKEN_REVOKED',
]);

/**
 * Reads an error response (problem+json from Tessera, anything from elsewhere) into an AuthClientError
 * without consuming the caller's body.
 *
 * @example
 * ```ts
 * const error = await readProblem(response); // error.code === 'TOKEN_EXPIRED'
 * ```
 */
export async function readProblem(response: Response): Promise<AuthClientError> {
  let body: { code?: unknown; detail?: unknown; facts?: { reason?: unknown } } = {};
  if (/json/.test(response.headers.get('content-type') ?? '')) {
    body = await response
      .clone()
      .json()
      .catch(() => ({}));
  }
  const code =
    typeof body.code === 'string' ? (body.code as ErrorCode) : (`HTTP_${response.status}` as const);
  const detail =
    typeof body.detail === 'string' ? body.detail : `The server answered ${response.status}.`;
  const reason = typeof body.facts?.reason === 'string' ? body.facts.reason : undefined;
  return new AuthClientError(code, detail, response.status, reason);
}

/**
 * Whether a 401 from an API means "get a new access token and try again". Tessera answers with a code;
 * other APIs are read through their RFC 6750 challenge.
 *
 * @example
 * ```ts
 * if (response.status === 401 && (await isRefreshable(response))) await client.recover(usedToken);
 * ```
 */
export async function isRefreshable(response: Response): Promise<boolean> {
  if (response.status !== 401) return false;
  const { code } = await readProblem(response);
  if (code.startsWith('HTTP_'))
    return /invalid_token|^Bearer realm="[^"]*"$/i.test(
      response.headers.get('www-authenticate') ?? '',
    );
  return REFRESHABLE_CODES.has(code);
}
