/**
 * Explains the session a browser recording shows: each auth request and the token it carried (by a
 * short hash), the server's Date against the browser's clock, refresh races, cookies never sent back,
 * tokens in URLs, and the first failing request with its cause. Pure: a parsed HAR in, a report out.
 * No value from the file reaches the report: tokens and cookies appear as sha256:xxxxxxxx.
 */
import { formatDuration } from '../../errors/explain.js';
import type { Bucket, ErrorCode } from '../../errors/codes.js';
import type { Finding } from '../diagnosis.js';
import { matchErrorMessage, redactSecrets } from '../message/match-error.js';
import { checkCookiesSentBack } from './har-cookies.js';
import { describeSanitized, type SanitizedExport } from './har-sanitized.js';
import { REFRESH_COOKIE, signedOutProbe } from './har-signed-out.js';
import {
  displayUrl,
  headerValues,
  requestCookies,
  responseSetCookies,
  valueHash,
  type Har,
  type HarEntry,
} from './har-model.js';

/**
 * One auth-related request as the report shows it.
 *
 * @example
 * ```ts
 * const view: AuthRequestView = { number: 3, method: 'POST', url: 'http://localhost:4000/auth/refresh', status: 401, refresh: true, carried: 'refresh token sha256:1a2b3c4d (body)', refusedByDesign: false, notes: [] };
 * ```
 */
export interface AuthRequestView {
  readonly number: number;
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly refresh: boolean;
  /** Which token it carried, by hash, or "no token". */
  readonly carried: string;
  /** A refusal the client asked for on purpose (a signed-out start-up refresh): not a failure. */
  readonly refusedByDesign: boolean;
  readonly notes: readonly string[];
}

/**
 * The first request that failed, why, and the fix.
 *
 * @example
 * ```ts
 * const failure: FirstFailure = { number: 5, status: 401, code: 'REFRESH_TOKEN_REUSED', bucket: 'validation', cause: '...', fix: '...' };
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

/**
 * Everything the doctor read from a HAR.
 *
 * @example
 * ```ts
 * const report: HarReport = analyseHar(har);
 * report.firstFailure?.code; // 'REFRESH_TOKEN_REUSED'
 * ```
 */
export interface HarReport {
  readonly entries: number;
  readonly creator: string;
  readonly sanitized: SanitizedExport | null;
  readonly requests: readonly AuthRequestView[];
  /** Server Date minus browser clock, median over responses, ms; null without Date headers. */
  readonly clockOffsetMs: number | null;
  readonly findings: readonly Finding[];
  readonly firstFailure: FirstFailure | null;
}

const AUTH_PATH =
  /\/(auth|login|logout|signin|sign-in|signup|register|token|refresh|session|sessions|oauth|me|userinfo)(\/|$)/i;
const URL_TOKEN_NAMES = /^(access_token|token|id_token|refresh_token|jwt|auth|bearer)$/i;
// The Date header counts whole seconds; less than this apart is no measurable skew.
const SKEW_NOISE_MS = 2000;
const SIGNED_OUT_NOTE =
  'refused by design: a refresh with no refresh token before any sign-in in this recording is how a cookie client learns it is signed out (if the user had signed in before the recording began, the cookie was not sent: record from the sign-in)';

interface Presented {
  readonly hash: string;
  readonly where: 'body' | 'cookie';
}

/**
 * Analyses a parsed HAR.
 *
 * @example
 * ```ts
 * const report = analyseHar(await readHarFile('session.har'));
 * ```
 */
export function analyseHar(har: Har): HarReport {
  const entries = [...har.log.entries].sort((a, b) => startOf(a) - startOf(b));
  const sanitized = describeSanitized(entries);
  const offset = clockOffset(entries);
  // Judged only where cookies were recorded: a sanitized export hides the cookie that may have gone.
  const byDesign = new Set(
    sanitized !== null
      ? []
      : entries.flatMap((entry, index) =>
          isRefresh(entry) &&
          presentedRefreshToken(entry) === undefined &&
          signedOutProbe(entries, index)
            ? [index]
            : [],
        ),
  );
  const findings: Finding[] = [];
  const requests: AuthRequestView[] = [];
  const refreshes: { number: number; entry: HarEntry; presented: Presented | undefined }[] = [];
  entries.forEach((entry, index) => {
    const number = index + 1;
    findings.push(...tokensInUrl(entry, number));
    if (!isAuthRelated(entry)) return;
    const refresh = isRefresh(entry);
    const presented = refresh ? presentedRefreshToken(entry) : undefined;
    if (refresh) refreshes.push({ number, entry, presented });
    const view = viewOf(entry, number, refresh, presented, offset);
    requests.push(
      byDesign.has(index)
        ? { ...view, refusedByDesign: true, notes: [...view.notes, SIGNED_OUT_NOTE] }
        : view,
    );
  });
  findings.push(...refreshRaces(refreshes));
  if (sanitized === null) findings.push(...checkCookiesSentBack(entries));
  if (offset !== null && Math.abs(offset) > SKEW_NOISE_MS)
    findings.push({
      id: 'clock-skew',
      severity: Math.abs(offset) > 60_000 ? 'danger' : 'warning',
      bucket: 'time',
      what: `The server's Date headers are ${formatDuration(Math.abs(offset) / 1000)} ${offset > 0 ? 'ahead of' : 'behind'} the browser's clock (median over the responses, +/- 1 s).`,
      why: 'A client that compares exp with the device clock refreshes too late (or logs out too early) by that much; a verifier with 0 leeway refuses tokens the other clock considers fine.',
      fix: 'Never judge exp by the device clock: refresh from expires_in and trust the 401; run NTP on the servers.',
    });
  return {
    entries: entries.length,
    creator: `${har.log.creator?.name ?? 'unknown'} ${har.log.creator?.version ?? ''}`.trim(),
    sanitized,
    requests,
    clockOffsetMs: offset,
    findings,
    firstFailure: firstFailure(entries, refreshes, offset, byDesign),
  };
}

function startOf(entry: HarEntry): number {
  const ms = Date.parse(entry.startedDateTime ?? '');
  return Number.isNaN(ms) ? 0 : ms;
}

function isAuthRelated(entry: HarEntry): boolean {
  const status = entry.response.status ?? 0;
  return (
    pathOf(entry.request.url).match(AUTH_PATH) !== null ||
    headerValues(entry.request.headers, 'authorization').length > 0 ||
    status === 401 ||
    status === 403 ||
    responseSetCookies(entry).length > 0
  );
}

function isRefresh(entry: HarEntry): boolean {
  const body = entry.request.postData?.text ?? '';
  return (
    /refresh/i.test(pathOf(entry.request.url)) ||
    /grant_type=refresh_token|"grant_type"\s*:\s*"refresh_token"/.test(body)
  );
}

function presentedRefreshToken(entry: HarEntry): Presented | undefined {
  const body = entry.request.postData?.text ?? '';
  const field = /"?(refresh_?token|refreshToken)"?\s*[:=]\s*"?([^"&,}\s]+)/i.exec(body);
  if (field?.[2] !== undefined)
    return { hash: valueHash(decodeURIComponentSafe(field[2])), where: 'body' };
  for (const [name, hash] of requestCookies(entry))
    if (REFRESH_COOKIE.test(name)) return { hash, where: 'cookie' };
  return undefined;
}

function viewOf(
  entry: HarEntry,
  number: number,
  refresh: boolean,
  presented: Presented | undefined,
  offset: number | null,
): AuthRequestView {
  const notes: string[] = [];
  const bearer = headerValues(entry.request.headers, 'authorization')[0];
  const carried: string[] = [];
  if (bearer !== undefined) {
    const token = bearer.replace(/^bearer\s+/i, '');
    carried.push(`access token ${valueHash(token)}`);
    const exp = expOf(token);
    if (exp !== undefined) {
      const serverMs = startOf(entry) + (offset ?? 0);
      const left = exp - serverMs / 1000;
      notes.push(
        left <= 0
          ? `its exp had passed ${formatDuration(-left)} before the request (server clock)`
          : `its exp was ${formatDuration(left)} away (server clock)`,
      );
    }
  }
  if (presented !== undefined) carried.push(`refresh token ${presented.hash} (${presented.where})`);
  const cookies = [...requestCookies(entry).keys()];
  if (cookies.length > 0) notes.push(`sent cookies: ${cookies.join(', ')}`);
  for (const cookie of responseSetCookies(entry))
    notes.push(
      `set cookie ${cookie.name} ${cookie.empty || cookie.maxAge === 0 ? '(deleted)' : cookie.hash} [${[
        cookie.httpOnly ? 'HttpOnly' : 'readable by script',
        cookie.secure ? 'Secure' : 'not Secure',
        `SameSite=${cookie.sameSite ?? 'default (Lax)'}`,
        `Path=${cookie.path ?? '(default)'}`,
        ...(cookie.domain === undefined ? [] : [`Domain=${cookie.domain}`]),
      ].join(', ')}]`,
    );
  return {
    number,
    method: entry.request.method ?? 'GET',
    url: safeDisplay(entry.request.url),
    status: entry.response.status ?? 0,
    refresh,
    carried: carried.length === 0 ? 'no token' : carried.join(' and '),
    refusedByDesign: false,
    notes,
  };
}

function refreshRaces(
  refreshes: readonly { number: number; entry: HarEntry; presented: Presented | undefined }[],
): Finding[] {
  const findings: Finding[] = [];
  const byToken = new Map<string, (typeof refreshes)[number][]>();
  for (const refresh of refreshes) {
    if (refresh.presented === undefined) continue;
    const group = byToken.get(refresh.presented.hash) ?? [];
    group.push(refresh);
    byToken.set(refresh.presented.hash, group);
  }
  for (const [hash, group] of byToken) {
    if (group.length < 2) continue;
    const [first, second] = group as [(typeof group)[number], (typeof group)[number]];
    const refused = group.filter((r) => (r.entry.response.status ?? 0) >= 400);
    const apartMs = startOf(second.entry) - startOf(first.entry);
    // A server that never rotates sees the same token on every refresh: only overlap or a refusal is a race.
    if (refused.length === 0 && apartMs > (first.entry.time ?? 0) + 1000) continue;
    findings.push({
      id: 'refresh-race',
      severity: refused.length > 0 ? 'danger' : 'warning',
      bucket: 'validation',
      what: `${group.length} refreshes presented the same refresh token ${hash}: #${group.map((r) => r.number).join(', #')}, ${Math.max(0, apartMs)} ms apart${refused.length > 0 ? `; #${refused.map((r) => r.number).join(', #')} refused with HTTP ${refused[0]?.entry.response.status ?? 0}` : ' (the server answered both)'}.`,
      why: 'With rotating refresh tokens only the first exchange wins: the second is a reuse, and a server that treats reuse as theft ends the session: the user is logged out although nobody did anything wrong.',
      fix: 'Refresh once per client (one in-flight promise shared by every request, a lock or BroadcastChannel across tabs), and keep a short reuse grace window on the server (Tessera answers the second request with the same successor).',
    });
  }
  return findings;
}

function firstFailure(
  entries: readonly HarEntry[],
  refreshes: readonly { number: number; entry: HarEntry; presented: Presented | undefined }[],
  offset: number | null,
  byDesign: ReadonlySet<number>,
): FirstFailure | null {
  const index = entries.findIndex((entry, at) => {
    if (byDesign.has(at)) return false;
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

function tokensInUrl(entry: HarEntry, number: number): Finding[] {
  let url: URL;
  try {
    url = new URL(entry.request.url);
  } catch {
    return [];
  }
  const params = [...url.searchParams, ...new URLSearchParams(url.hash.replace(/^#/, ''))];
  const found = params.filter(
    ([name, value]) => URL_TOKEN_NAMES.test(name) || /^eyJ[\w-]+\.[\w-]+\./.test(value),
  );
  return found.map(([name, value]) => ({
    id: 'token-in-url',
    severity: 'danger',
    bucket: 'storage',
    what: `Request #${number} (${safeDisplay(entry.request.url)}) carries a token in its URL: parameter "${name}", ${valueHash(value)}.`,
    why: 'URLs land in server and proxy logs, browser history and Referer headers, where anyone reading them can replay the token.',
    fix: 'Send tokens in the Authorization header or an HttpOnly cookie; for EventSource or WebSocket, exchange the token for a one-time ticket.',
  }));
}

function expOf(token: string): number | undefined {
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

function clockOffset(entries: readonly HarEntry[]): number | null {
  const offsets: number[] = [];
  for (const entry of entries) {
    const date = Date.parse(headerValues(entry.response.headers, 'date')[0] ?? '');
    const started = startOf(entry);
    if (Number.isNaN(date) || started === 0) continue;
    // The Date header names the second the server answered in; compare with the middle of the round trip.
    offsets.push(date + 500 - (started + (entry.time ?? 0) / 2));
  }
  if (offsets.length === 0) return null;
  offsets.sort((a, b) => a - b);
  return Math.round(offsets[Math.floor(offsets.length / 2)] as number);
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

function safeDisplay(url: string): string {
  return redactSecrets(displayUrl(url)).text;
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
