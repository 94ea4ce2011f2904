/**
 * Explains the session a browser recording shows: each auth request and the token it carried (by a
 * short hash), the server's Date against the browser's clock, refresh races, cookies never sent back,
 * tokens in URLs, and the first failing request with its cause. Pure: a parsed HAR in, a report out.
 * No value from the file reaches the report: tokens and cookies appear as sha256:xxxxxxxx.
 */
import { formatDuration } from '../../errors/explain.js';
import type { Finding } from '../diagnosis.js';
import { checkCookiesSentBack } from './har-cookies.js';
import {
  expOf,
  isAuthRelated,
  isRefresh,
  presentedRefreshToken,
  safeDisplay,
  startOf,
  type Presented,
  type RefreshRequest,
} from './har-entries.js';
import { findFirstFailure, recoveredFailures, type FirstFailure } from './har-first-failure.js';
import { refreshRaces, tokensInUrl } from './har-findings.js';
import {
  headerValues,
  requestCookies,
  responseSetCookies,
  valueHash,
  type Har,
  type HarEntry,
} from './har-model.js';
import { describeSanitized, type SanitizedExport } from './har-sanitized.js';
import { signedOutProbe } from './har-signed-out.js';

export type { FirstFailure } from './har-first-failure.js';

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

// The Date header counts whole seconds; less than this apart is no measurable skew.
const SKEW_NOISE_MS = 2000;
const SIGNED_OUT_NOTE =
  'refused by design: a refresh with no refresh token before any sign-in in this recording is how a cookie client learns it is signed out (if the user had signed in before the recording began, the cookie was not sent: record from the sign-in)';

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
  const refreshes: RefreshRequest[] = [];
  const recovered = recoveredFailures(entries);
  entries.forEach((entry, index) => {
    const number = index + 1;
    findings.push(...tokensInUrl(entry, number));
    if (!isAuthRelated(entry)) return;
    const refresh = isRefresh(entry);
    const presented = refresh ? presentedRefreshToken(entry) : undefined;
    if (refresh) refreshes.push({ number, entry, presented });
    const view = viewOf(entry, number, refresh, presented, offset);
    const recovery = recovered.get(index);
    requests.push(
      byDesign.has(index)
        ? { ...view, refusedByDesign: true, notes: [...view.notes, SIGNED_OUT_NOTE] }
        : recovery !== undefined
          ? {
              ...view,
              notes: [
                ...view.notes,
                `recovered: the client refreshed (#${recovery.refresh}) and retried (#${recovery.retry}), as it should`,
              ],
            }
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
    firstFailure: findFirstFailure(entries, refreshes, offset, byDesign, recovered),
  };
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
