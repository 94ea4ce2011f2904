/**
 * Judges the refresh cookie a server sets, and whether a browser will ever send it back from the app's origin.
 */
import { REFRESH_COOKIE, REFRESH_COOKIE_PATH } from '../../wire/names.js';
import type { CheckResult, Finding } from '../diagnosis.js';

/**
 * A Set-Cookie header taken apart; the value is never kept.
 *
 * @example
 * ```ts
 * const cookie: CookieAttributes = { name: '__Secure-tessera_rt', attributes: { path: '/auth', httponly: true } };
 * ```
 */
export interface CookieAttributes {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string | true>>;
}

/**
 * Parses a Set-Cookie header into its name and lower-cased attributes, dropping the value.
 *
 * @example
 * ```ts
 * parseSetCookie('__Secure-tessera_rt=tsr_x.y; Path=/auth; HttpOnly').attributes.path; // '/auth'
 * ```
 */
export function parseSetCookie(header: string): CookieAttributes {
  const [pair = '', ...rest] = header.split(';');
  const name = pair.slice(0, Math.max(0, pair.indexOf('='))).trim();
  const attributes: Record<string, string | true> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (key !== '') attributes[key] = eq < 0 ? true : part.slice(eq + 1).trim();
  }
  return { name, attributes };
}

/**
 * The "site" of a URL for SameSite purposes: scheme plus registrable domain. Without the public suffix
 * list the registrable domain is approximated by the last two labels (three under a two-letter
 * second-level such as co.uk); IP addresses and single-label hosts are their own site.
 *
 * @example
 * ```ts
 * siteOf('https://app.example.com'); // 'https://example.com'
 * ```
 */
export function siteOf(url: string): string {
  const { protocol, hostname } = new URL(url);
  if (/^[\d.]+$/.test(hostname) || hostname.includes(':') || !hostname.includes('.'))
    return `${protocol}//${hostname}`;
  const labels = hostname.split('.');
  const take =
    labels.length >= 3 &&
    /^(co|com|net|org|ac|gov|edu)$/.test(labels[labels.length - 2] as string) &&
    (labels[labels.length - 1] as string).length === 2
      ? 3
      : 2;
  return `${protocol}//${labels.slice(-take).join('.')}`;
}

/**
 * Checks the refresh cookie's flags: HttpOnly, Secure, SameSite, the __Secure-/__Host- prefix, Path and Max-Age.
 *
 * @example
 * ```ts
 * const { passed, findings } = checkRefreshCookie(parseSetCookie(setCookie));
 * ```
 */
export function checkRefreshCookie(cookie: CookieAttributes): CheckResult {
  const passed: string[] = [];
  const findings: Finding[] = [];
  const a = cookie.attributes;
  const flag = (ok: boolean, pass: string, finding: Finding): void => {
    if (ok) passed.push(pass);
    else findings.push(finding);
  };
  flag(a.httponly === true, 'refresh cookie is HttpOnly', {
    id: 'cookie-not-httponly',
    severity: 'danger',
    bucket: 'storage',
    what: `The refresh cookie ${cookie.name} is not HttpOnly.`,
    why: 'Any script on the page (an XSS, a compromised dependency) can read the refresh token and keep the session for itself.',
    fix: 'Set HttpOnly on the refresh cookie.',
  });
  flag(a.secure === true, 'refresh cookie is Secure', {
    id: 'cookie-not-secure',
    severity: 'danger',
    bucket: 'storage',
    what: `The refresh cookie ${cookie.name} is not Secure.`,
    why: 'It can travel over plain HTTP, where anyone on the network can read it.',
    fix: 'Set Secure (and serve the auth API over HTTPS).',
  });
  const sameSite = typeof a.samesite === 'string' ? a.samesite.toLowerCase() : undefined;
  flag(
    sameSite === 'lax' || sameSite === 'strict' || sameSite === 'none',
    `refresh cookie has SameSite=${String(a.samesite)}`,
    {
      id: 'cookie-no-samesite',
      severity: 'warning',
      bucket: 'storage',
      what: `The refresh cookie ${cookie.name} has no valid SameSite attribute.`,
      why: 'Browsers then pick their own default (Lax in Chrome, none in older Safari): behaviour differs per browser.',
      fix: 'Set SameSite explicitly: Lax for a same-site app, None only for a cross-site one.',
    },
  );
  flag(
    cookie.name.startsWith('__Secure-') || cookie.name.startsWith('__Host-'),
    `refresh cookie name has the ${cookie.name.split('-')[0] ?? ''}- prefix`,
    {
      id: 'cookie-no-prefix',
      severity: 'warning',
      bucket: 'storage',
      what: `The refresh cookie ${cookie.name} has no __Secure- or __Host- prefix.`,
      why: 'Without the prefix, a sibling subdomain or a plain-HTTP response can plant a cookie of the same name that shadows it.',
      fix: `Name it __Secure-... (Tessera uses ${REFRESH_COOKIE}).`,
    },
  );
  const path = typeof a.path === 'string' ? a.path : undefined;
  flag(
    path !== undefined && path !== '/' && path.startsWith(REFRESH_COOKIE_PATH),
    `refresh cookie is scoped to Path=${String(path)}`,
    {
      id: 'cookie-path',
      severity: 'warning',
      bucket: 'storage',
      what:
        path === undefined
          ? `The refresh cookie ${cookie.name} has no Path.`
          : `The refresh cookie ${cookie.name} has Path=${path}.`,
      why: 'A refresh cookie sent with every request is exposed to every endpoint and log; without Path it is scoped to whatever URL set it, so it may not reach /auth/refresh.',
      fix: `Set Path=${REFRESH_COOKIE_PATH}, the prefix of the refresh and logout endpoints.`,
    },
  );
  const maxAge = typeof a['max-age'] === 'string' ? Number(a['max-age']) : undefined;
  flag(
    maxAge !== undefined && Number.isFinite(maxAge) && maxAge > 0,
    `refresh cookie has Max-Age=${String(maxAge)}`,
    {
      id: 'cookie-max-age',
      severity: 'warning',
      bucket: 'time',
      what:
        maxAge === undefined
          ? `The refresh cookie ${cookie.name} has no Max-Age${a.expires === undefined ? ' (a session cookie)' : ', only Expires'}.`
          : `The refresh cookie ${cookie.name} has Max-Age=${String(a['max-age'])}.`,
      why: 'Expires is judged by the device clock, so a device whose clock is off drops the cookie early or keeps it too long; a session cookie dies with the browser.',
      fix: 'Set Max-Age to the refresh idle timeout.',
    },
  );
  if (a.domain !== undefined) {
    findings.push({
      id: 'cookie-domain',
      severity: 'info',
      bucket: 'storage',
      what: `The refresh cookie ${cookie.name} sets Domain=${String(a.domain)}.`,
      why: 'Every subdomain then receives it, including ones run by other teams or vendors.',
      fix: 'Leave Domain unset so the cookie stays on the auth host.',
    });
  }
  return { passed, findings };
}

/**
 * Whether a browser at `origin` will send a cookie with this SameSite value to `server` on a fetch.
 *
 * @example
 * ```ts
 * checkSameSite({ origin: 'https://app.other.com', server: 'https://auth.example.com', sameSite: 'Lax' }).findings[0]?.id; // 'cookie-cross-site'
 * ```
 */
export function checkSameSite(input: {
  origin: string;
  server: string;
  sameSite: string | undefined;
}): CheckResult {
  const appSite = siteOf(input.origin);
  const apiSite = siteOf(input.server);
  const sameSite = (input.sameSite ?? 'lax').toLowerCase();
  if (appSite === apiSite)
    return {
      passed: [
        `app ${input.origin} and API ${input.server} are the same site (${appSite}): a SameSite=${input.sameSite ?? 'Lax'} cookie is sent`,
      ],
      findings: [],
    };
  if (sameSite === 'none') {
    return {
      passed: [],
      findings: [
        {
          id: 'cookie-third-party',
          severity: 'warning',
          bucket: 'storage',
          what: `The app (${appSite}) and the API (${apiSite}) are different sites; the refresh cookie is SameSite=None, a third-party cookie.`,
          why: 'Safari, Firefox and Chrome with third-party cookies blocked never send it: users there are logged out on every reload.',
          fix: "Serve the auth API on the app's site (auth.example.com next to app.example.com, or proxy /auth through the app's host).",
        },
      ],
    };
  }
  return {
    passed: [],
    findings: [
      {
        id: 'cookie-cross-site',
        severity: 'danger',
        bucket: 'storage',
        what: `The app (${input.origin}) and the API (${input.server}) are different sites, and the refresh cookie is SameSite=${input.sameSite ?? 'Lax'}: the browser never sends it on the app's fetch to /auth/refresh.`,
        why: 'Every refresh fails with REFRESH_TOKEN_MISSING, so users are logged out whenever the access token expires or the page reloads.',
        fix: "Serve the auth API on the app's site (auth.example.com next to app.example.com, or proxy /auth through the app's host); SameSite=None only helps where third-party cookies are still allowed.",
      },
    ],
  };
}
