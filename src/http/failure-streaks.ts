/**
 * Failure streaks: how many failures a key has had since its last success, and when the latest was.
 * The login delay grows with them (login-throttle.ts). Windows cannot express that (a delay that
 * doubles with each failure and ends at a success), so the limiters carry this beside their windows,
 * in the same memory or the same Redis.
 */

/** A run of failures for one key. `failures` 0 means none (or forgotten). */
export interface FailureStreak {
  readonly failures: number;
  /** When the latest failure was counted, in ms; 0 with no failure. */
  readonly lastAt: number;
}

/**
 * Where streaks live. `extend` is a compare-and-set, so that of a burst of parallel attempts that all
 * read the same streak only one is let through; the others read again and find the new delay.
 *
 * @example
 * ```ts
 * const seen = await streaks.read('login:acct:x');
 * if (await streaks.extend('login:acct:x', seen.failures, Date.now(), 86_400)) await tryPassword();
 * ```
 */
export interface FailureStreaks {
  read(key: string): Promise<FailureStreak>;
  /**
   * Counts one more failure at `at`, only if the streak still has `seen` failures; false when another
   * attempt counted first. The streak is forgotten `keepSeconds` after its latest failure.
   */
  extend(key: string, seen: number, at: number, keepSeconds: number): Promise<boolean>;
  /** Ends the streak (a success). */
  clear(key: string): Promise<void>;
}

const NONE: FailureStreak = { failures: 0, lastAt: 0 };

/**
 * Streaks in memory for one node, at most `maxKeys` of them (the oldest are forgotten first, so a spray
 * of made-up emails cannot grow memory without bound).
 *
 * @example
 * ```ts
 * const streaks = createMemoryFailureStreaks({ now: Date.now });
 * ```
 */
export function createMemoryFailureStreaks(
  options: { now?: () => number; maxKeys?: number } = {},
): FailureStreaks {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  // Map order is insertion order; an entry is re-inserted on every update, so the first is the stalest.
  const entries = new Map<string, FailureStreak & { forgetAt: number }>();
  const live = (key: string): (FailureStreak & { forgetAt: number }) | undefined => {
    const entry = entries.get(key);
    if (entry !== undefined && entry.forgetAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    async read(key) {
      const entry = live(key);
      return entry === undefined ? NONE : { failures: entry.failures, lastAt: entry.lastAt };
    },
    async extend(key, seen, at, keepSeconds) {
      const failures = live(key)?.failures ?? 0;
      if (failures !== seen) return false;
      entries.delete(key);
      entries.set(key, { failures: failures + 1, lastAt: at, forgetAt: at + keepSeconds * 1000 });
      for (const stale of entries.keys()) {
        if (entries.size <= maxKeys) break;
        entries.delete(stale);
      }
      return true;
    },
    async clear(key) {
      entries.delete(key);
    },
  };
}

/** The subset of an ioredis client the Redis streaks use. */
export interface RedisEval {
  eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

const READ_SCRIPT = `return redis.call('HMGET', KEYS[1], 'f', 't')`;

// Compare-and-set in one step: only the attempt that saw the current count extends the streak.
const EXTEND_SCRIPT = `local f = tonumber(redis.call('HGET', KEYS[1], 'f') or '0')
if f ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'f', f + 1, 't', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

const CLEAR_SCRIPT = `return redis.call('DEL', KEYS[1])`;

/**
 * Streaks shared by every node through Redis (one hash per key, expiring with the streak).
 *
 * @example
 * ```ts
 * const streaks = createRedisFailureStreaks({ redis, prefix: 'tessera:rl:' });
 * ```
 */
export function createRedisFailureStreaks(options: {
  redis: RedisEval;
  prefix?: string;
}): FailureStreaks {
  const prefix = `${options.prefix ?? 'tessera:rl:'}streak:`;
  const { redis } = options;
  return {
    async read(key) {
      const [failures, lastAt] = (await redis.eval(READ_SCRIPT, 1, `${prefix}${key}`)) as [
        string | null,
        string | null,
      ];
      return failures === null ? NONE : { failures: Number(failures), lastAt: Number(lastAt ?? 0) };
    },
    async extend(key, seen, at, keepSeconds) {
      const result = await redis.eval(
        EXTEND_SCRIPT,
        1,
        `${prefix}${key}`,
        seen,
        Math.floor(at),
        Math.max(1, Math.floor(keepSeconds * 1000)),
      );
      return Number(result) === 1;
    },
    async clear(key) {
      await redis.eval(CLEAR_SCRIPT, 1, `${prefix}${key}`);
    },
  };
}
