// CSRF from a second origin, with forged Origin headers: every state-changing route refuses with
// CSRF_FAILED and changes nothing (sessions, generations, audit events, accounts, reset tokens), while the
// same request from the allowed origin with `Tessera-CSRF: 1` goes through, and a native client that sends
// neither a cookie nor an Origin needs neither.
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/adapters/node.js';
import {
  createClient,
  expectProblem,
  type CallOptions,
  type Client,
  type SignedIn,
} from './support/client.js';
import {
  APP_ORIGIN,
  EVIL_ORIGIN,
  createTestServer,
  freshEmail,
  freshIp,
  type TestServer,
} from './support/server-kit.js';

let test: TestServer;
let http: Server;
let client: Client;

beforeAll(async () => {
  test = await createTestServer();
  const started = await listen(test.server.handler, { port: 0, host: '127.0.0.1' });
  http = started.server;
  client = createClient(`http://127.0.0.1:${started.port}`, test.now);
});

afterAll(async () => {
  await new Promise<void>((done) => http.close(() => done()));
  await test.server.close();
  test.cleanup();
});

/** Everything a forged request could change for a user, in one comparable value. */
async function snapshot(user: SignedIn): Promise<unknown> {
  const session = await test.server.store.findSession(user.sessionId);
  const userId = session?.userId ?? '';
  const sessions = await test.server.store.listSessions(userId);
  const events = await test.server.store.listEvents({ userId, limit: 10_000 });
  return {
    sessions: sessions.map((s) => [s.id, s.generation, s.revokedAt, s.lastUsedAt]).sort(),
    events: events.length,
    resetTokens: test.resetTokens.length,
  };
}

type Forgery = { readonly name: string; readonly request: CallOptions };

/** The ways a second origin can dress a request, given what the route sends. */
function forgeries(base: CallOptions): Forgery[] {
  const withoutOrigin = { ...base, origin: undefined };
  return [
    { name: 'foreign Origin with the CSRF header', request: { ...base, origin: EVIL_ORIGIN } },
    {
      name: 'foreign Origin without the CSRF header',
      request: { ...base, origin: EVIL_ORIGIN, csrf: false },
    },
    {
      name: 'allowed Origin without the CSRF header',
      request: { ...base, origin: APP_ORIGIN, csrf: false },
    },
    { name: 'Origin "null" (sandboxed frame)', request: { ...base, origin: 'null' } },
    {
      name: 'allowed Origin with a wrong CSRF value',
      request: { ...withoutOrigin, headers: { origin: APP_ORIGIN, 'tessera-csrf': 'true' } },
    },
    { name: 'a look-alike origin', request: { ...base, origin: `${APP_ORIGIN}.evil.test` } },
  ];
}

interface StateRoute {
  readonly name: string;
  /** The request as the real app sends it (cookie, bearer, body); the test adds the Origin. */
  build(user: SignedIn): CallOptions & { path: string };
  /** Whether the route relies on the cookie, so that the cookie without any Origin must be refused too. */
  readonly cookie: boolean;
  readonly okStatus: number;
}

const ROUTES: StateRoute[] = [
  {
    name: 'POST /auth/refresh',
    cookie: true,
    okStatus: 200,
    build: (u) => ({ path: '/auth/refresh', method: 'POST', cookie: u.refreshToken }),
  },
  {
    name: 'POST /auth/logout',
    cookie: true,
    okStatus: 204,
    build: (u) => ({ path: '/auth/logout', method: 'POST', cookie: u.refreshToken }),
  },
  {
    name: 'POST /auth/logout-all',
    cookie: true,
    okStatus: 204,
    build: (u) => ({
      path: '/auth/logout-all',
      json: {},
      cookie: u.refreshToken,
      bearer: u.accessToken,
    }),
  },
  {
    name: 'POST /auth/password',
    cookie: true,
    okStatus: 204,
    build: (u) => ({
      path: '/auth/password',
      json: { current_password: u.password, new_password: 'changed password' },
      cookie: u.refreshToken,
      bearer: u.accessToken,
    }),
  },
  {
    name: 'DELETE /auth/sessions/:id',
    cookie: true,
    okStatus: 204,
    build: (u) => ({
      path: `/auth/sessions/${u.sessionId}`,
      method: 'DELETE',
      cookie: u.refreshToken,
      bearer: u.accessToken,
    }),
  },
  {
    name: 'POST /auth/ticket',
    cookie: true,
    okStatus: 200,
    build: (u) => ({
      path: '/auth/ticket',
      method: 'POST',
      cookie: u.refreshToken,
      bearer: u.accessToken,
    }),
  },
  {
    name: 'POST /auth/login',
    cookie: false,
    okStatus: 200,
    build: (u) => ({
      path: '/auth/login',
      json: { email: u.email, password: u.password },
      ip: freshIp(),
    }),
  },
  {
    name: 'POST /auth/signup',
    cookie: false,
    okStatus: 201,
    build: () => ({
      path: '/auth/signup',
      json: { email: freshEmail('csrf'), password: 'correct horse battery' },
      ip: freshIp(),
    }),
  },
  {
    name: 'POST /auth/password-reset',
    cookie: false,
    okStatus: 202,
    build: (u) => ({ path: '/auth/password-reset', json: { email: u.email }, ip: freshIp() }),
  },
];

describe('CSRF: every state-changing route refuses a second origin', () => {
  for (const route of ROUTES) {
    it(`${route.name} refuses every forgery with CSRF_FAILED and changes nothing, then accepts the real app`, async () => {
      const user = await client.signup({ transport: 'cookie' });
      const before = await snapshot(user);
      const { path, ...base } = route.build(user);
      const variants = forgeries(base);
      if (route.cookie)
        variants.push({
          name: 'the cookie with no Origin at all',
          request: { ...base, origin: undefined },
        });
      for (const forgery of variants) {
        const response = await client.call(path, forgery.request);
        const body = await expectProblem(response, 403, 'CSRF_FAILED');
        expect(body.detail, forgery.name).toEqual(expect.any(String));
        expect(response.headers.getSetCookie(), forgery.name).toEqual([]);
        expect(await snapshot(user), `${route.name}: ${forgery.name} changed state`).toEqual(
          before,
        );
      }
      // The control: the app's own origin with the header goes through, so the refusals above were the check.
      const genuine = await client.call(path, { ...route.build(user), origin: APP_ORIGIN });
      expect(genuine.status).toBe(route.okStatus);
    });
  }

  it('refuses a forged signup and creates no account', async () => {
    const email = freshEmail('forged');
    await expectProblem(
      await client.call('/auth/signup', {
        json: { email, password: 'correct horse battery' },
        origin: EVIL_ORIGIN,
        ip: freshIp(),
      }),
      403,
      'CSRF_FAILED',
    );
    await expectProblem(
      await client.call('/auth/login', {
        json: { email, password: 'correct horse battery' },
        ip: freshIp(),
      }),
      401,
      'CREDENTIALS_INVALID',
    );
  });

  it('refuses a forged reset confirmation and leaves the token unused', async () => {
    const user = await client.signup();
    await client.call('/auth/password-reset', { json: { email: user.email }, ip: freshIp() });
    const token = test.resetTokens.at(-1)?.token as string;
    const before = await snapshot(user);
    await expectProblem(
      await client.call('/auth/password-reset/confirm', {
        json: { token, new_password: 'stolen password' },
        origin: EVIL_ORIGIN,
        ip: freshIp(),
      }),
      403,
      'CSRF_FAILED',
    );
    expect(await snapshot(user)).toEqual(before);
    expect(
      (
        await client.call('/auth/password-reset/confirm', {
          json: { token, new_password: 'chosen password' },
          origin: APP_ORIGIN,
          ip: freshIp(),
        })
      ).status,
    ).toBe(204);
  });

  it('refuses a simple cross-site form post (no preflight) riding on the cookie', async () => {
    const user = await client.signup({ transport: 'cookie' });
    const before = await snapshot(user);
    for (const path of ['/auth/refresh', '/auth/logout', '/auth/logout-all']) {
      for (const contentType of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
      ]) {
        const response = await client.call(path, {
          body: 'a=1',
          contentType,
          cookie: user.refreshToken,
          origin: EVIL_ORIGIN,
          csrf: false,
        });
        expect([403, 415]).toContain(response.status);
        expect((await response.json()) as { code: string }).toMatchObject({
          code: response.status === 403 ? 'CSRF_FAILED' : 'MEDIA_TYPE_UNSUPPORTED',
        });
      }
    }
    expect(await snapshot(user)).toEqual(before);
  });

  it('lets a native client with no cookie and no Origin through without the CSRF header', async () => {
    const user = await client.signup({ transport: 'body' });
    const refreshed = await client.call('/auth/refresh', {
      json: { refresh_token: user.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    const { access_token: accessToken } = (await refreshed.json()) as { access_token: string };
    expect(
      (await client.call('/auth/ticket', { method: 'POST', bearer: accessToken })).status,
    ).toBe(200);
    expect(
      (await client.call('/auth/logout-all', { json: { keep_current: true }, bearer: accessToken }))
        .status,
    ).toBe(204);
  });

  it('still checks the Origin of a bearer-only call that a browser made', async () => {
    const user = await client.signup({ transport: 'body' });
    const before = await snapshot(user);
    await expectProblem(
      await client.call('/auth/logout-all', {
        json: {},
        bearer: user.accessToken,
        origin: EVIL_ORIGIN,
      }),
      403,
      'CSRF_FAILED',
    );
    expect(await snapshot(user)).toEqual(before);
  });
});
