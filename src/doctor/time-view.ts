/**
 * Time claims the way people read them: UTC, local time with its zone, and relative to now on this
 * machine's clock and on the server's.
 */
import { formatDuration, formatInstant } from '../errors/explain.js';
import type { TimeClaimView } from './diagnosis.js';

const TIME_CLAIMS = ['iat', 'nbf', 'exp', 'auth_time'] as const;

/**
 * Formats a NumericDate as local time with its zone, e.g. "2026-01-01 13:00:05 GMT+1 (Europe/Berlin)".
 *
 * @example
 * ```ts
 * formatLocalInstant(1767268805, 'Europe/Berlin'); // '2026-01-01 13:00:05 GMT+1 (Europe/Berlin)'
 * ```
 */
export function formatLocalInstant(epochSeconds: number, timeZone: string): string {
  const ms = epochSeconds * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return formatInstant(epochSeconds);
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'shortOffset',
  }).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((part) => part.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')} ${get('timeZoneName')} (${timeZone})`;
}

/**
 * Says where a time claim stands relative to a clock: "expired 6 min 12 s ago", "issued 45 s in the future".
 *
 * @example
 * ```ts
 * describeRelative('exp', 1000, 1372); // 'expired 6 min 12 s ago'
 * ```
 */
export function describeRelative(name: string, value: number, nowSeconds: number): string {
  const delta = value - nowSeconds;
  const span = formatDuration(delta);
  const future = delta > 0;
  switch (name) {
    case 'exp':
      return future ? `expires in ${span}` : `expired ${span} ago`;
    case 'iat':
      return future ? `issued ${span} in the future` : `issued ${span} ago`;
    case 'nbf':
      return future ? `not valid for another ${span}` : `valid since ${span} ago`;
    default:
      return future ? `${span} in the future` : `${span} ago`;
  }
}

/**
 * Builds the three-way view of every time claim present as a number.
 *
 * @example
 * ```ts
 * viewTimeClaims(payload, { nowSeconds, serverNowSeconds: null, timeZone: 'UTC' });
 * ```
 */
export function viewTimeClaims(
  payload: Readonly<Record<string, unknown>> | null,
  options: { nowSeconds: number; serverNowSeconds: number | null; timeZone: string },
): TimeClaimView[] {
  if (payload === null) return [];
  const views: TimeClaimView[] = [];
  for (const name of TIME_CLAIMS) {
    const value = payload[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    views.push({
      name,
      value,
      utc: formatInstant(value),
      local: formatLocalInstant(value, options.timeZone),
      relativeLocal: describeRelative(name, value, options.nowSeconds),
      relativeServer:
        options.serverNowSeconds === null
          ? null
          : describeRelative(name, value, options.serverNowSeconds),
    });
  }
  return views;
}
