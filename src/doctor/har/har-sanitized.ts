/**
 * Chromium's default HAR export is sanitized: no Cookie, Set-Cookie or Authorization headers. The
 * doctor detects that shape, says what it could not judge, and how to export what it needs.
 */
import { headerValues, type HarEntry } from './har-model.js';

/**
 * What a sanitized export hides, and how to get a full one.
 *
 * @example
 * ```ts
 * const sanitized: SanitizedExport = { notJudged: ['which token each request carried'], howToExport: '...' };
 * ```
 */
export interface SanitizedExport {
  readonly notJudged: readonly string[];
  readonly howToExport: string;
}

const AUTHISH = /\/(auth|login|logout|signin|token|refresh|session|oauth|me)(\/|$)/i;

/**
 * Detects a sanitized export: auth traffic (auth routes or 401s) but not one Authorization, Cookie or
 * Set-Cookie header, and every HAR cookies list empty. Returns null for a full export.
 *
 * @example
 * ```ts
 * describeSanitized(har.log.entries)?.notJudged;
 * ```
 */
export function describeSanitized(entries: readonly HarEntry[]): SanitizedExport | null {
  const credentials = entries.some(
    (entry) =>
      headerValues(entry.request.headers, 'authorization').length > 0 ||
      headerValues(entry.request.headers, 'cookie').length > 0 ||
      headerValues(entry.response.headers, 'set-cookie').length > 0 ||
      (entry.request.cookies ?? []).length > 0 ||
      (entry.response.cookies ?? []).length > 0,
  );
  if (credentials) return null;
  const authTraffic = entries.some((entry) => {
    let path: string;
    try {
      path = new URL(entry.request.url).pathname;
    } catch {
      path = '';
    }
    const status = entry.response.status ?? 0;
    return AUTHISH.test(path) || status === 401 || status === 403;
  });
  if (!authTraffic) return null;
  return {
    notJudged: [
      'which access token each request carried (no Authorization headers)',
      'which refresh token each refresh presented, so refresh races are judged only by timing',
      'cookies set and never sent back (no Cookie or Set-Cookie headers)',
      'whether requests went out without credentials',
    ],
    howToExport:
      'This looks like Chromium\'s default (sanitized) export. In DevTools, Network, open Settings (the gear), tick "Allow to generate HAR with sensitive data", then use the download arrow\'s "Export HAR (with sensitive data)". Firefox\'s "Save All As HAR" includes them. That file holds passwords, tokens and cookies: give it to `tessera doctor --har` (which never prints a value) and never attach it to an issue.',
  };
}
