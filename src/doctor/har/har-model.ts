/**
 * The parts of a HAR 1.2 file the doctor reads, and small pure readers over them: headers by name,
 * request cookies, Set-Cookie attributes, sites, and the short hash that stands for any value.
 */
import { createHash } from 'node:crypto';

/**
 * One header or cookie as HAR writes it.
 *
 * @example
 * ```ts
 * const header: HarNameValue = { name: 'Date', value: 'Wed, 02 Dec 2026 03:00:00 GMT' };
 * ```
 */
export interface HarNameValue {
  readonly name: string;
  readonly value: string;
}

/**
 * One request and its response, as recorded.
 *
 * @example
 * ```ts
 * const started = Date.parse(entry.startedDateTime);
 * ```
 */
export interface HarEntry {
  readonly startedDateTime?: string;
  readonly time?: number;
  readonly request: {
    readonly method?: string;
    readonly url: string;
    readonly headers?: readonly HarNameValue[];
    readonly cookies?: readonly HarNameValue[];
    readonly postData?: { readonly text?: string; readonly mimeType?: string };
  };
  readonly response: {
    readonly status?: number;
    readonly headers?: readonly HarNameValue[];
    readonly cookies?: readonly HarNameValue[];
    readonly content?: { readonly text?: string; readonly mimeType?: string };
  };
}

/**
 * A parsed HAR: only `log.entries` is relied on.
 *
 * @example
 * ```ts
 * const har: Har = { log: { entries: [] } };
 * ```
 */
export interface Har {
  readonly log: {
    readonly creator?: { readonly name?: string; readonly version?: string };
    readonly entries: readonly HarEntry[];
  };
}

/**
 * One Set-Cookie, its value replaced by a hash.
 *
 * @example
 * ```ts
 * const cookie: SetCookie = { name: 'rt', hash: '1a2b3c4d', path: '/auth', domain: undefined, secure: true, httpOnly: true, sameSite: 'strict', maxAge: 3600 };
 * ```
 */
export interface SetCookie {
  readonly name: string;
  readonly hash: string;
  readonly empty: boolean;
  readonly path: string | undefined;
  readonly domain: string | undefined;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly sameSite: 'strict' | 'lax' | 'none' | undefined;
  readonly maxAge: number | undefined;
}

/**
 * Eight hex digits of SHA-256: how the doctor names a token or cookie value without showing it.
 *
 * @example
 * ```ts
 * valueHash('eyJ...'); // 'sha256:3f9a0c2e'
 * ```
 */
export function valueHash(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)}`;
}

/**
 * Every value of a header, by case-insensitive name.
 *
 * @example
 * ```ts
 * headerValues(entry.response.headers, 'set-cookie');
 * ```
 */
export function headerValues(headers: readonly HarNameValue[] | undefined, name: string): string[] {
  const wanted = name.toLowerCase();
  return (headers ?? [])
    .filter((header) => typeof header?.name === 'string' && header.name.toLowerCase() === wanted)
    .map((header) => String(header.value));
}

/**
 * The cookies a request sent, by name, from its Cookie header (or HAR's cookies list).
 *
 * @example
 * ```ts
 * requestCookies(entry).get('session'); // 'sha256:...'
 * ```
 */
export function requestCookies(entry: HarEntry): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const line of headerValues(entry.request.headers, 'cookie'))
    for (const pair of line.split(';')) {
      const at = pair.indexOf('=');
      if (at > 0) cookies.set(pair.slice(0, at).trim(), valueHash(pair.slice(at + 1).trim()));
    }
  for (const cookie of entry.request.cookies ?? [])
    if (typeof cookie?.name === 'string' && !cookies.has(cookie.name))
      cookies.set(cookie.name, valueHash(String(cookie.value)));
  return cookies;
}

/**
 * The Set-Cookie headers of a response, parsed, values hashed.
 *
 * @example
 * ```ts
 * responseSetCookies(entry)[0]?.sameSite; // 'strict'
 * ```
 */
export function responseSetCookies(entry: HarEntry): SetCookie[] {
  // Chromium may fold several Set-Cookie headers into one value separated by newlines.
  const lines = headerValues(entry.response.headers, 'set-cookie').flatMap((v) => v.split('\n'));
  return lines.filter((line) => line.includes('=')).map(parseSetCookie);
}

function parseSetCookie(line: string): SetCookie {
  const [pair = '', ...attributes] = line.split(';');
  const at = pair.indexOf('=');
  const name = pair.slice(0, at).trim();
  const value = pair.slice(at + 1).trim();
  const attribute = (key: string): string | undefined => {
    for (const part of attributes) {
      const [k = '', ...rest] = part.split('=');
      if (k.trim().toLowerCase() === key) return rest.join('=').trim();
    }
    return undefined;
  };
  const sameSite = attribute('samesite')?.toLowerCase();
  const maxAge = attribute('max-age');
  return {
    name,
    hash: valueHash(value),
    empty: value === '' || value === '""',
    path: attribute('path'),
    domain: attribute('domain')?.replace(/^\./, '').toLowerCase(),
    secure: attribute('secure') !== undefined,
    httpOnly: attribute('httponly') !== undefined,
    sameSite:
      sameSite === 'strict' || sameSite === 'lax' || sameSite === 'none' ? sameSite : undefined,
    maxAge: maxAge === undefined || Number.isNaN(Number(maxAge)) ? undefined : Number(maxAge),
  };
}

/**
 * The "site" of a URL as browsers compare it for SameSite: scheme and registrable host. Without a
 * public-suffix list the last two labels stand for the registrable domain; IP addresses and
 * localhost are their own site.
 *
 * @example
 * ```ts
 * siteOf('https://api.example.com/x'); // 'https://example.com'
 * ```
 */
export function siteOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname;
    const ip = /^[\d.]+$/.test(host) || host.includes(':');
    const site = ip || !host.includes('.') ? host : host.split('.').slice(-2).join('.');
    return `${parsed.protocol}//${site}`;
  } catch {
    return undefined;
  }
}

/**
 * A URL for display: path and the names of query parameters, never their values.
 *
 * @example
 * ```ts
 * displayUrl('https://app.test/cb?code=abc&state=x'); // 'https://app.test/cb?code=…&state=…'
 * ```
 */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const names = [...parsed.searchParams.keys()];
    const query = names.length === 0 ? '' : `?${names.map((n) => `${n}=…`).join('&')}`;
    return `${parsed.origin}${parsed.pathname}${query}${parsed.hash === '' ? '' : '#…'}`;
  } catch {
    return '(unreadable URL)';
  }
}
