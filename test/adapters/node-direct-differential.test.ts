// The direct node:http path (adapters/node-request.ts) against the Fetch path (@hono/node-server's
// conversion) on one handler and one store: every request below, good and hostile, goes to both, and
// the answers must match in status, headers (Set-Cookie, WWW-Authenticate, Retry-After, CORS, warnings
// included) and body, token values aside (each path refreshes its own twin session).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toNodeListener } from '../../src/adapters/node.js';
import { servesDirectly } from '../../src/adapters/node-request.js';
import { createTestServer, type TestServer } from '../http/support/server-kit.js';
import { bodyRefresh, CASES } from './support/differential-cases.js';
import { send, successorIn, type Answer, type Sent } from './support/raw-exchange.js';

async function listenOn(listener: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const portOf = (server: Server): number => (server.address() as AddressInfo).port;

let kit: TestServer;
let fetchServer: Server;
let nodeServer: Server;
const directly: boolean[] = [];

beforeAll(async () => {
  kit = await createTestServer();
  const handler = kit.server.handler;
  fetchServer = await listenOn(
    getRequestListener((request, env) =>
      handler.fetch(request, { remoteAddress: env.incoming.socket.remoteAddress }),
    ),
  );
  nodeServer = await listenOn(toNodeListener(handler));
  nodeServer.prependListener('request', (request: IncomingMessage) =>
    directly.push(servesDirectly(request)),
  );
});

// One frozen instant per test: twin sessions and both answers (a cookie's Max-Age) see the same clock.
beforeEach(() => kit.setClock(kit.now()));
afterEach(() => kit.setClock(undefined));

afterAll(async () => {
  await new Promise((resolve) => fetchServer.close(resolve));
  await new Promise((resolve) => nodeServer.close(resolve));
  await kit.server.close();
  kit.cleanup();
});

let users = 0;
/** Two sessions of one new user, one per path, so that a refresh on one leaves the other's intact. */
async function twins(transport: 'cookie' | 'body'): Promise<[string, string]> {
  const user = `differential-${++users}`;
  const issue = async (): Promise<string> =>
    (await kit.server.sessions.issueSession(user, { transport })).refreshToken;
  return [await issue(), await issue()];
}

/** Sends the request built for each path's token to that path; returns both answers. */
async function both(
  build: (token: string) => Sent,
  tokens: [string, string],
): Promise<[Answer, Answer]> {
  return [
    await send(portOf(fetchServer), build(tokens[0])),
    await send(portOf(nodeServer), build(tokens[1])),
  ];
}

describe('the direct node:http path answers as the Fetch path does', () => {
  for (const [name, { transport, build, direct }] of Object.entries(CASES)) {
    it(name, async () => {
      const seen = directly.length;
      const [viaFetch, viaNode] = await both(build, await twins(transport));
      expect(viaNode).toEqual(viaFetch);
      expect(directly.slice(seen)).toEqual([direct]);
    });
  }

  it('a refresh token used twice is refused as reused on both, and revokes the session on both', async () => {
    const tokens = await twins('body');
    const first = await both(bodyRefresh, tokens);
    expect(first[0].status).toBe(200);
    expect(first[1]).toEqual(first[0]);
    // Past the grace window the second use is reuse; the grace answer itself must match too.
    const again = await both(bodyRefresh, tokens);
    expect(again[1]).toEqual(again[0]);
    kit.setClock(kit.now() + 60_000);
    const reused = await both(bodyRefresh, tokens);
    expect(reused[0].status).toBe(401);
    expect(reused[1]).toEqual(reused[0]);
  });

  it('the per-session refresh limit answers 429 with the same Retry-After on both', async () => {
    let tokens = await twins('body');
    const answers: [Answer, Answer][] = [];
    for (let i = 0; i < 40; i++) {
      const pair = await both(bodyRefresh, tokens);
      answers.push(pair);
      if (pair[0].status !== 200 || pair[1].status !== 200) break;
      tokens = [successorIn(pair[0]), successorIn(pair[1])];
    }
    const last = answers.at(-1) as [Answer, Answer];
    expect(last[0].status).toBe(429);
    expect(last[0].headers['retry-after']).toBeDefined();
    for (const [viaFetch, viaNode] of answers) expect(viaNode).toEqual(viaFetch);
  });
});
