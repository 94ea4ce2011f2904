import { TesseraError } from '../errors/tessera-error.js';

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
 * must share counts.
 *
 * @example
 * ```ts
 * const { allowed } = await limiter.hit('login:ip:203.0.113.7', { limit: 30, windowSeconds: 60 });
 * ```
 */
export interface RateLimiter {
  hit(key: string, rule: RateRule): Promise<RateDecision>;
}

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
  return {
    async hit(key, rule) {
      const at = now();
      if (at >= nextSweep) {
        for (const [k, w] of windows) if (w.endsAt <= at) windows.delete(k);
        nextSweep = at + 10_000;
      }
      let window = windows.get(key);
      if (window === undefined || window.endsAt <= at) {
        window = { count: 0, endsAt: at + rule.windowSeconds * 1000 };
        windows.set(key, window);
      }
      window.count++;
      return {
        allowed: window.count <= rule.limit,
        retryAfterSeconds: Math.max(1, Math.ceil((window.endsAt - at) / 1000)),
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
  return {
    async hit(key, rule) {
      const [count, ttl] = (await options.redis.eval(
        HIT_SCRIPT,
        1,
        `${prefix}${key}`,
        rule.windowSeconds * 1000,
      )) as [number, number];
      return {
        allowed: count <= rule.limit,
        retryAfterSeconds: Math.max(1, Math.ceil(Math.max(ttl, 0) / 1000)),
      };
    },
  };
}

/**
 * Throws RATE_LIMITED with Retry-After facts when a hit is refused.
 *
 * @example
 * ```ts
 * await enforceRate(limiter, `refresh:${sessionId}`, { limit: 30, windowSeconds: 60 });
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
