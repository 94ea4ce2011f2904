// What the client tells a developer about a set-up problem: the site check behind COOKIE_NOT_SENT and
// the fix for each refresh failure and server warning. Pure: the effects print it (once) and emit it.
// Short on purpose: every word ships in the 5 KB browser bundle.
import type { ServerWarning } from '../wire/names.js';
import type { CookieReport } from './types.js';

const CROSS_SITE_FIX =
  'serve the app and the auth server from one site, or start the server with --cookie-same-site None over HTTPS, or use the body transport';

/**
 * The fix for each warning the server sends in `Tessera-Warning`; keyed by the union, so a new warning
 * needs its fix.
 *
 * @example
 * ```ts
 * console.log(WARNING_FIXES['cookie-cross-site']);
 * ```
 */
export const WARNING_FIXES: Readonly<Record<ServerWarning, string>> = {
  'cookie-cross-site': CROSS_SITE_FIX,
};

/**
 * The first warning of a `Tessera-Warning` header this client knows (the server joins several with
 * commas; a newer server may send codes this client has no fix for).
 *
 * @example
 * ```ts
 * readWarning(response.headers.get(WARNING_HEADER)); // 'cookie-cross-site' or null
 * ```
 */
export function readWarning(header: string | null): ServerWarning | null {
  const known = (code: string): code is ServerWarning => Object.hasOwn(WARNING_FIXES, code);
  return (header ?? '').split(/\s*,\s*/).find(known) ?? null;
}

/**
 * The site of an origin for SameSite purposes: its scheme and registrable domain, approximated by the
 * last two labels (no public-suffix list in a 5 KB client); IP addresses and single-label hosts such as
 * localhost are their own site.
 *
 * @example
 * ```ts
 * siteOf('https://app.example.com'); // 'https:example.com'
 * ```
 */
export function siteOf(origin: string): string {
  try {
    const { protocol, hostname } = new URL(origin);
    return (
      protocol +
      (/^[\d.]+$|:|^[^.]+$/.test(hostname) ? hostname : hostname.split('.').slice(-2).join('.'))
    );
  } catch {
    // An opaque origin ('null': a file: page, a sandboxed frame) is a site of its own.
    return origin;
  }
}

/**
 * Where a refresh cookie was not sent from and to, whether that is one site, and what to do about it.
 *
 * @example
 * ```ts
 * cookieReport('http://127.0.0.1:3000', 'http://localhost:8080').sameSite; // false
 * ```
 */
export function cookieReport(appOrigin: string, authOrigin: string): CookieReport {
  const sameSite = siteOf(appOrigin) === siteOf(authOrigin);
  return {
    appOrigin,
    authOrigin,
    sameSite,
    fix: sameSite ? 'the cookie expired or was cleared or blocked: sign in again' : CROSS_SITE_FIX,
  };
}

/**
 * The `detail` of a COOKIE_NOT_SENT logout: the two origins, whether they are one site, and the fix.
 *
 * @example
 * ```ts
 * cookieDetail(cookieReport(location.origin, 'https://auth.example.com'));
 * ```
 */
export function cookieDetail(report: CookieReport): string {
  return `The browser sent no refresh cookie from ${report.appOrigin} to ${report.authOrigin} (${report.sameSite ? 'same site' : 'cross-site'}). Fix: ${report.fix}.`;
}

/**
 * The fix for a refresh failure that keeps the session, by its code and the status it put the client in.
 *
 * @example
 * ```ts
 * refreshFix('CSRF_FAILED', 'misconfigured', 'https://app.example.com', 'https://auth.example.com');
 * ```
 */
export function refreshFix(
  code: string,
  status: 'misconfigured' | 'reconnecting',
  appOrigin: string,
  base: string,
): string {
  if (code === 'CSRF_FAILED') return `add ${appOrigin} to the server's --allowed-origins`;
  // A browser reports a CORS refusal as a network error, so an origin missing from the list looks the same.
  if (code === 'NETWORK')
    return `check that ${base} is up${appOrigin === 'null' ? '' : ` and allows ${appOrigin} (--allowed-origins)`}`;
  return status === 'reconnecting'
    ? 'none here: the server is busy or failing (see its log)'
    : `check that baseUrl ${base} reaches Tessera, through no proxy that changes the request`;
}
