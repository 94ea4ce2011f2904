import type { RequestFacts } from './request-facts.js';

/**
 * Reads one cookie from a Cookie header: every value sent under the name, in header order, and the
 * last of them as `value`. Several values (a second cookie from a parent domain or another path) are
 * reported as `duplicated`: the browser's order is not a safe tie-break, so the caller decides.
 *
 * @example
 * ```ts
 * readCookie('a=1; __Secure-tessera_rt=tsr_x.y', '__Secure-tessera_rt'); // { value: 'tsr_x.y', duplicated: false, values: ['tsr_x.y'] }
 * ```
 */
export function readCookie(
  header: string | null,
  name: string,
): { value: string | undefined; duplicated: boolean; values: string[] } {
  if (header === null || header === '') return { value: undefined, duplicated: false, values: [] };
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    values.push(part.slice(eq + 1).trim());
  }
  return { value: values.at(-1), duplicated: values.length > 1, values };
}

/** Options of {@link serializeRefreshCookie}. */
export interface RefreshCookieOptions {
  readonly name: string;
  readonly sameSite: 'Lax' | 'Strict' | 'None';
  readonly path: string;
}

/**
 * The Set-Cookie value for the refresh token: HttpOnly, Secure, `Path=/auth`, with `Max-Age` (never
 * `Expires`, which the device clock would distort). A null value clears it.
 *
 * @example
 * ```ts
 * headers.append('set-cookie', serializeRefreshCookie(token, 1209600, options));
 * ```
 */
export function serializeRefreshCookie(
  value: string | null,
  maxAgeSeconds: number,
  options: RefreshCookieOptions,
): string {
  const age = value === null ? 0 : Math.max(0, Math.floor(maxAgeSeconds));
  return `${options.name}=${value ?? ''}; Path=${options.path}; Max-Age=${age}; HttpOnly; Secure; SameSite=${options.sameSite}`;
}

// The registrable domain ("site") is approximated as the host's last two labels: right for example.com
// and its subdomains, too coarse under multi-label public suffixes (app.example.co.uk and
// shop.other.co.uk both give co.uk, and a.github.io and b.github.io both give github.io), which only
// misses a warning, never refuses anything. IP addresses and `localhost` are compared exactly, as
// browsers do: 127.0.0.1 and localhost are two sites. The scheme is ignored, because a TLS-terminating
// proxy makes the server see http for an https page.
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * The site of a hostname by the approximation above: an IP address or `localhost` as it is, any other
 * name as its last two labels, lower-cased.
 *
 * @example
 * ```ts
 * siteOf('auth.example.com'); // 'example.com'
 * siteOf('127.0.0.1'); // '127.0.0.1'
 * ```
 */
export function siteOf(hostname: string): string {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.startsWith('[') || host.includes(':') || IPV4.test(host))
    return host;
  return host.split('.').slice(-2).join('.');
}

function hostnameOf(authority: string | undefined): string | undefined {
  if (authority === undefined || authority === '') return undefined;
  try {
    return new URL(`http://${authority}`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Whether a browser request comes from another site, so that a `SameSite=Lax` or `Strict` cookie set by
 * this server will not come back on the app's fetches. `Sec-Fetch-Site` decides when the browser sent it
 * (it knows the real public-suffix list); otherwise the Origin's site is compared with the server's own
 * host (the request's Host, or with `trustProxy` the first X-Forwarded-Host). No Origin: not a browser
 * request from another site, so false. Never throws.
 *
 * @example
 * ```ts
 * const request = new Request('http://localhost:8080/auth/login', { headers: { origin: 'http://127.0.0.1:5173' } });
 * isCrossSite(request, { trustProxy: false }); // true
 * ```
 */
export function isCrossSite(request: RequestFacts, options: { trustProxy: boolean }): boolean {
  const fetchSite = request.headers.get('sec-fetch-site');
  if (fetchSite !== null) return fetchSite.trim().toLowerCase() === 'cross-site';
  const origin = request.headers.get('origin');
  if (origin === null) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).hostname;
  } catch {
    return false; // "null" or garbage: the CSRF check decides about it, there is no site to compare
  }
  const forwarded = options.trustProxy
    ? hostnameOf(request.headers.get('x-forwarded-host')?.split(',')[0]?.trim())
    : undefined;
  let serverHost = forwarded;
  if (serverHost === undefined) {
    try {
      serverHost = new URL(request.url).hostname;
    } catch {
      return false;
    }
  }
  if (originHost === '' || serverHost === '') return false;
  return siteOf(originHost) !== siteOf(serverHost);
}
