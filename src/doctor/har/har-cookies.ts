/**
 * Cookies a response set and the browser never sent back, with the attribute that explains it:
 * Domain that does not cover the host, Secure over http, SameSite=None without Secure, a Path no
 * later request matches, or SameSite on cross-site requests.
 */
import type { Finding } from '../diagnosis.js';
import {
  displayUrl,
  headerValues,
  requestCookies,
  responseSetCookies,
  siteOf,
  type HarEntry,
  type SetCookie,
} from './har-model.js';

/**
 * Findings for cookies set and never sent back on a later request they were meant for.
 *
 * @example
 * ```ts
 * checkCookiesSentBack(har.log.entries).map((f) => f.id); // ['cookie-never-sent']
 * ```
 */
export function checkCookiesSentBack(entries: readonly HarEntry[]): Finding[] {
  const findings: Finding[] = [];
  const reported = new Set<string>();
  entries.forEach((entry, index) => {
    for (const cookie of responseSetCookies(entry)) {
      // An empty value or Max-Age=0 deletes the cookie: nothing should come back.
      if (cookie.empty || (cookie.maxAge !== undefined && cookie.maxAge <= 0)) continue;
      if (reported.has(cookie.name)) continue;
      const setUrl = safeUrl(entry.request.url);
      if (setUrl === undefined) continue;
      // A Domain that does not cover the setting host is refused on arrival, whatever follows.
      const refused = cookie.domain !== undefined && !domainCovers(cookie.domain, setUrl.hostname);
      const later = entries.slice(index + 1).filter((next) => {
        const url = safeUrl(next.request.url);
        return url !== undefined && hostMatches(url.hostname, cookie, setUrl.hostname);
      });
      if (!refused && later.length === 0) continue;
      if (!refused && later.some((next) => requestCookies(next).has(cookie.name))) continue;
      reported.add(cookie.name);
      findings.push({
        id: 'cookie-never-sent',
        severity: 'danger',
        bucket: 'storage',
        what: refused
          ? `The cookie "${cookie.name}" (${cookie.hash}) set by request #${index + 1} (${displayUrl(entry.request.url)}) was refused by the browser and never sent back.`
          : `The cookie "${cookie.name}" (${cookie.hash}) set by request #${index + 1} (${displayUrl(entry.request.url)}) was never sent back on the ${later.length} later request${later.length === 1 ? '' : 's'} to that host.`,
        why: reasonNotSent(cookie, setUrl, later),
        fix: fixFor(cookie, setUrl, later),
      });
    }
  });
  return findings;
}

function reasonNotSent(cookie: SetCookie, setUrl: URL, later: readonly HarEntry[]): string {
  if (cookie.domain !== undefined && !domainCovers(cookie.domain, setUrl.hostname))
    return `Its Domain=${cookie.domain} does not cover ${setUrl.hostname}, the host that set it: the browser refused the cookie outright.`;
  if (cookie.secure && setUrl.protocol === 'http:' && !isLocalhost(setUrl.hostname))
    return `It is Secure but was set over http://${setUrl.host}: browsers drop Secure cookies from insecure origins.`;
  if (cookie.sameSite === 'none' && !cookie.secure)
    return 'It is SameSite=None without Secure: Chromium refuses such cookies.';
  const path = cookie.path ?? defaultPath(setUrl.pathname);
  const paths = later.map((next) => safeUrl(next.request.url)?.pathname ?? '');
  if (!paths.some((p) => pathMatches(p, path)))
    return `Its Path=${path} matches none of the later requests (${[...new Set(paths)].slice(0, 3).join(', ')}): the browser sends a cookie only under its path.`;
  const crossSite = later.filter((next) => isCrossSite(next));
  if (crossSite.length > 0 && cookie.sameSite !== 'none')
    return `It is SameSite=${cookie.sameSite ?? 'Lax (the default)'} and the later requests are cross-site (from ${initiatorSite(crossSite[0] as HarEntry) ?? 'another site'} to ${siteOf((crossSite[0] as HarEntry).request.url) ?? 'the API'}): browsers withhold such cookies from cross-site fetches.`;
  return 'None of its attributes explains it: the browser may block third-party cookies for this site, or the cookie was overwritten or expired before the next request.';
}

function fixFor(cookie: SetCookie, setUrl: URL, later: readonly HarEntry[]): string {
  if (cookie.domain !== undefined && !domainCovers(cookie.domain, setUrl.hostname))
    return 'Drop the Domain attribute (host-only cookie) or set it to a suffix of the host that sets it.';
  if (cookie.secure && setUrl.protocol === 'http:' && !isLocalhost(setUrl.hostname))
    return 'Serve the auth endpoints over https (in development, use http://localhost, which browsers treat as secure).';
  if (cookie.sameSite === 'none' && !cookie.secure) return 'Add Secure (and serve over https).';
  const path = cookie.path ?? defaultPath(setUrl.pathname);
  const paths = later.map((next) => safeUrl(next.request.url)?.pathname ?? '');
  if (!paths.some((p) => pathMatches(p, path)))
    return 'Set Path to the prefix of the routes that read the cookie (e.g. Path=/auth for /auth/refresh), or call those routes.';
  return 'Serve the app and the API on one site (a reverse proxy: /api on the app origin), or use SameSite=None; Secure with credentials: "include" and a CORS allow-list.';
}

function hostMatches(host: string, cookie: SetCookie, setHost: string): boolean {
  return cookie.domain === undefined ? host === setHost : domainCovers(cookie.domain, host);
}

function domainCovers(domain: string, host: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}

function defaultPath(pathname: string): string {
  const at = pathname.lastIndexOf('/');
  return at <= 0 ? '/' : pathname.slice(0, at);
}

function isLocalhost(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

/**
 * True when a request was made from another site than its own (by its Origin, else its Referer).
 *
 * @example
 * ```ts
 * isCrossSite(entry); // true for a fetch from http://127.0.0.1:3000 to http://localhost:4000
 * ```
 */
export function isCrossSite(entry: HarEntry): boolean {
  const from = initiatorSite(entry);
  const to = siteOf(entry.request.url);
  return from !== undefined && to !== undefined && from !== to;
}

function initiatorSite(entry: HarEntry): string | undefined {
  const origin = headerValues(entry.request.headers, 'origin')[0];
  if (origin !== undefined && origin !== 'null') return siteOf(origin);
  const referer = headerValues(entry.request.headers, 'referer')[0];
  return referer === undefined ? undefined : siteOf(referer);
}

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
