// An obedient client of one session, driven by a generated plan against a real session core and store,
// for the rate-limit property (refresh-rate-limit.test.ts). The client does what every answer says:
// a 200 gives it the successor (its tabs share the newest token), a 429 makes the tab wait exactly
// Retry-After and retry with the token the client then holds, and when no answer of a parallel burst
// arrives it retries promptly inside the window (as the shipped client does: 200 ms, at most half the
// window). Its proactive refresh is timed by the shipped client's own token clock, with a device wall
// clock that jumps; the server's clock (the injected `now`) is the only time the server reads.
import fc from 'fast-check';
import { TesseraError } from '../../src/errors/tessera-error.js';
import { remainingMs, refreshMarginMs, startLifetime } from '../../src/client/token-clock.js';
import type { SessionManager, TokenSet } from '../../src/sessions/session-manager.js';
import type { TestClock } from '../support/session-stack.js';

/** One thing that happens next: tabs refresh at once, time passes, the device clock jumps, or the timer fires. */
export type Step =
  | { readonly kind: 'burst'; readonly lost: readonly boolean[] }
  | { readonly kind: 'wait'; readonly ms: number }
  | { readonly kind: 'jump'; readonly ms: number }
  | { readonly kind: 'due'; readonly lost: readonly boolean[] };

/** A burst's requests: true where the answer never reaches the client. */
const lostFlags = fc.array(
  fc.nat(9).map((n) => n < 3),
  { minLength: 1, maxLength: 6 },
);

export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('burst' as const), lost: lostFlags }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('due' as const), lost: lostFlags }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('wait' as const),
      ms: fc.constantFrom(0, 200, 1_000, 2_500, 14_000, 29_000, 31_000, 59_000, 61_000),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('jump' as const),
      ms: fc.constantFrom(-3_600_000, -30_000, 5_000, 45_000, 3_600_000),
    }),
  },
);

/** What one refresh request came back with, as the test sees it (lost answers included). */
export interface Answer {
  readonly presentedGeneration: number;
  readonly set?: TokenSet;
  readonly code?: string;
  readonly retryAfterSeconds?: number;
  readonly lost: boolean;
}

/** The scenario's record, for the invariants: every burst's answers and the session generation around it. */
export interface Burst {
  readonly at: number;
  readonly before: number;
  readonly after: number;
  readonly answers: readonly Answer[];
}

/** What a played plan leaves: the bursts, the token the client ends on, and every value per generation. */
export interface Played {
  readonly bursts: Burst[];
  readonly held: string;
  readonly chain: Map<number, string>;
  /** Values seen for a generation that already had another: a fork, which must never happen. */
  readonly forks: string[];
}

export interface ClientWorld {
  readonly sessions: SessionManager;
  readonly clock: TestClock;
  readonly graceMs: number;
  readonly accessTtlMs: number;
  /** The token's generation, from the store (no scheduler). */
  generationOf(refreshToken: string): Promise<number>;
  /** The session's current generation, from the store (no scheduler). */
  currentGeneration(): Promise<number>;
  /** Runs requests started together, their store and limiter calls interleaved by the scheduler. */
  together<T>(work: Promise<T>): Promise<T>;
}

/**
 * Plays the plan from a fresh login; returns every burst. Throws nothing itself: the invariants are the
 * caller's, over the record.
 */
export async function playClient(
  world: ClientWorld,
  login: TokenSet,
  plan: readonly Step[],
): Promise<Played> {
  const { clock } = world;
  let held = login.refreshToken;
  let heldGeneration = 0;
  const chain = new Map<number, string>([[0, held]]);
  const forks: string[] = [];
  let wallOffset = 0;
  const clocks = { now: () => clock() + wallOffset, monotonic: () => clock() };
  let life = startLifetime(clocks, world.accessTtlMs);
  const pending: number[] = [];
  const bursts: Burst[] = [];
  const promptMs = Math.min(200, world.graceMs / 2);

  const adopt = async (set: TokenSet): Promise<void> => {
    const generation = await world.generationOf(set.refreshToken);
    const known = chain.get(generation);
    if (known === undefined) chain.set(generation, set.refreshToken);
    else if (known !== set.refreshToken) forks.push(set.refreshToken);
    if (generation > heldGeneration) {
      held = set.refreshToken;
      heldGeneration = generation;
      life = startLifetime(clocks, set.expiresIn * 1000);
    }
  };

  const burst = async (lost: readonly boolean[]): Promise<void> => {
    const at = clock();
    const before = await world.currentGeneration();
    const presented = held;
    const presentedGeneration = heldGeneration;
    const outcomes = await world.together(
      Promise.all(
        lost.map(async (isLost): Promise<Answer> => {
          try {
            const set = await world.sessions.refresh(presented, { transport: 'body' });
            return { presentedGeneration, set, lost: isLost };
          } catch (error) {
            if (!(error instanceof TesseraError)) throw error;
            const retry = error.facts.retryAfterSeconds;
            return {
              presentedGeneration,
              code: error.code,
              ...(typeof retry === 'number' ? { retryAfterSeconds: retry } : {}),
              lost: isLost,
            };
          }
        }),
      ),
    );
    bursts.push({ at, before, after: await world.currentGeneration(), answers: outcomes });
    const heard = outcomes.filter((answer) => !answer.lost);
    if (heard.length === 0) pending.push(at + promptMs);
    for (const answer of heard) {
      if (answer.set !== undefined) await adopt(answer.set);
      else if (answer.code === 'RATE_LIMITED')
        pending.push(at + (answer.retryAfterSeconds ?? 0) * 1000);
    }
  };

  // Time passes to `target`; every retry that falls due on the way fires at its instant, those due
  // at the same instant together.
  const passTo = async (target: number): Promise<void> => {
    for (;;) {
      const next = Math.min(...pending);
      if (pending.length === 0 || next > target) break;
      const due = pending.filter((at) => at === next);
      pending.splice(0, pending.length, ...pending.filter((at) => at !== next));
      clock.set(Math.max(clock(), next));
      await burst(due.map(() => false));
    }
    clock.set(Math.max(clock(), target));
  };

  for (const step of plan) {
    if (step.kind === 'jump') wallOffset += step.ms;
    else if (step.kind === 'wait') await passTo(clock() + step.ms);
    else if (step.kind === 'burst') await burst(step.lost);
    else {
      // The proactive timer: due by the client's own clocks (the larger of wall and monotonic age).
      const dueIn = Math.max(0, remainingMs(clocks, life) - refreshMarginMs(life));
      await passTo(clock() + dueIn);
      await burst(step.lost);
    }
  }
  // Whatever the plan left waiting still happens, as it would for a client left running.
  while (pending.length > 0) await passTo(Math.max(...pending));
  return { bursts, held, chain, forks };
}
