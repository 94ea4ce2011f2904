/**
 * The names on the wire that the server, the client and the doctor must spell alike: the refresh
 * cookie, the request headers and the refresh-token shape. A leaf module: no `node:*` import, no
 * dependency, so the browser client can carry it.
 *
 * The refresh cookie keeps its name and path for good: renaming either would log every user out at
 * the deploy that did it (browsers would keep sending the old cookie, the server would look for the
 * new one).
 */

/** Name of the refresh cookie; the `__Secure-` prefix makes browsers refuse it without Secure. */
export const REFRESH_COOKIE = '__Secure-tessera_rt';

/** Path of the refresh cookie: the prefix of the refresh and logout endpoints, and nothing else. */
export const REFRESH_COOKIE_PATH = '/auth';

/**
 * Name of the device cookie a successful login sets (http/device-cookie.ts): proof that this browser
 * signed in to an account before, so a guesser elsewhere cannot lock it out. `__Host-`: Secure, Path=/,
 * no Domain, so no sibling subdomain can set or shadow it.
 */
export const DEVICE_COOKIE = '__Host-tessera_device';

/** Header every browser state change sends as `Tessera-CSRF: 1` (it forces a CORS preflight). */
export const CSRF_HEADER = 'tessera-csrf';

/** Header a native or server client sends as `Token-Transport: body` to get the refresh token in the body. */
export const TRANSPORT_HEADER = 'token-transport';

/**
 * How a session's refresh token travels: an httpOnly cookie (browsers) or the JSON body (native
 * apps). Fixed per session at login.
 */
export type Transport = 'cookie' | 'body';

/**
 * The one refresh-token format: `tsr_<token id>.<secret>`, a 128-bit id and a 256-bit secret, both
 * base64url. Secret scanners can find leaked ones with this pattern.
 *
 * @example
 * ```ts
 * import { REFRESH_TOKEN_PATTERN } from 'tessera-auth';
 *
 * const leaked = 'tsr_AAAAAAAAAAAAAAAAAAAAAA.' + 'A'.repeat(43);
 * console.log(REFRESH_TOKEN_PATTERN.test(leaked)); // true
 * ```
 */
export const REFRESH_TOKEN_PATTERN = /^tsr_([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/**
 * Response header with which the server warns a browser client about its own set-up, as one
 * {@link ServerWarning} code; exposed to cross-origin clients, so the client can surface it.
 */
export const WARNING_HEADER = 'tessera-warning';

/**
 * What the server warns about:
 * - `cookie-cross-site`: a cookie-transport login, signup or refresh came from another site
 *   (`Sec-Fetch-Site: cross-site`, or an Origin of another registrable domain), so the browser will
 *   not send the `SameSite=Lax` refresh cookie back and every reload will look signed out.
 */
export type ServerWarning = 'cookie-cross-site';
