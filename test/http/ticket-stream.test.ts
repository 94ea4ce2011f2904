// End to end: a real Tessera server behind Hono on a real port, an app route that streams Server-Sent
// Events to whoever presents a ticket (server.authenticateTicket), and the real client (createAuthClient
// plus tessera-auth/client/ticket) opening it the way an EventSource does: a GET with the ticket in the
// URL and no Authorization header, the stream read from the response body.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tesseraRoutes } from '../../src/adapters/hono.js';
import { createAuthClient } from '../../src/client/auth-client.js';
import { AuthClientError } from '../../src/client/problem.js';
import { ticketUrl } from '../../src/client/ticket.js';
import { createMemoryStorage } from '../../src/client/token-storage.js';
import type { AuthClient } from '../../src/client/types.js';
import { ticketRefusal } from '../../src/http/ticket-auth.js';
import { resolveConfig } from '../../src/server/config.js';
import { createTesseraServer, type TesseraServer } from '../../src/server/create-server.js';
import { expectProblem } from './support/client.js';
import { freshEmail } from './support/server-kit.js';

let directory: string;
let server: TesseraServer;
let http: Server;
let baseUrl: string;
const logLines: string[] = [];
const issued: string[] = [];

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'tessera-tickets-'));
  const config = await resolveConfig({
    flags: {
      db: join(directory, 'tessera.db'),
      issuer: 'https://auth.test',
      audience: 'api',
      'allowed-origins': 'https://app.test',
    },
    env: {},
    cwd: directory,
  });
  // Every line the server logs, at every level, to look for ticket values in afterwards.
  const logger = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
  server = await createTesseraServer({ config, logger });
  const app = new Hono();
  app.use(tesseraRoutes(server.handler));
  app.get('/events', async (c) => {
    let who: { userId: string; sessionId: string };
    try {
      who = await server.authenticateTicket(c.req.raw);
    } catch (error) {
      return ticketRefusal(error);
    }
    const encoder = new TextEncoder();
    // Stays open like a real event stream; the client ends it.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(`event: hello\ndata: ${JSON.stringify(who)}\n\n`));
      },
    });
    return new Response(stream, {
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' },
    });
  });
  http = await new Promise<Server>((done) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      done(started as Server),
    );
  });
  baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  // Guarded: a failed beforeAll must show its own error, not one from here.
  http?.closeAllConnections();
  if (http !== undefined) await new Promise((done) => http.close(done));
  await server?.close();
  rmSync(directory, { recursive: true, force: true });
});

async function signedIn(): Promise<AuthClient> {
  const auth = createAuthClient({
    baseUrl,
    transport: 'body',
    storage: createMemoryStorage(),
    tabs: null,
    lifecycle: null,
    proactiveRefresh: false,
  });
  await auth.signup(freshEmail('stream'), 'correct horse battery');
  return auth;
}

async function urlFor(auth: AuthClient): Promise<string> {
  const url = await ticketUrl(`${baseUrl}/events`, { client: auth, baseUrl });
  const ticket = new URL(url).searchParams.get('ticket');
  expect(ticket).toMatch(/^tst_/);
  issued.push(ticket as string);
  return url;
}

/** Opens the stream as an EventSource would (GET, Accept: text/event-stream, no Authorization). */
async function open(url: string): Promise<Response> {
  return fetch(url, { headers: { accept: 'text/event-stream' } });
}

/** The first event of an open stream, then the connection is closed from this side. */
async function firstEvent(response: Response): Promise<{ event: string; data: unknown }> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('\n\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  const [block] = text.split('\n\n');
  const field = (name: string): string =>
    (block ?? '')
      .split('\n')
      .find((line) => line.startsWith(`${name}: `))
      ?.slice(name.length + 2) ?? '';
  return { event: field('event'), data: JSON.parse(field('data') || 'null') };
}

async function currentSessionId(auth: AuthClient): Promise<string> {
  const me = await auth.fetch(`${baseUrl}/auth/me`);
  return ((await me.json()) as { session: { id: string } }).session.id;
}

describe('an event stream authenticated by a ticket', () => {
  it('opens with a valid ticket and knows the user and session that asked for it', async () => {
    const auth = await signedIn();
    const response = await open(await urlFor(auth));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const { event, data } = await firstEvent(response);
    expect(event).toBe('hello');
    expect(data).toEqual({ userId: expect.any(String), sessionId: await currentSessionId(auth) });
    auth.close();
  });

  it('refuses the same ticket the second time', async () => {
    const auth = await signedIn();
    const url = await urlFor(auth);
    const first = await open(url);
    expect(first.status).toBe(200);
    await first.body?.cancel();
    const second = await open(url);
    expect(second.headers.get('www-authenticate')).toMatch(/^Bearer /);
    await expectProblem(second, 401, 'TICKET_INVALID');
    auth.close();
  });

  it('refuses a ticket asked for before a logout and used after it', async () => {
    const auth = await signedIn();
    const url = await urlFor(auth);
    await auth.logout();
    const body = await expectProblem(await open(url), 401, 'TICKET_INVALID');
    expect(body.facts).toEqual({ session: 'revoked' });
    // Signed out, the client cannot get a new one: the server says why, nothing is retried forever.
    const refused = await ticketUrl(`${baseUrl}/events`, { client: auth, baseUrl }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(AuthClientError);
    expect((refused as AuthClientError).code).toBe('TOKEN_MISSING');
    auth.close();
  });

  it('answers a connection without a ticket, or with an access token instead, with 401', async () => {
    const auth = await signedIn();
    const token = await auth.getAccessToken();
    await expectProblem(await open(`${baseUrl}/events`), 401, 'TICKET_INVALID');
    await expectProblem(
      await open(`${baseUrl}/events?ticket=${encodeURIComponent(token as string)}`),
      401,
      'TICKET_INVALID',
    );
    auth.close();
  });

  it('builds a WebSocket URL the same way, keeping its scheme and query', async () => {
    const auth = await signedIn();
    const url = new URL(
      await ticketUrl('ws://127.0.0.1:9/socket?room=7', { client: auth, baseUrl }),
    );
    expect(url.protocol).toBe('ws:');
    expect(url.searchParams.get('room')).toBe('7');
    const ticket = url.searchParams.get('ticket') as string;
    issued.push(ticket);
    // The server reads it from the path a Node `upgrade` request carries.
    expect(await server.authenticateTicket(`${url.pathname}${url.search}`)).toEqual({
      userId: expect.any(String),
      sessionId: await currentSessionId(auth),
    });
    auth.close();
  });

  it('never wrote a ticket value into the server log', () => {
    expect(issued.length).toBeGreaterThanOrEqual(3);
    // The server did log (audit lines for each signup, logout and refusal): the check has something to read.
    expect(logLines.length).toBeGreaterThan(0);
    const log = logLines.join('');
    for (const ticket of issued) {
      expect(log).not.toContain(ticket);
      expect(log).not.toContain(ticket.split('.')[1]);
    }
  });
});
