// The login delay: its curve as a pure function, and the throttle over the memory streaks and over a
// real Redis at 127.0.0.1:6379 shared by two connections (two nodes). Bursts of parallel attempts at one
// account are the attack on a read-then-write delay: all read "allowed", all check a password. The
// compare-and-set lets exactly one through.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TesseraError } from '../../src/errors/tessera-error.js';
import {
  createMemoryFailureStreaks,
  createRedisFailureStreaks,
  type FailureStreaks,
} from '../../src/http/failure-streaks.js';
import {
  LOGIN_DELAY,
  accountStreakKey,
  createLoginThrottle,
  loginDecision,
  loginDelaySeconds,
} from '../../src/http/login-throttle.js';
import { createMemoryRateLimiter, createRedisRateLimiter } from '../../src/http/rate-limit.js';

describe('the login delay curve', () => {
  it('allows 5 failures, then waits 1 s doubling to a 15 min cap', () => {
    expect([0, 4, 5, 6, 7, 14, 15, 16, 1000].map((n) => loginDelaySeconds(n))).toEqual([
      0, 0, 1, 2, 4, 512, 900, 900, 900,
    ]);
  });

  it('decides from the streak and the time alone: refused exactly inside the delay, Retry-After rounded up', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: -1000, max: 2_000_000 }),
        (failures, lastAt, elapsed) => {
          const decision = loginDecision({ failures, lastAt }, lastAt + elapsed);
          const delayMs = loginDelaySeconds(failures) * 1000;
          if (failures < LOGIN_DELAY.freeFailures || elapsed >= delayMs) {
            expect(decision).toEqual({ allowed: true, retryAfterSeconds: 0 });
          } else {
            expect(decision.allowed).toBe(false);
            expect(decision.retryAfterSeconds).toBe(
              Math.max(1, Math.ceil((delayMs - elapsed) / 1000)),
            );
            // Waiting exactly the Retry-After is enough.
            const later = lastAt + elapsed + decision.retryAfterSeconds * 1000;
            expect(loginDecision({ failures, lastAt }, later).allowed).toBe(true);
          }
        },
      ),
    );
  });

  it('is monotonic: more failures never wait less', () => {
    for (let n = 0; n < 60; n++)
      expect(loginDelaySeconds(n + 1)).toBeGreaterThanOrEqual(loginDelaySeconds(n));
  });
});

const REDIS_URL = 'redis://127.0.0.1:6379';
let redisA: Redis;
let redisB: Redis;

beforeAll(async () => {
  redisA = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  redisB = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redisA.connect();
  await redisB.connect();
});

afterAll(() => {
  redisA?.disconnect();
  redisB?.disconnect();
});

/** Two views of one store (two nodes): in memory the same object twice, in Redis two connections. */
const stores: Record<'memory' | 'redis', (now: () => number) => [FailureStreaks, FailureStreaks]> =
  {
    memory: (now) => {
      const streaks = createMemoryFailureStreaks({ now });
      return [streaks, streaks];
    },
    redis: () => {
      const prefix = `tessera:test:${randomBytes(6).toString('hex')}:`;
      return [
        createRedisFailureStreaks({ redis: redisA, prefix }),
        createRedisFailureStreaks({ redis: redisB, prefix }),
      ];
    },
  };

describe.each(['memory', 'redis'] as const)('the login throttle over %s streaks', (kind) => {
  const refusal = async (attempt: Promise<void>): Promise<TesseraError | undefined> =>
    attempt.then(
      () => undefined,
      (error: unknown) => {
        expect(error).toBeInstanceOf(TesseraError);
        return error as TesseraError;
      },
    );

  it('refuses inside the delay with RATE_LIMITED and the seconds left, on either node', async () => {
    let clock = 1_800_000_000_000;
    const [a, b] = stores[kind](() => clock);
    const nodeA = createLoginThrottle({ streaks: a, now: () => clock });
    const nodeB = createLoginThrottle({ streaks: b, now: () => clock });
    for (let i = 0; i < 5; i++) await (i % 2 === 0 ? nodeA : nodeB).admit('ada@example.com');
    const refused = await refusal(nodeB.admit('ada@example.com'));
    expect(refused?.code).toBe('RATE_LIMITED');
    expect(refused?.facts).toEqual({ retryAfterSeconds: 1, limit: 'account' });
    // Another account is untouched.
    await nodeA.admit('bob@example.com');
    clock += 1000;
    await nodeA.admit('ada@example.com');
    expect((await refusal(nodeA.admit('ada@example.com')))?.facts.retryAfterSeconds).toBe(2);
    await nodeB.succeeded('ada@example.com');
    for (let i = 0; i < 5; i++) await nodeA.admit('ada@example.com');
  });

  it('lets one of 40 parallel attempts through when the delay ends, not 40', async () => {
    let clock = 1_800_000_000_000;
    const [a, b] = stores[kind](() => clock);
    const nodes = [a, b].map((streaks) => createLoginThrottle({ streaks, now: () => clock }));
    for (let i = 0; i < 8; i++) {
      await nodes[0]!.admit('burst@example.com');
      clock += loginDelaySeconds(i + 1) * 1000;
    }
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => refusal(nodes[i % 2]!.admit('burst@example.com'))),
    );
    expect(outcomes.filter((outcome) => outcome === undefined)).toHaveLength(1);
    for (const outcome of outcomes.filter((o) => o !== undefined))
      expect(outcome?.code).toBe('RATE_LIMITED');
  });

  it('forgets a streak a quiet day after its latest failure', async () => {
    let clock = 1_800_000_000_000;
    const [streaks] = stores[kind](() => clock);
    await streaks.extend('k', 0, clock, 1);
    expect(await streaks.read('k')).toEqual({ failures: 1, lastAt: clock });
    expect(await streaks.extend('k', 0, clock, 1)).toBe(false);
    if (kind === 'memory') {
      clock += 1000;
      expect(await streaks.read('k')).toEqual({ failures: 0, lastAt: 0 });
    } else {
      await new Promise((done) => setTimeout(done, 1100));
      expect(await streaks.read('k')).toEqual({ failures: 0, lastAt: 0 });
    }
  });
});

describe('where streaks live', () => {
  it('comes with the memory and Redis limiters, and keeps no email in its keys', () => {
    expect(createMemoryRateLimiter().streaks).toBeDefined();
    expect(createRedisRateLimiter({ redis: redisA }).streaks).toBeDefined();
    expect(accountStreakKey('ada@example.com')).toMatch(/^login:acct:[A-Za-z0-9_-]{22}$/);
    expect(accountStreakKey('ada@example.com')).not.toContain('ada');
  });

  it('keeps at most maxKeys streaks in memory, forgetting the stalest first', async () => {
    const streaks = createMemoryFailureStreaks({ maxKeys: 3, now: () => 0 });
    for (const key of ['a', 'b', 'c', 'd']) await streaks.extend(key, 0, 0, 60);
    expect((await streaks.read('a')).failures).toBe(0);
    expect((await streaks.read('d')).failures).toBe(1);
  });
});
