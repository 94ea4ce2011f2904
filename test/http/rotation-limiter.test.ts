// check and charge, the two halves of a limit on outcomes, on the memory limiter and on a real Redis
// at 127.0.0.1:6379 (no skip when it is down: these tests fail instead): a check counts nothing, a
// charge counts one, the check refuses once the charges reach the limit, and the window frees it.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMemoryRateLimiter,
  createRedisRateLimiter,
  createRotationLimit,
  type RateLimiter,
} from '../../src/http/rate-limit.js';
import { createClock } from '../support/session-stack.js';

const RULE = { limit: 3, windowSeconds: 60 };
let redis: Redis;

beforeAll(async () => {
  redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
});
afterAll(() => redis?.disconnect());

async function expectCheckAndCharge(limiter: RateLimiter, key: string): Promise<void> {
  for (let i = 0; i < 10; i++) expect((await limiter.check(key, RULE)).allowed).toBe(true);
  for (let i = 0; i < RULE.limit; i++) {
    expect((await limiter.check(key, RULE)).allowed).toBe(true);
    expect((await limiter.charge(key, RULE)).allowed).toBe(true);
  }
  const refused = await limiter.check(key, RULE);
  expect(refused.allowed).toBe(false);
  expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(59);
  expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
  // A charge past the limit still counts (it happened) and says it did not fit.
  expect((await limiter.charge(key, RULE)).allowed).toBe(false);
  expect((await limiter.check(`${key}:other`, RULE)).allowed).toBe(true);
}

describe('the memory limiter', () => {
  it('checks without counting and charges one at a time', async () => {
    await expectCheckAndCharge(createMemoryRateLimiter({ now: createClock() }), 'k');
  });

  it('frees the key when its window ends, by the injected clock', async () => {
    const clock = createClock();
    const limiter = createMemoryRateLimiter({ now: clock });
    for (let i = 0; i < RULE.limit; i++) await limiter.charge('k', RULE);
    clock.advance(59_500);
    expect(await limiter.check('k', RULE)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock.advance(500);
    expect((await limiter.check('k', RULE)).allowed).toBe(true);
  });

  it('keeps hit counting and deciding in one step, as login limits need', async () => {
    const limiter = createMemoryRateLimiter({ now: createClock() });
    const hits = [];
    for (let i = 0; i <= RULE.limit; i++) hits.push((await limiter.hit('login', RULE)).allowed);
    expect(hits).toEqual([true, true, true, false]);
  });
});

describe('the Redis limiter', () => {
  it('checks without counting (nor creating the key) and charges one at a time', async () => {
    const prefix = `tessera:test:${randomBytes(6).toString('hex')}:`;
    const limiter = createRedisRateLimiter({ redis, prefix });
    await limiter.check('k', RULE);
    expect(await redis.exists(`${prefix}k`)).toBe(0);
    await expectCheckAndCharge(limiter, 'k');
    expect(await redis.pttl(`${prefix}k`)).toBeGreaterThan(58_000);
  });

  it('shares charges between nodes on two connections', async () => {
    const other = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    try {
      const prefix = `tessera:test:${randomBytes(6).toString('hex')}:`;
      const a = createRotationLimit(createRedisRateLimiter({ redis, prefix }), { perMinute: 2 });
      const b = createRotationLimit(createRedisRateLimiter({ redis: other, prefix }), {
        perMinute: 2,
      });
      await a.charge('session-1');
      expect((await b.check('session-1')).allowed).toBe(true);
      await b.charge('session-1');
      expect((await a.check('session-1')).allowed).toBe(false);
      expect((await b.check('session-1')).allowed).toBe(false);
      expect((await a.check('session-2')).allowed).toBe(true);
      expect(await redis.get(`${prefix}refresh:session-1`)).toBe('2');
    } finally {
      other.disconnect();
    }
  });
});
