// The direct node:http path (adapters/node-request.ts) against the Fetch path (@hono/node-server's
// conversion) on one handler and one store: every request below, good and hostile, goes to both, and
// the answers must match in status, headers (Set-Cookie, WWW-Authenticate, Retry-After, CORS, warnings
// included) and body, token values aside (each path refreshes its own twin session).
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toNodeListener } from '../../src/adapters/node.js';
import { servesDirectly } from '../../src/adapters/node-request.js';
import { REFRESH_COOKIE } from '../../src/wire/names.js';
import {
  APP_ORIGIN,
  EVIL_ORIGIN,
  createTestServer,
  type TestServer,
} from '../http/support/server-kit.js';

interface Sent {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string | Buffer;
  /** Sends the body in chunked transfer encoding (no Content-Length). */
  readonly chunked?: boolean;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: string;
}

// The raw body of each answer, token values and all (answers themselves hold them normalised).
const rawBodies = new WeakMap<Answer, string>();

// Framing and the clock are the transport's, not the answer's.
const TRANSPORT_HEADERS = new Set(['connection', 'keep-alive', 'date', 'transfer-encoding']);

function normalise(text: string): string {
  return text
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<jwt>')
    .replace(/tsr_[\w-]+\.[\w-]+/g, '<refresh-token>')
    .replace(/"session_id":"[\w-]+"/g, '"session_id":"<session>"');
}

function send(port: number, sent: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = sent.body === undefined ? undefined : Buffer.from(sent.body);
    const headers: Record<string, string | string[] | number> = { ...sent.headers };
    if (body !== undefined && sent.chunked !== true) headers['content-length'] = body.length;
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: sent.method ?? 'POST',
        path: sent.path,
        headers,
        agent: false,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const kept: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(res.headers))
            if (value !== undefined && !TRANSPORT_HEADERS.has(name))
              kept[name] = Array.isArray(value) ? value.map(normalise) : normalise(value);
          expect(res.headers.date).toBeDefined();
          const raw = Buffer.concat(chunks).toString('utf8');
          const answer = { status: res.statusCode ?? 0, headers: kept, body: normalise(raw) };
          rawBodies.set(answer, raw);
          resolve(answer);
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined && sent.chunked === true) {
      // Two chunks, so the size limit is met while reading and not from a declared length.
      req.write(body.subarray(0, body.length >> 1));
      req.end(body.subarray(body.length >> 1));
    } else req.end(body);
  });
}

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

const json = { 'content-type': 'application/json' };
const browser = { origin: APP_ORIGIN, 'tessera-csrf': '1' };
const cookie = (token: string): string => `${REFRESH_COOKIE}=${token}`;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

const CASES: Record<
  string,
  { transport: 'cookie' | 'body'; build: (token: string) => Sent; direct: boolean }
> = {
  'a body refresh': {
    transport: 'body',
    build: (token) => ({
      path: '/auth/refresh',
      headers: json,
      body: JSON.stringify({ refresh_token: token }),
    }),
    direct: true,
  },
  'a cookie refresh from the allowed origin, with the client address forwarded': {
    transport: 'cookie',
    build: (token) => ({
      path: '/auth/refresh',
      headers: {
        ...browser,
        cookie: cookie(token),
        'x-forwarded-for': '203.0.113.9',
        'user-agent': 'differential',
      },
    }),
    direct: true,
  },
  'a cookie refresh without the CSRF header': {
    transport: 'cookie',
    build: (token) => ({
      path: '/auth/refresh',
      headers: { origin: APP_ORIGIN, cookie: cookie(token) },
    }),
    direct: true,
  },
  'a cookie refresh from a wrong origin': {
    transport: 'cookie',
    build: (token) => ({
      path: '/auth/refresh',
      headers: { origin: EVIL_ORIGIN, 'tessera-csrf': '1', cookie: cookie(token) },
    }),
    direct: true,
  },
  'a cookie refresh with no Origin': {
    transport: 'cookie',
    build: (token) => ({
      path: '/auth/refresh',
      headers: { 'tessera-csrf': '1', cookie: cookie(token) },
    }),
    direct: true,
  },
  'two Origin fields': {
    transport: 'cookie',
    build: (token) => ({
      path: '/auth/refresh',
      headers: { origin: [APP_ORIGIN, APP_ORIGIN], 'tessera-csrf': '1', cookie: cookie(token) },
    }),
    direct: true,
  },
  'the refresh cookie twice, in two Cookie fields': {
    transport: 'cookie',
    build: (token) => ({
      path: '/auth/refresh',
      headers: { ...browser, cookie: [cookie(token), cookie(token)] },
    }),
    direct: true,
  },
  'a planted second refresh cookie': {
    transport: 'cookie',
    build: (token) => ({
      path: '/auth/refresh',
      headers: {
        ...browser,
        cookie: `${cookie('tsr_AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB')}; ${cookie(token)}`,
      },
    }),
    direct: true,
  },
  'a token in the cookie and in the body': {
    transport: 'cookie',
    build: (token) => ({
      path: '/auth/refresh',
      headers: { ...browser, ...json, cookie: cookie(token) },
      body: JSON.stringify({ refresh_token: token }),
    }),
    direct: true,
  },
  'no token at all, from another site': {
    transport: 'cookie',
    build: () => ({
      path: '/auth/refresh',
      headers: { origin: 'https://elsewhere.test', 'sec-fetch-site': 'cross-site' },
    }),
    direct: true,
  },
  'bad JSON': {
    transport: 'body',
    build: () => ({ path: '/auth/refresh', headers: json, body: '{"refresh_token": ' }),
    direct: true,
  },
  'a duplicate member': {
    transport: 'body',
    build: (token) => ({
      path: '/auth/refresh',
      headers: json,
      body: `{"refresh_token":"${token}","refresh_token":"${token}"}`,
    }),
    direct: true,
  },
  'an unknown member': {
    transport: 'body',
    build: (token) => ({
      path: '/auth/refresh',
      headers: json,
      body: JSON.stringify({ refresh_token: token, extra: 1 }),
    }),
    direct: true,
  },
  'invalid UTF-8': {
    transport: 'body',
    build: () => ({
      path: '/auth/refresh',
      headers: json,
      body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
    }),
    direct: true,
  },
  'a form body at /auth/refresh': {
    transport: 'body',
    build: (token) => ({ path: '/auth/refresh', headers: form, body: `refresh_token=${token}` }),
    direct: true,
  },
  'a malformed token': {
    transport: 'body',
    build: () => ({
      path: '/auth/refresh',
      headers: json,
      body: JSON.stringify({ refresh_token: 'not-a-token' }),
    }),
    direct: true,
  },
  'an empty JSON body': {
    transport: 'body',
    build: () => ({
      path: '/auth/refresh',
      headers: { ...json, 'token-transport': 'body' },
      body: '',
    }),
    direct: true,
  },
  'a body of exactly the limit': {
    transport: 'body',
    build: () => ({
      path: '/auth/refresh',
      headers: json,
      body: `{"refresh_token":"${'a'.repeat(16 * 1024 - 20)}"}`,
    }),
    direct: true,
  },
  'a declared body over the limit': {
    transport: 'body',
    build: () => ({ path: '/auth/refresh', headers: json, body: 'x'.repeat(16 * 1024 + 1) }),
    direct: false,
  },
  'a chunked body over the limit': {
    transport: 'body',
    build: () => ({
      path: '/auth/refresh',
      headers: json,
      body: 'x'.repeat(40 * 1024),
      chunked: true,
    }),
    direct: false,
  },
  'a chunked body within the limit': {
    transport: 'body',
    build: (token) => ({
      path: '/auth/refresh',
      headers: json,
      body: JSON.stringify({ refresh_token: token }),
      chunked: true,
    }),
    direct: false,
  },
  'a token in the URL': {
    transport: 'body',
    build: (token) => ({ path: `/auth/refresh?refresh_token=${token}`, headers: json, body: '{}' }),
    direct: false,
  },
  'GET /auth/refresh': {
    transport: 'body',
    build: () => ({ method: 'GET', path: '/auth/refresh' }),
    direct: false,
  },
  'an OAuth refresh': {
    transport: 'body',
    build: (token) => ({
      path: '/oauth/token',
      headers: form,
      body: `grant_type=refresh_token&client_id=tessera&refresh_token=${token}`,
    }),
    direct: true,
  },
  'an OAuth refresh without a client id': {
    transport: 'body',
    build: (token) => ({
      path: '/oauth/token',
      headers: form,
      body: `grant_type=refresh_token&refresh_token=${token}`,
    }),
    direct: true,
  },
  'an OAuth refresh with the token twice': {
    transport: 'body',
    build: (token) => ({
      path: '/oauth/token',
      headers: form,
      body: `grant_type=refresh_token&client_id=tessera&refresh_token=${token}&refresh_token=${token}`,
    }),
    direct: true,
  },
  'an OAuth password grant': {
    transport: 'body',
    build: () => ({
      path: '/oauth/token',
      headers: form,
      body: 'grant_type=password&client_id=tessera',
    }),
    direct: true,
  },
  'JSON at the OAuth endpoint': {
    transport: 'body',
    build: (token) => ({
      path: '/oauth/token',
      headers: json,
      body: JSON.stringify({ refresh_token: token }),
    }),
    direct: true,
  },
  'an OAuth refresh from a browser origin, not allowed': {
    transport: 'body',
    build: (token) => ({
      path: '/oauth/token',
      headers: { ...form, origin: EVIL_ORIGIN },
      body: `grant_type=refresh_token&client_id=tessera&refresh_token=${token}`,
    }),
    direct: true,
  },
};

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
    const refresh = (token: string): Sent => ({
      path: '/auth/refresh',
      headers: json,
      body: JSON.stringify({ refresh_token: token }),
    });
    const first = await both(refresh, tokens);
    expect(first[0].status).toBe(200);
    expect(first[1]).toEqual(first[0]);
    // Past the grace window the second use is reuse; the grace answer itself must match too.
    const again = await both(refresh, tokens);
    expect(again[1]).toEqual(again[0]);
    kit.setClock(kit.now() + 60_000);
    try {
      const reused = await both(refresh, tokens);
      expect(reused[0].status).toBe(401);
      expect(reused[1]).toEqual(reused[0]);
    } finally {
      kit.setClock(undefined);
    }
  });

  it('the per-session refresh limit answers 429 with the same Retry-After on both', async () => {
    let tokens = await twins('body');
    const answers: [Answer, Answer][] = [];
    for (let i = 0; i < 40; i++) {
      const pair = await both(
        (token) => ({
          path: '/auth/refresh',
          headers: json,
          body: JSON.stringify({ refresh_token: token }),
        }),
        tokens,
      );
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

function successorIn(answer: Answer): string {
  return (JSON.parse(rawBodies.get(answer) ?? '{}') as { refresh_token: string }).refresh_token;
}
