import { TesseraError } from '../errors/tessera-error.js';

// The per-session limit of refreshes, and why it cannot log anyone out.
//
// What it counts: rotations, i.e. compare-and-swaps that committed. A request presenting the current
// token is decided (rotate), then checked against the limit without counting, then swapped; only a
// swap that commits is charged. Grace answers are neither checked nor counted, so a retry of the
// previous token is never refused for coming fast, and fifty tabs racing one token cost one rotation.
//
// What bounds a flood of refreshes on one session: at most `perMinute` rotations per 60 s window
// (plus the few whose check ran while an earlier rotation's charge was still on its way: each needs
// the successor of a rotation that has committed but not yet been charged, one store commit per step).
// Every other request in the flood is a grace answer of the current rotation (at most
// `maxGraceAnswers` of them per rotation, each inside the grace window), or the refusal its token
// earns anyway (reuse, revoked, expired), or a 429.
//
// Why that bound revokes nothing: a 429 is given only to a request presenting the session's current
// token after a fresh read shows no other rotation happened meanwhile, and a refused check writes
// nothing, so the token stays current. Its Retry-After is at most half the grace window (and at least
// the 1 s HTTP can say), so even when another request of the same client rotated just after the
// refusal, the retry with the now-previous token lands inside the window and gets the same successor.

/** The window a per-session budget counts rotations in. */
export const ROTATION_WINDOW_SECONDS = 60;

/** The least default budget: what the server allowed before the budget followed the access lifetime. */
export const MIN_DEFAULT_ROTATIONS_PER_MINUTE = 30;

/** The largest budget accepted: beyond it the limit no longer bounds anything a store would notice. */
export const MAX_ROTATIONS_PER_MINUTE = 10_000;

/** What the limit says before a compare-and-swap; `retryAfterSeconds` is when its window frees a slot. */
export interface RotationCheck {
  readonly allowed: boolean;
  readonly retryAfterSeconds: number;
}

/**
 * The per-session limit of rotations the session core consults: a non-counting check after the
 * rotate decision and before the swap, and a charge once the swap has committed. The server builds
 * one over its rate limiter (`createRotationLimit` in `http/rate-limit.ts`).
 *
 * @example
 * ```ts
 * const sessions = createSessionManager({ store, signAccessToken, rotationLimit });
 * ```
 */
export interface RotationLimit {
  /** May this session rotate now? Must not count: a refused or lost swap costs nothing. */
  check(sessionId: string): Promise<RotationCheck>;
  /** Counts one rotation that committed. */
  charge(sessionId: string): Promise<void>;
}

/**
 * The rotations per minute a budget must leave the shipped client, with room to spare: it refreshes
 * when a fifth of the access lifetime is left (`client/token-clock.ts`), about 1.25 times per
 * lifetime at any lifetime; this allows two per lifetime, for jitter, tabs and retries. A budget below
 * it would answer an obedient client 429 in normal use (which costs it a wait, never the session).
 *
 * @example
 * ```ts
 * clientRotationsPerMinute(900); // 1
 * clientRotationsPerMinute(1); // 120
 * ```
 */
export function clientRotationsPerMinute(accessTtlSeconds: number): number {
  return Math.ceil((2 * ROTATION_WINDOW_SECONDS) / Math.max(1, accessTtlSeconds));
}

/**
 * The default per-session budget for an access lifetime: twice the client's allowance above (over
 * three times what the shipped client uses), and never below 30 a minute.
 *
 * @example
 * ```ts
 * defaultRotationsPerMinute(900); // 30
 * defaultRotationsPerMinute(1); // 240
 * ```
 */
export function defaultRotationsPerMinute(accessTtlSeconds: number): number {
  return Math.max(MIN_DEFAULT_ROTATIONS_PER_MINUTE, 2 * clientRotationsPerMinute(accessTtlSeconds));
}

/**
 * The Retry-After of a refused rotation: when the window frees a slot, but never more than half the
 * grace window, and at least 1 s (HTTP counts whole seconds; with a grace window under 2 s nothing
 * shorter can be said, and such a window absorbs no race anyway).
 *
 * @example
 * ```ts
 * rotationRetryAfterSeconds(48, 30); // 15
 * rotationRetryAfterSeconds(48, 0); // 1
 * ```
 */
export function rotationRetryAfterSeconds(
  windowRetrySeconds: number,
  graceSeconds: number,
): number {
  const cap = Math.max(1, Math.floor(graceSeconds / 2));
  return Math.min(cap, Math.max(1, Math.ceil(windowRetrySeconds)));
}

/**
 * The 429 of a refused rotation. The words tell the client its token is still good, so it retries
 * with the same one instead of signing the user out.
 *
 * @example
 * ```ts
 * throw rotationLimitedError(15);
 * ```
 */
export function rotationLimitedError(retryAfterSeconds: number): TesseraError {
  return new TesseraError(
    'RATE_LIMITED',
    `This session refreshed too often; retry in ${retryAfterSeconds} s with the same refresh token (it is still the current one).`,
    { retryAfterSeconds },
  );
}
