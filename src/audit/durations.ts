/**
 * Durations as the JWT libraries read them (`'15m'`, `'7 days'`, `3600`), so a lifetime rule judges the
 * lifetime the library will actually apply, including jsonwebtoken's unit-less strings in milliseconds.
 */

const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  msec: 0.001,
  msecs: 0.001,
  millisecond: 0.001,
  milliseconds: 0.001,
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  w: 604_800,
  week: 604_800,
  weeks: 604_800,
  y: 31_557_600,
  yr: 31_557_600,
  yrs: 31_557_600,
  year: 31_557_600,
  years: 31_557_600,
};

/**
 * Parses a duration the way the JWT libraries do (`'15m'`, `'7 days'`, `3600`), into seconds.
 * `bareNumberUnit` is the unit of a plain number: seconds for jsonwebtoken and jose, milliseconds for fast-jwt.
 *
 * @example
 * ```ts
 * parseDurationSeconds('2h', { bareNumberUnit: 1 }); // 7200
 * ```
 */
export function parseDurationSeconds(
  value: string | number,
  options: { bareNumberUnit: number },
): number | undefined {
  if (typeof value === 'number') return value * options.bareNumberUnit;
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = (match[2] ?? '').toLowerCase();
  // jsonwebtoken reads a unit-less string as milliseconds (the `ms` package), which surprises everyone.
  if (unit === '') return amount * 0.001;
  const factor = UNIT_SECONDS[unit];
  return factor === undefined ? undefined : amount * factor;
}
