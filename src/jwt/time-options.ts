import { TesseraError } from '../errors/tessera-error.js';

/** Default leeway for clock skew between servers, in seconds. */
export const DEFAULT_LEEWAY_SECONDS = 60;
/** Leeway above this is refused everywhere: leeway absorbs skew, it does not extend sessions. */
export const MAX_LEEWAY_SECONDS = 300;

/**
 * Validates a leeway setting: a whole number of seconds from 0 to 300.
 *
 * @example
 * ```ts
 * resolveLeeway(undefined); // 60
 * resolveLeeway(600); // throws CONFIG_INVALID
 * ```
 */
export function resolveLeeway(leewaySeconds: number | undefined): number {
  const leeway = leewaySeconds ?? DEFAULT_LEEWAY_SECONDS;
  if (!Number.isInteger(leeway) || leeway < 0 || leeway > MAX_LEEWAY_SECONDS) {
    throw new TesseraError(
      'CONFIG_INVALID',
      `Leeway must be a whole number of seconds from 0 to ${MAX_LEEWAY_SECONDS}; got ${String(leewaySeconds)}. Leeway absorbs clock skew; it is not a way to make sessions longer.`,
      {
        leewaySeconds: String(leewaySeconds),
      },
    );
  }
  return leeway;
}

/**
 * Validates a positive duration in seconds for a named setting.
 *
 * @example
 * ```ts
 * resolvePositiveSeconds('accessTtlSeconds', 900); // 900
 * ```
 */
export function resolvePositiveSeconds(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new TesseraError(
      'CONFIG_INVALID',
      `${name} must be a positive whole number of seconds; got ${String(value)}.`,
    );
  }
  return value;
}
