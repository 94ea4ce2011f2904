// tessera-auth/next's route handlers over a real in-process Tessera: the access cookie they add
// beside the refresh cookie, and the resume route, attacked with forged cookies and redirects.
import { describe, expect, it } from 'vitest';
import {
  ACCESS_COOKIE,
  accessCookieChange,
  accessTokenFromCookies,
} from '../../src/next/access-cookie.js';
import { returnPath } from '../../src/next/auth-routes.js';
import {
  browserPost,
  codeOf,
  ORIGIN,
  setCookies,
  signUp,
  useBinding,
  valueOf,
  withAccessCookie,
} from './binding-support.js';

const binding = useBinding();

describe('the access cookie beside the refresh cookie', () => {
  it('is set by a cookie-transport signup for the access token lifetime, and not for the body transport', async () => {
    await signUp(binding());
    const native = await binding().routes.POST(
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
    const { refresh, access } = await signUp(binding());
    const refreshed = await binding().routes.POST(
      browserPost('/auth/refresh', { cookie: `__Secure-tessera_rt=${refresh}` }),
    );
    expect(refreshed.status).toBe(200);
    const renewed = valueOf(setCookies(refreshed).get(ACCESS_COOKIE));
    expect(renewed).not.toBe('');
    expect(renewed).not.toBe(access);
    const next = valueOf(setCookies(refreshed).get('__Secure-tessera_rt'));
    const loggedOut = await binding().routes.POST(
      browserPost('/auth/logout', { cookie: `__Secure-tessera_rt=${next}` }),
    );
    expect(loggedOut.status).toBe(204);
    expect(setCookies(loggedOut).get(ACCESS_COOKIE)).toMatch(
      /^__Host-tessera_at=; Path=\/; Max-Age=0;/,
    );
    // The logout revoked the session: its access token is refused at once (the revocation view).
    expect(codeOf(await binding().authenticate(withAccessCookie(renewed)))).toBe('TOKEN_REVOKED');
    const dead = await binding().routes.POST(
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
    binding().routes.GET(
      new Request(`${ORIGIN}/auth/resume?to=${encodeURIComponent(to)}`, {
        headers: { cookie, 'sec-fetch-site': site },
      }),
    );

  it('refreshes through the refresh cookie and sends the navigation back with both cookies', async () => {
    const { refresh } = await signUp(binding());
    const answer = await resume('/dashboard?tab=2', `__Secure-tessera_rt=${refresh}`);
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(`${ORIGIN}/dashboard?tab=2`);
    const cookies = setCookies(answer);
    expect(cookies.get(ACCESS_COOKIE)).toMatch(/Max-Age=60; HttpOnly/);
    expect(valueOf(cookies.get('__Secure-tessera_rt'))).toMatch(/^tsr_/);
    expect(valueOf(cookies.get('__Secure-tessera_rt'))).not.toBe(refresh);
  });

  it('never redirects off the origin or into /auth (open redirect)', async () => {
    const { refresh } = await signUp(binding());
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
    const { refresh } = await signUp(binding());
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
