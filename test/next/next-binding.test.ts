// tessera-auth/next without Next: its route handlers, resume route, request authenticator and proxy
// guard over a real in-process Tessera (SQLite, keyring, revocation view), attacked with forged
// cookies, tokens and requests built here. The built app is proven in next-app.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResourceGuard } from '../../src/http/require-auth.js';
import { createAccessTokenSigner } from '../../src/jwt/sign-access-token.js';
import {
  ACCESS_COOKIE,
  accessCookieChange,
  accessTokenFromCookies,
} from '../../src/next/access-cookie.js';
import { createTesseraRoutes, returnPath } from '../../src/next/auth-routes.js';
import { createProxyGuard, isProtected } from '../../src/next/proxy-guard.js';
import { createRequestAuthenticator, type SessionResult } from '../../src/next/request-session.js';
import { resolveConfig } from '../../src/server/config.js';
import { createTesseraServer, type TesseraServer } from '../../src/server/create-server.js';

const ORIGIN = 'http://localhost:3000';
const ISSUER = ORIGIN;
const AUDIENCE = 'next-binding';
const dir = mkdtempSync(join(tmpdir(), 'tessera-next-binding-'));
let server: TesseraServer;
let routes: ReturnType<typeof createTesseraRoutes>;
let authenticate: (request: Request) => Promise<SessionResult>;

beforeAll(async () => {
  const config = await resolveConfig({
    flags: {
      db: join(dir, 'tessera.db'),
      issuer: ISSUER,
      audience: AUDIENCE,
      'allowed-origins': ORIGIN,
      'access-ttl': '60s',
    },
    env: { TESSERA_KEY_SECRET: 'next-binding-secret-Qh3vN9xK2mP7wR4tY8zB1cD6' },
    cwd: dir,
  });
  server = await createTesseraServer({ config, logger: pino({ level: 'silent' }) });
  const guard = createResourceGuard({
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: server.keyring,
    revocations: server.revocations,
    leewaySeconds: 0,
  });
  routes = createTesseraRoutes({ handler: async () => server.handler });
  authenticate = createRequestAuthenticator({ verify: (token) => guard.verify(token) });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const browserPost = (path: string, init: { cookie?: string; json?: unknown } = {}): Request =>
  new Request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: {
      origin: ORIGIN,
      'tessera-csrf': '1',
      'content-type': 'application/json',
      ...(init.cookie === undefined ? {} : { cookie: init.cookie }),
    },
    body: JSON.stringify(init.json ?? {}),
  });

/** The `name=value` of each Set-Cookie, by name. */
const setCookies = (response: Response): Map<string, string> =>
  new Map(
    response.headers.getSetCookie().map((line) => {
      const pair = line.split(';')[0] ?? '';
      return [pair.slice(0, pair.indexOf('=')), line];
    }),
  );
const valueOf = (line: string | undefined): string =>
  (line ?? '').split(';')[0]?.split('=').slice(1).join('=') ?? '';

let users = 0;
/** Signs up through the Next route handlers; returns the two cookies as a browser would send them. */
async function signUp(): Promise<{ refresh: string; access: string; userId: string }> {
  const response = await routes.POST(
    browserPost('/auth/signup', {
      json: { email: `binding${++users}@example.com`, password: 'correct horse battery staple' },
    }),
  );
  expect(response.status).toBe(201);
  const cookies = setCookies(response);
  const access = cookies.get(ACCESS_COOKIE);
  expect(access).toMatch(/; Path=\/; Max-Age=60; HttpOnly; Secure; SameSite=Lax$/);
  const body = (await response.json()) as { access_token: string };
  expect(valueOf(access)).toBe(body.access_token);
  const result = await authenticate(
    new Request(`${ORIGIN}/x`, { headers: { cookie: `${ACCESS_COOKIE}=${valueOf(access)}` } }),
  );
  if (!result.ok) throw result.error;
  return {
    refresh: valueOf(cookies.get('__Secure-tessera_rt')),
    access: valueOf(access),
    userId: result.session.userId,
  };
}

const withAccessCookie = (token: string, init: RequestInit & { path?: string } = {}): Request =>
  new Request(`${ORIGIN}${init.path ?? '/api/notes'}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), cookie: `${ACCESS_COOKIE}=${token}` },
  });

const codeOf = (result: SessionResult): string => (result.ok ? 'ok' : result.error.code);

describe('the access cookie beside the refresh cookie', () => {
  it('is set by a cookie-transport signup for the access token lifetime, and not for the body transport', async () => {
    await signUp();
    const native = await routes.POST(
      new Request(`${ORIGIN}/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'token-transport': 'body' },
        body: JSON.stringify({
          email: 'native@example.com',
          password: 'correct horse battery staple',
        }),
      }),
    );
    expect(native.status).toBe(201);
    expect(setCookies(native).has(ACCESS_COOKIE)).toBe(false);
  });

  it('is renewed by a refresh and cleared by a logout and by a refused refresh', async () => {
    const { refresh, access } = await signUp();
    const refreshed = await routes.POST(
      browserPost('/auth/refresh', { cookie: `__Secure-tessera_rt=${refresh}` }),
    );
    expect(refreshed.status).toBe(200);
    const renewed = valueOf(setCookies(refreshed).get(ACCESS_COOKIE));
    expect(renewed).not.toBe('');
    expect(renewed).not.toBe(access);
    const next = valueOf(setCookies(refreshed).get('__Secure-tessera_rt'));
    const loggedOut = await routes.POST(
      browserPost('/auth/logout', { cookie: `__Secure-tessera_rt=${next}` }),
    );
    expect(loggedOut.status).toBe(204);
    expect(setCookies(loggedOut).get(ACCESS_COOKIE)).toMatch(
      /^__Host-tessera_at=; Path=\/; Max-Age=0;/,
    );
    // The logout revoked the session: its access token is refused at once (the revocation view).
    expect(codeOf(await authenticate(withAccessCookie(renewed)))).toBe('TOKEN_REVOKED');
    const dead = await routes.POST(
      browserPost('/auth/refresh', { cookie: `__Secure-tessera_rt=${next}` }),
    );
    expect(dead.status).toBe(401);
    expect(setCookies(dead).get(ACCESS_COOKIE)).toMatch(/Max-Age=0/);
  });

  it('decides nothing for a GET, another route or a 2xx without a token', () => {
    const base = {
      status: 200,
      setsRefreshCookie: true,
      body: { access_token: 'x', expires_in: 60 },
    };
    expect(accessCookieChange({ ...base, method: 'GET', pathname: '/auth/refresh' })).toEqual({
      kind: 'keep',
    });
    expect(accessCookieChange({ ...base, method: 'POST', pathname: '/auth/password' })).toEqual({
      kind: 'keep',
    });
    expect(
      accessCookieChange({
        ...base,
        method: 'POST',
        pathname: '/auth/login',
        body: { expires_in: 60 },
      }),
    ).toEqual({ kind: 'keep' });
  });

  it('is refused when two arrive under its name, rather than guessed between', () => {
    expect(accessTokenFromCookies(`${ACCESS_COOKIE}=a; ${ACCESS_COOKIE}=b`)).toBeUndefined();
    expect(accessTokenFromCookies(`other=1; ${ACCESS_COOKIE}=a`)).toBe('a');
  });
});

describe('GET /auth/resume', () => {
  const resume = (to: string, cookie: string, site = 'same-origin'): Promise<Response> =>
    routes.GET(
      new Request(`${ORIGIN}/auth/resume?to=${encodeURIComponent(to)}`, {
        headers: { cookie, 'sec-fetch-site': site },
      }),
    );

  it('refreshes through the refresh cookie and sends the navigation back with both cookies', async () => {
    const { refresh } = await signUp();
    const answer = await resume('/dashboard?tab=2', `__Secure-tessera_rt=${refresh}`);
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(`${ORIGIN}/dashboard?tab=2`);
    const cookies = setCookies(answer);
    expect(cookies.get(ACCESS_COOKIE)).toMatch(/Max-Age=60; HttpOnly/);
    expect(valueOf(cookies.get('__Secure-tessera_rt'))).toMatch(/^tsr_/);
    expect(valueOf(cookies.get('__Secure-tessera_rt'))).not.toBe(refresh);
  });

  it('never redirects off the origin or into /auth (open redirect)', async () => {
    const { refresh } = await signUp();
    let cookie = `__Secure-tessera_rt=${refresh}`;
    for (const to of [
      '//evil.example/x',
      '/\\evil.example',
      'https://evil.example/',
      '/auth/logout',
    ]) {
      const answer = await resume(to, cookie);
      expect(answer.headers.get('location')).toBe(`${ORIGIN}/`);
      cookie = `__Secure-tessera_rt=${valueOf(setCookies(answer).get('__Secure-tessera_rt'))}`;
    }
    expect(returnPath(null, ORIGIN)).toBe('/');
  });

  it('does not refresh for a cross-site navigation, and sends it to the sign-in page', async () => {
    const { refresh } = await signUp();
    for (const site of ['cross-site', 'same-site']) {
      const answer = await resume('/dashboard', `__Secure-tessera_rt=${refresh}`, site);
      expect(answer.status).toBe(303);
      expect(answer.headers.get('location')).toBe(`${ORIGIN}/signin?next=%2Fdashboard`);
      expect(setCookies(answer).has('__Secure-tessera_rt')).toBe(false);
    }
    // The refresh token was not rotated: it still resumes from this app's own navigation.
    const own = await resume('/dashboard', `__Secure-tessera_rt=${refresh}`);
    expect(own.headers.get('location')).toBe(`${ORIGIN}/dashboard`);
  });

  it('sends a navigation without a refresh cookie, or with a forged one, to the sign-in page', async () => {
    for (const cookie of ['', `__Secure-tessera_rt=tsr_${'A'.repeat(22)}.${'B'.repeat(43)}`]) {
      const answer = await resume('/dashboard', cookie);
      expect(answer.status).toBe(303);
      expect(answer.headers.get('location')).toBe(`${ORIGIN}/signin?next=%2Fdashboard`);
      expect(setCookies(answer).get(ACCESS_COOKIE)).toMatch(/Max-Age=0/);
    }
  });
});

describe('the request authenticator against forged credentials', () => {
  it('refuses an access cookie signed by another key under the real kid', async () => {
    const { userId } = await signUp();
    const kid = server.keyring.jwks().keys[0]?.kid ?? '';
    const attacker = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({
      sub: userId,
      client_id: 'tessera',
      sid: 'x'.repeat(22),
      jti: 'j'.repeat(22),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(attacker.privateKey);
    expect(codeOf(await authenticate(withAccessCookie(forged)))).toBe('SIGNATURE_INVALID');
  });

  it('refuses alg none, a foreign audience and an expired token in the cookie', async () => {
    const { access } = await signUp();
    const [header, payload] = access.split('.') as [string, string];
    const none = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), alg: 'none' })).toString('base64url')}.${payload}.`;
    expect(codeOf(await authenticate(withAccessCookie(none)))).toBe('ALGORITHM_NOT_ALLOWED');
    const input = { sub: 'someone', sid: 's'.repeat(22), clientId: 'tessera' };
    const foreign = createAccessTokenSigner({
      keys: server.keyring,
      issuer: ISSUER,
      audience: 'other-api',
    })(input);
    expect(codeOf(await authenticate(withAccessCookie(foreign.token)))).toBe('AUDIENCE_MISMATCH');
    const old = createAccessTokenSigner({
      keys: server.keyring,
      issuer: ISSUER,
      audience: AUDIENCE,
      ttlSeconds: 60,
      now: () => Date.now() - 120_000,
    })(input);
    expect(codeOf(await authenticate(withAccessCookie(old.token)))).toBe('TOKEN_EXPIRED');
  });

  it('refuses a token in the URL even with a valid cookie', async () => {
    const { access } = await signUp();
    const request = withAccessCookie(access, { path: `/api/notes?access_token=${access}` });
    expect(codeOf(await authenticate(request))).toBe('TOKEN_IN_URL');
  });

  it('holds cookie-authenticated state changes to the origin rules; a Bearer header needs none', async () => {
    const { access } = await signUp();
    const post = (headers: Record<string, string>): Request =>
      withAccessCookie(access, { method: 'POST', headers });
    const reason = (result: SessionResult): unknown =>
      result.ok ? 'ok' : result.error.facts.reason;
    expect(reason(await authenticate(post({})))).toBe('origin-missing');
    expect(
      reason(await authenticate(post({ origin: 'https://evil.example', 'tessera-csrf': '1' }))),
    ).toBe('origin-not-allowed');
    expect(reason(await authenticate(post({ origin: ORIGIN })))).toBe('header-missing');
    expect(codeOf(await authenticate(post({ origin: ORIGIN, 'tessera-csrf': '1' })))).toBe('ok');
    // A server action: Next-Action forces a preflight like Tessera-CSRF; the Origin must still be allowed.
    expect(codeOf(await authenticate(post({ origin: ORIGIN, 'next-action': 'abc' })))).toBe('ok');
    expect(
      reason(await authenticate(post({ origin: 'https://evil.example', 'next-action': 'abc' }))),
    ).toBe('origin-not-allowed');
    const bearer = await authenticate(
      new Request(`${ORIGIN}/api/notes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${access}` },
      }),
    );
    expect(bearer.ok && bearer.session.via).toBe('bearer');
  });
});

describe('the proxy guard', () => {
  const guard = (): ((request: Request) => Promise<Response | undefined>) =>
    createProxyGuard({ protect: ['/dashboard'] }, authenticate);

  it('lets a valid session and unprotected paths through', async () => {
    const { access } = await signUp();
    expect(await guard()(withAccessCookie(access, { path: '/dashboard' }))).toBeUndefined();
    expect(await guard()(new Request(`${ORIGIN}/dashboard-public`))).toBeUndefined();
    expect(isProtected('/dash', ['/dashboard'])).toBe(false);
  });

  it('sends a page navigation without a session through /auth/resume, keeping path and query', async () => {
    const answer = await guard()(
      new Request(`${ORIGIN}/dashboard/a?b=1`, { headers: { 'sec-fetch-mode': 'navigate' } }),
    );
    expect(answer?.status).toBe(307);
    expect(answer?.headers.get('location')).toBe(
      `${ORIGIN}/auth/resume?to=%2Fdashboard%2Fa%3Fb%3D1`,
    );
  });

  it('answers a script, a prefetch and a forged-cookie fetch with problem+json, never a redirect', async () => {
    const cases: Record<string, string>[] = [
      { 'sec-fetch-mode': 'cors' },
      { rsc: '1', 'next-router-prefetch': '1' },
      { 'sec-fetch-mode': 'cors', cookie: `${ACCESS_COOKIE}=not.a.token` },
    ];
    for (const headers of cases) {
      const answer = await guard()(new Request(`${ORIGIN}/dashboard`, { headers }));
      expect(answer?.status).toBe(401);
      expect(answer?.headers.get('content-type')).toBe('application/problem+json');
      expect(answer?.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('refuses a cross-site cookie POST with 403 CSRF_FAILED', async () => {
    const { access } = await signUp();
    const answer = await guard()(
      withAccessCookie(access, {
        method: 'POST',
        path: '/dashboard',
        headers: { origin: 'https://evil.example' },
      }),
    );
    expect(answer?.status).toBe(403);
    expect(((await answer?.json()) as { code: string }).code).toBe('CSRF_FAILED');
  });
});
