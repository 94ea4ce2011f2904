/** The first request in a HAR that failed, why, and the fix; a 401 the client recovered from is not it. */
import { formatDuration } from '../../errors/explain.js';
import type { Bucket, ErrorCode } from '../../errors/codes.js';
import { matchErrorMessage, redactSecrets } from '../message/match-error.js';
import {
  expOf,
  isAuthRelated,
  isRefresh,
  safeDisplay,
  startOf,
  type RefreshRequest,
} from './har-entries.js';
import { headerValues, requestCookies, valueHash, type HarEntry } from './har-model.js';

/**
 * The first request that failed, why, and the fix.
 *
 * @example
 * ```ts
 * const failure: FirstFailure = { number: 5, url: 'https://a.test/auth/refresh', status: 401, code: 'REFRESH_TOKEN_REUSED', bucket: 'validation', cause: '...', fix: '...' };
 * ```
 */
export interface FirstFailure {
  readonly number: number;
  readonly url: string;
  readonly status: number;
  readonly code: ErrorCode | null;
  readonly bucket: Bucket | null;
  readonly cause: string;
  readonly fix: string;
}

/** How a refused request was recovered: the refresh that followed it and the retry that then passed. */
export interface Recovery {
  readonly refresh: number;
  readonly retry: number;
}

// The Date header counts whole seconds; less than this apart is no measurable skew.
const SKEW_NOISE_MS = 2000;
// A client's refresh-and-retry follows its 401 within moments; a retry a minute on is a new attempt.
const RECOVERY_WINDOW_MS = 60_000;

/**
 * The 401s a client recovered from as designed: a successful refresh after it, then the same request
 * again, answered. Keyed by entry index; numbers in the values are 1-based like the report's.
 *
 * @example
 * ```ts
 * recoveredFailures(entries).get(4); // { refresh: 6, retry: 7 }
 * ```
 */
export function recoveredFailures(entries: readonly HarEntry[]): Map<number, Recovery> {
  const recovered = new Map<number, Recovery>();
  entries.forEach((entry, index) => {
    if ((entry.response.status ?? 0) !== 401 || isRefresh(entry)) return;
    const deadline = startOf(entry) + RECOVERY_WINDOW_MS;
    const refresh = entries.findIndex(
      (other, at) =>
        at > index &&
        startOf(other) <= deadline &&
        isRefresh(other) &&
        (other.response.status ?? 0) >= 200 &&
        (other.response.status ?? 0) < 300,
    );
    if (refresh < 0) return;
    const retry = entries.findIndex(
      (other, at) =>
        at > refresh &&
        startOf(other) <= deadline &&
        other.request.method === entry.request.method &&
        other.request.url === entry.request.url &&
        (other.response.status ?? 0) > 0 &&
        (other.response.status ?? 0) < 400,
    );
    if (retry >= 0) recovered.set(index, { refresh: refresh + 1, retry: retry + 1 });
  });
  return recovered;
}

/**
 * The first failing request not refused by design and not recovered, with its cause and fix.
 *
 * @example
 * ```ts
 * findFirstFailure(entries, refreshes, offset, new Set(), new Map())?.code; // 'TOKEN_EXPIRED'
 * ```
 */
export function findFirstFailure(
  entries: readonly HarEntry[],
  refreshes: readonly RefreshRequest[],
  offset: number | null,
  byDesign: ReadonlySet<number>,
  recovered: ReadonlyMap<number, Recovery>,
): FirstFailure | null {
  const index = entries.findIndex((entry, at) => {
    if (byDesign.has(at) || recovered.has(at)) return false;
    const status = entry.response.status ?? 0;
    return status === 401 || status === 403 || (status >= 400 && isAuthRelated(entry));
  });
  if (index < 0) return null;
  const entry = entries[index] as HarEntry;
  const number = index + 1;
  const base = { number, url: safeDisplay(entry.request.url), status: entry.response.status ?? 0 };
  const race = refreshes.find((r) => r.number === number);
  if (race?.presented !== undefined) {
    const earlier = refreshes.find(
      (r) => r.number < number && r.presented?.hash === race.presented?.hash,
    );
    if (earlier !== undefined)
      return {
        ...base,
        code: 'REFRESH_TOKEN_REUSED',
        bucket: 'validation',
        cause: `It presented refresh token ${race.presented.hash}, which request #${earlier.number} had already exchanged: a refresh race.`,
        fix: 'Share one refresh across requests and tabs; keep a reuse grace window on the server.',
      };
  }
  const bearer = headerValues(entry.request.headers, 'authorization')[0];
  const cookies = requestCookies(entry);
  const serverText = serverWords(entry);
  if (bearer !== undefined) {
    const exp = expOf(bearer.replace(/^bearer\s+/i, ''));
    const serverMs = startOf(entry) + (offset ?? 0);
    if (exp !== undefined && exp * 1000 <= serverMs)
      return {
        ...base,
        code: 'TOKEN_EXPIRED',
        bucket: 'time',
        cause: `Its access token ${valueHash(bearer.replace(/^bearer\s+/i, ''))} had expired ${formatDuration(serverMs / 1000 - exp)} before the request, by the server's clock${offset !== null && Math.abs(offset) > SKEW_NOISE_MS ? ` (which is ${formatDuration(Math.abs(offset) / 1000)} ${offset > 0 ? 'ahead of' : 'behind'} the browser's)` : ''}: the client did not refresh in time.`,
        fix: 'Refresh before exp, scheduled from expires_in on receipt, and retry once after a refresh on a 401.',
      };
  } else if (cookies.size === 0 && !isRefresh(entry)) {
    return {
      ...base,
      code: 'TOKEN_MISSING',
      bucket: 'storage',
      cause:
        "It carried no Authorization header and no cookie: the client sent it before it held a token, or lost the token (a reload cleared memory, another origin's storage).",
      fix: 'Attach the token on every API request (one interceptor), and after a reload refresh before the first call.',
    };
  }
  if (serverText !== undefined) {
    const matched = matchErrorMessage(serverText).matches[0];
    const cause = matched?.causes[0];
    if (matched !== undefined && cause !== undefined)
      return {
        ...base,
        code: cause.code,
        bucket: cause.bucket,
        cause: `The server said: ${redactSecrets(serverText).text.slice(0, 200)}. ${matched.meaning} Most likely: ${cause.cause}`,
        fix: cause.fix,
      };
  }
  return {
    ...base,
    code: null,
    bucket: null,
    cause: `It was refused with HTTP ${base.status}${serverText === undefined ? "; the response body was not recorded, so the server's reason is unknown" : `: ${redactSecrets(serverText).text.slice(0, 200)}`}.`,
    fix: 'Record again with response bodies (or paste the response into `tessera doctor --error`).',
  };
}

// The server's own words for a refusal: WWW-Authenticate's error_description, else the body's fields.
function serverWords(entry: HarEntry): string | undefined {
  const challenge = headerValues(entry.response.headers, 'www-authenticate')[0];
  const words: string[] = [];
  if (challenge !== undefined) words.push(challenge);
  const text = entry.response.content?.text;
  if (typeof text === 'string' && text.length > 0 && text.length < 65_536) {
    try {
      const body = JSON.parse(text) as Record<string, unknown>;
      for (const key of ['code', 'error', 'message', 'detail', 'error_description', 'msg'])
        if (typeof body[key] === 'string') words.push(body[key] as string);
    } catch {
      words.push(text.slice(0, 500));
    }
  }
  return words.length === 0 ? undefined : words.join(' ');
}
