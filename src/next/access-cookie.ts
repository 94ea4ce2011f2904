import { readCookie } from '../http/cookies.js';

/**
 * Name of the access cookie the Next.js route handlers set beside the refresh cookie, so that server
 * components, server actions and the proxy (which see no in-memory token) can verify the session.
 * `__Host-`: Secure, `Path=/`, no Domain, so no sibling subdomain can set or shadow it.
 */
export const ACCESS_COOKIE = '__Host-tessera_at';

/** What an auth answer does to the access cookie. */
export type AccessCookieChange =
  | { readonly kind: 'set'; readonly token: string; readonly maxAgeSeconds: number }
  | { readonly kind: 'clear' }
  | { readonly kind: 'keep' };

/** One auth answer as {@link accessCookieChange} judges it. */
export interface AuthAnswer {
  readonly method: string;
  readonly pathname: string;
  readonly status: number;
  /** Whether the answer set the refresh cookie (cookie transport); body-transport clients get no cookie. */
  readonly setsRefreshCookie: boolean;
  /** The parsed JSON body of a 2xx, or undefined. */
  readonly body: unknown;
}

const ISSUING = new Set(['/auth/login', '/auth/signup', '/auth/refresh']);
const ENDING = new Set(['/auth/logout', '/auth/logout-all']);

/**
 * Whether an answer to this request can change the access cookie; only those are read (a token
 * answer's body is parsed for its `access_token`, nothing else's is).
 *
 * @example
 * ```ts
 * changesAccessCookie('POST', '/auth/refresh'); // true
 * changesAccessCookie('GET', '/auth/me'); // false
 * ```
 */
export function changesAccessCookie(method: string, pathname: string): boolean {
  return method === 'POST' && (ISSUING.has(pathname) || ENDING.has(pathname));
}

/**
 * Decides, without effect, what an answer of Tessera's `/auth` routes does to the access cookie: a
 * cookie-transport login, signup or refresh sets it for the access token's own lifetime; a logout
 * (whatever its outcome: a user who asks to leave leaves) or a refused refresh clears it.
 *
 * @example
 * ```ts
 * accessCookieChange({ method: 'POST', pathname: '/auth/logout', status: 204, setsRefreshCookie: true, body: undefined });
 * // { kind: 'clear' }
 * ```
 */
export function accessCookieChange(answer: AuthAnswer): AccessCookieChange {
  if (answer.method !== 'POST') return { kind: 'keep' };
  if (ENDING.has(answer.pathname)) return { kind: 'clear' };
  if (!ISSUING.has(answer.pathname)) return { kind: 'keep' };
  if (answer.pathname === '/auth/refresh' && answer.status === 401) return { kind: 'clear' };
  if ((answer.status !== 200 && answer.status !== 201) || !answer.setsRefreshCookie)
    return { kind: 'keep' };
  const body = answer.body as { access_token?: unknown; expires_in?: unknown } | undefined;
  const token = body?.access_token;
  const expiresIn = body?.expires_in;
  if (typeof token !== 'string' || typeof expiresIn !== 'number' || !(expiresIn > 0))
    return { kind: 'keep' };
  return { kind: 'set', token, maxAgeSeconds: Math.floor(expiresIn) };
}

/**
 * The Set-Cookie value for a change: HttpOnly (no script reads it; the client keeps its own copy in
 * memory), Secure, `Path=/`, `SameSite=Lax` (sent on top-level navigations, not on cross-site
 * subrequests), `Max-Age` only (never `Expires`, which the device clock would distort).
 *
 * @example
 * ```ts
 * headers.append('set-cookie', serializeAccessCookie({ kind: 'set', token, maxAgeSeconds: 900 }));
 * ```
 */
export function serializeAccessCookie(
  change: Exclude<AccessCookieChange, { kind: 'keep' }>,
): string {
  const [value, age] = change.kind === 'set' ? [change.token, change.maxAgeSeconds] : ['', 0];
  return `${ACCESS_COOKIE}=${value}; Path=/; Max-Age=${age}; HttpOnly; Secure; SameSite=Lax`;
}

/**
 * The access token from a Cookie header, or undefined. Two values under the name (which `__Host-`
 * should make impossible) are refused rather than guessed between.
 *
 * @example
 * ```ts
 * const token = accessTokenFromCookies(request.headers.get('cookie'));
 * ```
 */
export function accessTokenFromCookies(header: string | null): string | undefined {
  const cookie = readCookie(header, ACCESS_COOKIE);
  if (cookie.duplicated || cookie.value === undefined || cookie.value === '') return undefined;
  return cookie.value;
}
