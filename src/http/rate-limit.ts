import { TesseraError } from '../errors/tessera-error.js';
import {
  createMemoryFailureStreaks,
  createRedisFailureStreaks,
  type FailureStreaks,
} from './failure-streaks.js';
import {
  ROTATION_WINDOW_SECONDS,
  type RotationCheck,
  type RotationLimit,
} from '../sessions/rotation-limit.js';

/** A limit: at most `limit` hits per `windowSeconds` for one key. */
export interface RateRule {
  readonly limit: number;
  readonly windowSeconds: number;
}

/** The outcome of one hit. */
export interface RateDecision {
  readonly allowed: boolean;
  readonly retryAfterSeconds: number;
}

/**
 * Counts hits per key in fixed windows. In memory for one node; Redis or the store when several nodes
 * must share counts. `hit` counts and decides in one step (login attempts: every attempt costs);
 * `check` decides without counting and `charge` counts what happened, for limits on outcomes (refresh
 * rotations: only a committed swap costs).
 *
 * @example
 * ```ts
 * const { allowed } = await limiter.hit('login:ip:203.0.113.7', { limit: 30, windowSeconds: 60 });
 * if ((await limiter.check('refresh:s1', rule)).allowed && (await swap())) await limiter.charge('refresh:s1', rule);
 * ```
 */
export interface RateLimiter {
  hit(key: string, rule: RateRule): Promise<RateDecision>;
  /** Would one more hit be allowed now? Counts nothing. */
  check(key: string, rule: RateRule): Promise<RateDecision>;
  /** Counts one hit that happened; the decision says whether it fit in the limit. */
  charge(key: string, rule: RateRule): Promise<RateDecision>;
  /**
   * Failure streaks kept in the same place (the growing login delay per account). The memory and
   * Redis limiters have them; a limiter without them gets per-node streaks in memory.
   */
  readonly streaks?: FailureStreaks;
}

// Whole seconds until a window ends, at least 1: Retry-After cannot say less.
const secondsLeft = (ms: number): number => Math.max(1, Math.ceil(Math.max(ms, 0) / 1000));

/**
 * An in-memory limiter for a single node. Windows are swept lazily so memory stays bounded by the keys
 * active in the current window.
 *
 * @example
 * ```ts
 * const limiter = createMemoryRateLimiter({ now: Date.now });
 * ```
 */
export function createMemoryRateLimiter(options: { now?: () => number } = {}): RateLimiter {
  const now = options.now ?? Date.now;
  const windows = new Map<string, { count: number; endsAt: number }>();
  let nextSweep = 0;
  const current = (key: string, at: number): { count: number; endsAt: number } | undefined => {
    if (at >= nextSweep) {
      for (const [k, w] of windows) if (w.endsAt <= at) windows.delete(k);
      nextSweep = at + 10_000;
    }
    const window = windows.get(key);
    return window === undefined || window.endsAt <= at ? undefined : window;
  };
  const charge = async (key: string, rule: RateRule): Promise<RateDecision> => {
    const at = now();
    let window = current(key, at);
    if (window === undefined) {
      window = { count: 0, endsAt: at + rule.windowSeconds * 1000 };
      windows.set(key, window);
    }
    window.count++;
    return {
      allowed: window.count <= rule.limit,
      retryAfterSeconds: secondsLeft(window.endsAt - at),
    };
  };
  return {
    hit: charge,
    charge,
    streaks: createMemoryFailureStreaks({ now }),
    async check(key, rule) {
      const at = now();
      const window = current(key, at);
      if (window === undefined) return { allowed: true, retryAfterSeconds: rule.windowSeconds };
      return {
        allowed: window.count < rule.limit,
        retryAfterSeconds: secondsLeft(window.endsAt - at),
      };
    },
  };
}

/** The subset of an ioredis client the Redis limiter uses (structural, so the core never imports ioredis). */
export interface RedisLike {
  eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

// INCR and set the expiry on first hit in one atomic step, returning the count and the window's remaining ms.
const HIT_SCRIPT = `local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {c, redis.call('PTTL', KEYS[1])}`;

// The count and the remaining ms in one read, writing nothing (a missing key reads 0, PTTL -2).
const CHECK_SCRIPT = `local c = tonumber(redis.call('GET', KEYS[1]) or '0')
return {c, redis.call('PTTL', KEYS[1])}`;

/**
 * A limiter shared by every node through Redis.
 *
 * @example
 * ```ts
 * const limiter = createRedisRateLimiter({ redis: new Redis('redis://127.0.0.1:6379'), prefix: 'tessera:' });
 * ```
 */
export function createRedisRateLimiter(options: {
  redis: RedisLike;
  prefix?: string;
}): RateLimiter {
  const prefix = options.prefix ?? 'tessera:rl:';
  const run = async (script: string, key: string, rule: RateRule): Promise<[number, number]> =>
    (await options.redis.eval(script, 1, `${prefix}${key}`, rule.windowSeconds * 1000)) as [
      number,
      number,
    ];
  const charge = async (key: string, rule: RateRule): Promise<RateDecision> => {
    const [count, ttl] = await run(HIT_SCRIPT, key, rule);
    return { allowed: count <= rule.limit, retryAfterSeconds: secondsLeft(ttl) };
  };
  return {
    hit: charge,
    charge,
    streaks: createRedisFailureStreaks({ redis: options.redis, prefix }),
    async check(key, rule) {
      const [count, ttl] = await run(CHECK_SCRIPT, key, rule);
      return {
        allowed: count < rule.limit,
        retryAfterSeconds: ttl < 0 ? rule.windowSeconds : secondsLeft(ttl),
      };
    },
  };
}

/**
 * The per-session limit of refresh rotations over a rate limiter: at most `perMinute` committed
 * rotations of one session per minute, keyed `refresh:<session id>`, shared by every node that shares
 * the limiter. Per session only: a refresh is never limited per IP (a whole office behind one NAT
 * refreshes at once).
 *
 * @example
 * ```ts
 * const rotationLimit = createRotationLimit(limiter, { perMinute: 30 });
 * const sessions = createSessionManager({ store, signAccessToken, rotationLimit });
 * ```
 */
export function createRotationLimit(
  limiter: RateLimiter,
  options: { perMinute: number },
): RotationLimit {
  const rule: RateRule = { limit: options.perMinute, windowSeconds: ROTATION_WINDOW_SECONDS };
  return {
    check: async (sessionId): Promise<RotationCheck> => limiter.check(`refresh:${sessionId}`, rule),
    charge: async (sessionId): Promise<void> => {
      await limiter.charge(`refresh:${sessionId}`, rule);
    },
  };
}

/**
 * Throws RATE_LIMITED with Retry-After facts when a hit is refused.
 *
 * @example
 * ```ts
 * await enforceRate(limiter, `login:ip:${ip}`, { limit: 30, windowSeconds: 60 });
 * ```
 */
export async function enforceRate(
  limiter: RateLimiter,
  key: string,
  rule: RateRule,
): Promise<void> {
  const decision = await limiter.hit(key, rule);
  if (!decision.allowed) {
    throw new TesseraError(
      'RATE_LIMITED',
      `Too many attempts; try again in ${decision.retryAfterSeconds} s.`,
      { retryAfterSeconds: decision.retryAfterSeconds },
    );
  }
}
