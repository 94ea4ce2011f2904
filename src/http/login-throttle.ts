import { createHash } from 'node:crypto';
import { TesseraError } from '../errors/tessera-error.js';
import type { FailureStreak, FailureStreaks } from './failure-streaks.js';
import type { RateDecision } from './rate-limit.js';

/**
 * The per-account login delay, across every address. Each attempt from a browser that has not proven
 * itself for the account (device-cookie.ts) counts as a failure until it succeeds; after
 * {@link LOGIN_DELAY}.freeFailures of them the next attempt must wait 1 s after the latest, then 2 s,
 * 4 s, … up to 15 min. An attempt inside the delay is answered at once, 429 with Retry-After: holding
 * connections open would hand a flood the server's sockets. The delay slows a guesser to about four
 * guesses an hour per account wherever they come from, and cannot lock the owner out: their proven
 * browsers skip it, and a new browser waits at most 15 min.
 */

/** The curve of the login delay. */
export interface LoginDelaySettings {
  /** Failures allowed with no delay. */
  readonly freeFailures: number;
  /** The delay after the first failure past the free ones; it doubles with each further failure. */
  readonly firstDelaySeconds: number;
  readonly maxDelaySeconds: number;
  /** A streak is forgotten this long after its latest failure. */
  readonly keepSeconds: number;
}

/** Tessera's curve: 5 free failures, then 1 s doubling to 15 min, forgotten after a quiet day. */
export const LOGIN_DELAY: LoginDelaySettings = {
  freeFailures: 5,
  firstDelaySeconds: 1,
  maxDelaySeconds: 900,
  keepSeconds: 86_400,
};

/**
 * How long after its latest failure a streak of `failures` makes the next attempt wait, in seconds.
 *
 * @example
 * ```ts
 * [4, 5, 6, 7, 20].map((n) => loginDelaySeconds(n)); // [0, 1, 2, 4, 900]
 * ```
 */
export function loginDelaySeconds(failures: number, settings = LOGIN_DELAY): number {
  if (failures < settings.freeFailures) return 0;
  const doublings = Math.min(failures - settings.freeFailures, 40);
  return Math.min(settings.maxDelaySeconds, settings.firstDelaySeconds * 2 ** doublings);
}

/**
 * Whether a login attempt at `now` may check its password, given the account's streak; when not,
 * `retryAfterSeconds` is when it may (whole seconds, at least 1).
 *
 * @example
 * ```ts
 * loginDecision({ failures: 6, lastAt: 10_000 }, 11_000); // { allowed: false, retryAfterSeconds: 1 }
 * ```
 */
export function loginDecision(
  streak: FailureStreak,
  now: number,
  settings = LOGIN_DELAY,
): RateDecision {
  const waitMs = streak.lastAt + loginDelaySeconds(streak.failures, settings) * 1000 - now;
  if (streak.failures < settings.freeFailures || waitMs <= 0)
    return { allowed: true, retryAfterSeconds: 0 };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}

/** The login delay over a streak store. */
export interface LoginThrottle {
  /** Refuses with RATE_LIMITED inside the account's delay; otherwise counts this attempt as a failure. */
  admit(account: string): Promise<void>;
  /** A success from a browser that was not proven: the account's streak ends. */
  succeeded(account: string): Promise<void>;
}

// Parallel attempts that lose the compare-and-set read again; past this many losses the attempt is
// refused like one inside the delay (only a burst at one account gets here).
const ATTEMPTS = 3;

/**
 * The key an account's streak is kept under: a hash of its normalised email, so that Redis or a memory
 * dump holds no email address.
 *
 * @example
 * ```ts
 * accountStreakKey('ada@example.com'); // 'login:acct:…'
 * ```
 */
export function accountStreakKey(account: string): string {
  return `login:acct:${createHash('sha256').update(account).digest('base64url').slice(0, 22)}`;
}

/**
 * Creates the throttle over a streak store, with the server's clock.
 *
 * @example
 * ```ts
 * const throttle = createLoginThrottle({ streaks: createMemoryFailureStreaks(), now: Date.now });
 * await throttle.admit('ada@example.com');
 * ```
 */
export function createLoginThrottle(options: {
  streaks: FailureStreaks;
  now: () => number;
  settings?: LoginDelaySettings;
}): LoginThrottle {
  const { streaks, now } = options;
  const settings = options.settings ?? LOGIN_DELAY;
  const throttled = (retryAfterSeconds: number): TesseraError =>
    new TesseraError(
      'RATE_LIMITED',
      `Too many failed sign-ins to this account; try again in ${retryAfterSeconds} s, or from a browser that signed in to it before.`,
      { retryAfterSeconds, limit: 'account' },
    );
  return {
    async admit(account) {
      const key = accountStreakKey(account);
      let seen: FailureStreak = { failures: 0, lastAt: 0 };
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        seen = await streaks.read(key);
        const decision = loginDecision(seen, now(), settings);
        if (!decision.allowed) throw throttled(decision.retryAfterSeconds);
        if (await streaks.extend(key, seen.failures, now(), settings.keepSeconds)) return;
      }
      throw throttled(Math.max(1, loginDelaySeconds(seen.failures + 1, settings)));
    },
    async succeeded(account) {
      await streaks.clear(accountStreakKey(account));
    },
  };
}
