import { TesseraError } from '../errors/tessera-error.js';
import { ROTATION_BUDGET_WINDOW_MS } from '../store/query-inputs.js';
import type { SessionRow } from '../store/session-store.js';
import { MAX_ROTATIONS_PER_MINUTE, type RotationCheck } from './rotation-limit.js';

// The per-session rotation budget the store holds in the compare-and-swap itself: the session row
// carries its window (when it opened, how many rotations it holds), every swap counts itself in it,
// and a swap given `rotationsPerMinute` happens only while the window has room or has run out. Since
// the limit is a precondition of the swap's WHERE clause, nothing has to come between the read and the
// write, and the one-trip refresh stays open. These functions say the same thing in TypeScript, for
// the two-trip path (the check before the swap, its 429) and for the row a rotation hands back. The
// argument of rotation-limit.ts holds unchanged: a refused swap writes nothing, the 429 goes only to
// the current token of an unchanged session, and its Retry-After is at most half the grace window.

// The stores' own constant: this rule and their WHERE clause must agree to the millisecond.
const WINDOW_MS = ROTATION_BUDGET_WINDOW_MS;

/** The fields of a session the budget reads: a whole {@link SessionRow} fits. */
export type BudgetSession = Pick<SessionRow, 'rotationWindowStart' | 'rotationCount'>;

/** The window a swap writes: a new one at the rotation when the old one ran out, else one more in it. */
export type RotationWindow = BudgetSession & { readonly rotationWindowStart: number };

/**
 * Whether the session's rotation window has run out at `now` (or was never opened).
 *
 * @example
 * ```ts
 * rotationWindowEnded({ rotationWindowStart: 0, rotationCount: 30 }, 60_000); // true
 * ```
 */
export function rotationWindowEnded(session: BudgetSession, now: number): boolean {
  return session.rotationWindowStart === null || session.rotationWindowStart + WINDOW_MS <= now;
}

/**
 * May the session rotate at `now` under a budget of `perMinute`? When not, `retryAfterSeconds` is
 * when the window runs out (the caller caps it by the grace window: `rotationRetryAfterSeconds`).
 *
 * @example
 * ```ts
 * const check = decideRotationBudget({ session, now: decision.rotatedAt, perMinute: 30 });
 * if (!check.allowed) throw rotationLimitedError(rotationRetryAfterSeconds(check.retryAfterSeconds, 30));
 * ```
 */
export function decideRotationBudget(input: {
  readonly session: BudgetSession;
  readonly now: number;
  readonly perMinute: number;
}): RotationCheck {
  const { session, now, perMinute } = input;
  if (rotationWindowEnded(session, now) || session.rotationCount < perMinute)
    return { allowed: true, retryAfterSeconds: 0 };
  const start = session.rotationWindowStart ?? now;
  return { allowed: false, retryAfterSeconds: (start + WINDOW_MS - now) / 1000 };
}

/**
 * The window a rotation at `now` leaves on the session: what both stores' swaps write.
 *
 * @example
 * ```ts
 * nextRotationWindow({ rotationWindowStart: null, rotationCount: 0 }, 5); // { rotationWindowStart: 5, rotationCount: 1 }
 * ```
 */
export function nextRotationWindow(session: BudgetSession, now: number): RotationWindow {
  if (rotationWindowEnded(session, now)) return { rotationWindowStart: now, rotationCount: 1 };
  return {
    rotationWindowStart: session.rotationWindowStart ?? now,
    rotationCount: session.rotationCount + 1,
  };
}

/**
 * Validates a manager's `rotationsPerMinute`: undefined (no budget) or a whole number from 1 to
 * {@link MAX_ROTATIONS_PER_MINUTE}; anything else is CONFIG_INVALID.
 *
 * @example
 * ```ts
 * resolveRotationsPerMinute(30); // 30
 * resolveRotationsPerMinute(0); // throws CONFIG_INVALID
 * ```
 */
export function resolveRotationsPerMinute(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (Number.isInteger(value) && value >= 1 && value <= MAX_ROTATIONS_PER_MINUTE) return value;
  throw new TesseraError(
    'CONFIG_INVALID',
    `rotationsPerMinute must be a whole number from 1 to ${MAX_ROTATIONS_PER_MINUTE}; got ${String(value)}.`,
  );
}
