/**
 * The refresh a signed-out page makes by design: a client that keeps its refresh token in an HttpOnly
 * cookie cannot see whether it holds one, so on start-up it asks `/auth/refresh` and takes the 401 as
 * "not signed in" (Tessera's client does this on every page load). Such a refusal is no failure, as
 * long as nothing earlier in the recording handed the browser a refresh token it should have sent.
 */
import { headerValues, responseSetCookies, type HarEntry } from './har-model.js';

/**
 * Names of cookies that carry a refresh token: `refresh_token`, `__Secure-tessera_rt`, `rt`.
 *
 * @example
 * ```ts
 * REFRESH_COOKIE.test('__Secure-tessera_rt'); // true
 * ```
 */
export const REFRESH_COOKIE = /refresh|(^|_|-)rt($|_)/i;

const LOGOUT_PATH = /\/(logout|signout|sign-out|logoff)(\/|$)/i;
// The server's words for "no refresh token came with the request", in Tessera's and common wording.
const SAYS_MISSING =
  /REFRESH_TOKEN_MISSING|no refresh token|refresh token (is )?(missing|required|not (sent|provided|found))|missing refresh token/i;

/**
 * True when request `index`, a refresh that presented no refresh token and was refused with 401, is
 * the start-up check of a browser that holds no session: no earlier response in the recording set a
 * refresh cookie (or returned a refresh token) that was not since deleted or logged out, and the
 * server's recorded words, if any, say only that no refresh token came.
 *
 * @example
 * ```ts
 * signedOutProbe([{ request: { method: 'POST', url: 'http://localhost:4000/auth/refresh' }, response: { status: 401 } }], 0); // true
 * ```
 */
export function signedOutProbe(entries: readonly HarEntry[], index: number): boolean {
  const entry = entries[index];
  if (entry === undefined || entry.response.status !== 401) return false;
  if (!saysOnlyMissing(entry)) return false;
  return !sessionHeldBefore(entries, index);
}

// Whether, just before request `index`, the browser held a refresh token the recording saw it get.
function sessionHeldBefore(entries: readonly HarEntry[], index: number): boolean {
  let held = false;
  for (const entry of entries.slice(0, index)) {
    const status = entry.response.status ?? 0;
    for (const cookie of responseSetCookies(entry))
      if (REFRESH_COOKIE.test(cookie.name))
        held = !(cookie.empty || (cookie.maxAge !== undefined && cookie.maxAge <= 0));
    if (status >= 200 && status < 300 && returnsRefreshToken(entry)) held = true;
    if (status < 400 && LOGOUT_PATH.test(pathOf(entry.request.url))) held = false;
  }
  return held;
}

function returnsRefreshToken(entry: HarEntry): boolean {
  const text = entry.response.content?.text ?? '';
  return /"(refresh_token|refreshToken)"\s*:\s*"[^"]+"/.test(text);
}

// A challenge without error= means "no credentials came" (RFC 6750 section 3.1); a recorded body must
// say the refresh token was missing. Anything else (CSRF, origin, reuse, expiry) is a real refusal.
function saysOnlyMissing(entry: HarEntry): boolean {
  for (const challenge of headerValues(entry.response.headers, 'www-authenticate'))
    if (/\berror\s*=/i.test(challenge) && !SAYS_MISSING.test(challenge)) return false;
  const text = entry.response.content?.text ?? '';
  if (text.trim() === '') return true;
  return SAYS_MISSING.test(text.slice(0, 4096));
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}
