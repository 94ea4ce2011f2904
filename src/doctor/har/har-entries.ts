/** Readers of one HAR entry the HAR analysis shares: when it started, what it is, what it carried. */
import { redactSecrets } from '../message/match-error.js';
import { REFRESH_COOKIE } from './har-signed-out.js';
import {
  displayUrl,
  headerValues,
  requestCookies,
  responseSetCookies,
  valueHash,
  type HarEntry,
} from './har-model.js';

const AUTH_PATH =
  /\/(auth|login|logout|signin|sign-in|signup|register|token|refresh|session|sessions|oauth|me|userinfo)(\/|$)/i;

/** A refresh token a request presented, by hash, and where. */
export interface Presented {
  readonly hash: string;
  readonly where: 'body' | 'cookie';
}

/** A refresh request in recording order, with the token it presented. */
export interface RefreshRequest {
  readonly number: number;
  readonly entry: HarEntry;
  readonly presented: Presented | undefined;
}

/**
 * When the browser started the request, epoch ms (0 when unrecorded).
 *
 * @example
 * ```ts
 * entries.sort((a, b) => startOf(a) - startOf(b));
 * ```
 */
export function startOf(entry: HarEntry): number {
  const ms = Date.parse(entry.startedDateTime ?? '');
  return Number.isNaN(ms) ? 0 : ms;
}

/**
 * Whether a request is part of the auth story: an auth path, a credential, a 401/403 or a Set-Cookie.
 *
 * @example
 * ```ts
 * entries.filter(isAuthRelated);
 * ```
 */
export function isAuthRelated(entry: HarEntry): boolean {
  const status = entry.response.status ?? 0;
  return (
    pathOf(entry.request.url).match(AUTH_PATH) !== null ||
    headerValues(entry.request.headers, 'authorization').length > 0 ||
    status === 401 ||
    status === 403 ||
    responseSetCookies(entry).length > 0
  );
}

/**
 * Whether a request is a refresh: by its path or its grant_type.
 *
 * @example
 * ```ts
 * if (isRefresh(entry)) refreshes.push(entry);
 * ```
 */
export function isRefresh(entry: HarEntry): boolean {
  const body = entry.request.postData?.text ?? '';
  return (
    /refresh/i.test(pathOf(entry.request.url)) ||
    /grant_type=refresh_token|"grant_type"\s*:\s*"refresh_token"/.test(body)
  );
}

/**
 * The refresh token a request presented (body field or refresh cookie), by hash.
 *
 * @example
 * ```ts
 * presentedRefreshToken(entry)?.hash; // 'sha256:1a2b3c4d'
 * ```
 */
export function presentedRefreshToken(entry: HarEntry): Presented | undefined {
  const body = entry.request.postData?.text ?? '';
  const field = /"?(refresh_?token|refreshToken)"?\s*[:=]\s*"?([^"&,}\s]+)/i.exec(body);
  if (field?.[2] !== undefined)
    return { hash: valueHash(decodeURIComponentSafe(field[2])), where: 'body' };
  for (const [name, hash] of requestCookies(entry))
    if (REFRESH_COOKIE.test(name)) return { hash, where: 'cookie' };
  return undefined;
}

/**
 * The numeric exp of a JWT's payload, read without verifying; undefined for anything else.
 *
 * @example
 * ```ts
 * expOf(bearer.replace(/^bearer\s+/i, ''));
 * ```
 */
export function expOf(token: string): number | undefined {
  try {
    const payload = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as {
      exp?: unknown;
    };
    return typeof payload.exp === 'number' && Number.isFinite(payload.exp)
      ? payload.exp
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The path of a URL, or '' when it does not parse.
 *
 * @example
 * ```ts
 * pathOf('https://a.test/auth/refresh?x=1'); // '/auth/refresh'
 * ```
 */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

/**
 * A URL as the report may show it: shortened, with secrets redacted.
 *
 * @example
 * ```ts
 * safeDisplay(entry.request.url);
 * ```
 */
export function safeDisplay(url: string): string {
  return redactSecrets(displayUrl(url)).text;
}

/**
 * decodeURIComponent that gives the input back instead of throwing.
 *
 * @example
 * ```ts
 * decodeURIComponentSafe('%E0%A4%A'); // '%E0%A4%A'
 * ```
 */
export function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
