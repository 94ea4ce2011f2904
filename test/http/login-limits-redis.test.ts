// The login limits on two nodes sharing Redis (127.0.0.1:6379) and one database, as behind a load
// balancer: a guesser who spreads attempts over the nodes meets one per-account delay, and a device
// cookie set by one node proves its browser on the other (both derive the key from one
// TESSERA_KEY_SECRET). When Redis is down these tests fail; they never skip.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/adapters/node.js';
import { createClient, expectProblem, type Client } from './support/client.js';
import { createTestServer, freshEmail, freshIp, type TestServer } from './support/server-kit.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const SECRET = randomBytes(32).toString('base64url');
const nodes: { test: TestServer; http: Server; client: Client }[] = [];

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    const test = await createTestServer(
      { 'redis-url': REDIS_URL, ...(nodes[0] === undefined ? {} : { db: nodes[0].test.dbPath }) },
      { TESSERA_KEY_SECRET: SECRET },
    );
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
});

const login = (node: number, email: string, password: string, device?: string): Promise<Response> =>
  nodes[node]!.client.call('/auth/login', {
    json: { email, password },
    headers: {
      'token-transport': 'body',
      ...(device === undefined ? {} : { cookie: `__Host-tessera_device=${device}` }),
    },
    ip: freshIp(),
  });

describe('login limits across two nodes sharing Redis', () => {
  it('delays an account for guesses spread over both nodes, and honours a device cookie set by the other', async () => {
    const email = freshEmail('two-nodes');
    const signup = await nodes[0]!.client.call('/auth/signup', {
      json: { email, password: 'correct horse battery' },
      ip: freshIp(),
    });
    expect(signup.status).toBe(201);
    const device = signup.headers
      .getSetCookie()
      .map((line) => /^__Host-tessera_device=([^;]*)/.exec(line)?.[1])
      .find((value) => value !== undefined);
    for (let i = 0; i < 5; i++)
      await expectProblem(await login(i % 2, email, `guess ${i}`), 401, 'CREDENTIALS_INVALID');
    for (const node of [0, 1]) {
      const limited = await login(node, email, 'correct horse battery');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await expectProblem(limited, 429, 'RATE_LIMITED');
    }
    expect((await login(1, email, 'correct horse battery', device)).status).toBe(200);
  });
});
