/**
 * How both SQL stores read the numbers callers hand them. Each is a decision with no SQL in it, made in
 * one place so the two dialects cannot drift apart on, say, what a limit of 2.5 or -1 means.
 */

/**
 * A page size as a whole number of rows, or undefined when the page is empty by definition (zero,
 * negative or NaN): the store then answers `[]` without a query.
 *
 * @example
 * ```ts
 * const limit = readPageLimit(input.limit);
 * if (limit === undefined) return [];
 * ```
 */
export function readPageLimit(limit: number): number | undefined {
  const whole = Math.floor(limit);
  return whole > 0 ? whole : undefined;
}

/**
 * The revocation-feed cursor: a caller's `afterSeq`, or 0 (the start of the feed) when it is not a finite
 * number, so a NaN or Infinity from a confused poller replays the feed instead of failing.
 *
 * @example
 * ```ts
 * readFeedCursor(Number.NaN); // 0
 * ```
 */
export function readFeedCursor(afterSeq: number): number {
  return Number.isFinite(afterSeq) ? afterSeq : 0;
}

/**
 * How many of a user's other live sessions a login keeps under `maxSessionsPerUser`: the new session
 * always stays, so it takes one of the places.
 *
 * @example
 * ```ts
 * sessionsKeptBesideNew(3); // 2
 * ```
 */
export function sessionsKeptBesideNew(maxSessionsPerUser: number): number {
  return Math.max(0, Math.floor(maxSessionsPerUser) - 1);
}

/**
 * The window a session's rotation budget counts in, in milliseconds: the "minute" of
 * `rotationsPerMinute`.
 *
 * @example
 * ```ts
 * const ended = windowStart === null || windowStart + ROTATION_BUDGET_WINDOW_MS <= rotatedAt;
 * ```
 */
export const ROTATION_BUDGET_WINDOW_MS = 60_000;

/**
 * A swap's rotation budget as a whole number of rotations, or null for none (not given, or not a
 * finite number): the statement then holds the swap under no budget but still counts it.
 *
 * @example
 * ```ts
 * readRotationBudget(2.5); // 2
 * readRotationBudget(undefined); // null
 * ```
 */
export function readRotationBudget(rotationsPerMinute: number | undefined): number | null {
  if (rotationsPerMinute === undefined || !Number.isFinite(rotationsPerMinute)) return null;
  return Math.max(0, Math.floor(rotationsPerMinute));
}
