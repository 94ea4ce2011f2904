import { TesseraError } from '../errors/tessera-error.js';

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Parses a duration like `90s`, `15m`, `2h`, `14d`, or a bare number of seconds, into whole seconds.
 *
 * @example
 * ```ts
 * parseDuration('15m', 'access-ttl'); // 900
 * ```
 */
export function parseDuration(value: string | number, setting: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  const match = /^(\d{1,9})([smhd]?)$/.exec(String(value).trim());
  if (match === null) {
    throw new TesseraError(
      'CONFIG_INVALID',
      `--${setting} must be a duration like 90s, 15m, 2h or 14d; got ${JSON.stringify(String(value)).slice(0, 40)}.`,
      { setting },
    );
  }
  return Number(match[1]) * (UNITS[match[2] || 's'] as number);
}
