// The Redis rate limiter against a real Redis at 127.0.0.1:6379: two handler instances (two servers, two
// Redis clients) share their counts. When Redis is down these tests fail; they never skip.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/adapters/node.js';
import { createRedisRateLimiter } from '../../src/http/rate-limit.js';
import { createClient, expectProblem, type Client } from './support/client.js';
import { createTestServer, freshEmail, freshIp, type TestServer } from './support/server-kit.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const nodes: { test: TestServer; http: Server; client: Client }[] = [];
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  for (let i = 0; i < 2; i++) {
    // Both nodes on one database, as a deployment behind a load balancer would be.
    const test = await createTestServer({
      'redis-url': REDIS_URL,
      ...(nodes[0] === undefined ? {} : { db: nodes[0].test.dbPath }),
    });
    const started = await listen(test.server.handler, { port: 0, host: '127.0.0.1' });
    nodes.push({
      test,
      http: started.server,
      client: createClient(`http://127.0.0.1:${started.port}`, test.now),
    });
  }
});

afterAll(async () => {
  for (const node of nodes) {
    await new Promise<void>((done) => node.http.close(() => done()));
    await node.test.server.close();
    node.test.cleanup();
  }
  redis?.disconnect();
});

describe('the Redis rate limiter', () => {
  it('shares one window between two limiters on two connections', async () => {
    const other = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const prefix = `tessera:test:${randomBytes(6).toString('hex')}:`;
      const a = createRedisRateLimiter({ redis, prefix });
      const b = createRedisRateLimiter({ redis: other, prefix });
      const rule = { limit: 3, windowSeconds: 60 };
      const decisions = [
        await a.hit('k', rule),
        await b.hit('k', rule),
        await a.hit('k', rule),
        await b.hit('k', rule),
      ];
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
      expect(decisions[3]?.retryAfterSeconds).toBeGreaterThanOrEqual(59);
      expect(await redis.pttl(`${prefix}k`)).toBeGreaterThan(58_000);
      expect((await a.hit('another key', rule)).allowed).toBe(true);
    } finally {
      other.disconnect();
    }
  });

  it('makes two auth servers count login attempts together', async () => {
    const email = freshEmail('redis');
    const ip = freshIp();
    const attempt = (i: number): Promise<Response> =>
      (nodes[i % 2] as (typeof nodes)[number]).client.call('/auth/login', {
        json: { email, password: `guess number ${i}` },
        ip,
      });
    // Five free failures per account (login-throttle.ts), counted across both nodes.
    for (let i = 0; i < 5; i++) await expectProblem(await attempt(i), 401, 'CREDENTIALS_INVALID');
    for (let i = 5; i < 7; i++) {
      const limited = await attempt(i);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await expectProblem(limited, 429, 'RATE_LIMITED');
    }
  });

  it('makes two auth servers count refreshes of one session together', async () => {
    let user = await (nodes[0] as (typeof nodes)[number]).client.signup();
    for (let i = 0; i < 30; i++) {
      const response = await (nodes[i % 2] as (typeof nodes)[number]).client.refresh(user);
      expect(response.status).toBe(200);
      user = {
        ...user,
        refreshToken: ((await response.json()) as { refresh_token: string }).refresh_token,
      };
    }
    await expectProblem(
      await (nodes[1] as (typeof nodes)[number]).client.refresh(user),
      429,
      'RATE_LIMITED',
    );
    await expectProblem(
      await (nodes[0] as (typeof nodes)[number]).client.refresh(user),
      429,
      'RATE_LIMITED',
    );
  });

  it('answers the first request of a freshly started server (the connection is up before it serves)', async () => {
    const test = await createTestServer({ 'redis-url': REDIS_URL });
    try {
      const response = await test.server.handler.fetch(
        new Request('http://x/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: freshEmail('first'), password: 'whatever12' }),
        }),
      );
      expect({ status: response.status, body: await response.json() }).toMatchObject({
        status: 401,
        body: { code: 'CREDENTIALS_INVALID' },
      });
    } finally {
      await test.server.close();
      test.cleanup();
    }
  });

  it('refuses to start when Redis cannot be reached, instead of serving without limits', async () => {
    await expect(createTestServer({ 'redis-url': 'redis://127.0.0.1:1' })).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
  });
});
