// tessera-auth/next's request authenticator and proxy guard over a real in-process Tessera,
// attacked with tokens and requests built here: forged signatures, alg none, a foreign audience,
// expiry, a token in the URL, cross-site state changes.
import { describe, expect, it } from 'vitest';
import { createAccessTokenSigner } from '../../src/jwt/sign-access-token.js';
import { ACCESS_COOKIE } from '../../src/next/access-cookie.js';
import { createProxyGuard, isProtected } from '../../src/next/proxy-guard.js';
import { createRequestAuthenticator, type SessionResult } from '../../src/next/request-session.js';
import {
  AUDIENCE,
  codeOf,
  ISSUER,
  ORIGIN,
  signUp,
  useBinding,
  withAccessCookie,
  forgedUnderRealKid,
} from './binding-support.js';

const binding = useBinding();

describe('the request authenticator against forged credentials', () => {
  it('refuses an access cookie signed by another key under the real kid', async () => {
    const { userId } = await signUp(binding());
    const forged = await forgedUnderRealKid(binding(), userId);
    expect(codeOf(await binding().authenticate(withAccessCookie(forged)))).toBe(
      'SIGNATURE_INVALID',
    );
  });

  it('refuses alg none, a foreign audience and an expired token in the cookie', async () => {
    const { access } = await signUp(binding());
    const [header, payload] = access.split('.') as [string, string];
    const none = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), alg: 'none' })).toString('base64url')}.${payload}.`;
    expect(codeOf(await binding().authenticate(withAccessCookie(none)))).toBe(
      'ALGORITHM_NOT_ALLOWED',
    );
    const input = { sub: 'someone', sid: 's'.repeat(22), clientId: 'tessera' };
    const foreign = createAccessTokenSigner({
      keys: binding().server.keyring,
      issuer: ISSUER,
      audience: 'other-api',
    })(input);
    expect(codeOf(await binding().authenticate(withAccessCookie(foreign.token)))).toBe(
      'AUDIENCE_MISMATCH',
    );
    const old = createAccessTokenSigner({
      keys: binding().server.keyring,
      issuer: ISSUER,
      audience: AUDIENCE,
      ttlSeconds: 60,
      now: () => Date.now() - 120_000,
    })(input);
    expect(codeOf(await binding().authenticate(withAccessCookie(old.token)))).toBe('TOKEN_EXPIRED');
  });

  it('refuses a token in the URL even with a valid cookie', async () => {
    const { access } = await signUp(binding());
    const request = withAccessCookie(access, { path: `/api/notes?access_token=${access}` });
    expect(codeOf(await binding().authenticate(request))).toBe('TOKEN_IN_URL');
  });

  it('holds cookie-authenticated state changes to the origin rules; a Bearer header needs none', async () => {
    const { access } = await signUp(binding());
    const post = (headers: Record<string, string>): Request =>
      withAccessCookie(access, { method: 'POST', headers });
    const reason = (result: SessionResult): unknown =>
      result.ok ? 'ok' : result.error.facts.reason;
    expect(reason(await binding().authenticate(post({})))).toBe('origin-missing');
    expect(
      reason(
        await binding().authenticate(post({ origin: 'https://evil.example', 'tessera-csrf': '1' })),
      ),
    ).toBe('origin-not-allowed');
    expect(reason(await binding().authenticate(post({ origin: ORIGIN })))).toBe('header-missing');
    expect(
      codeOf(await binding().authenticate(post({ origin: ORIGIN, 'tessera-csrf': '1' }))),
    ).toBe('ok');
    // A server action: Next-Action forces a preflight like Tessera-CSRF; the Origin must still be allowed.
    expect(
      codeOf(await binding().authenticate(post({ origin: ORIGIN, 'next-action': 'abc' }))),
    ).toBe('ok');
    expect(
      reason(
        await binding().authenticate(
          post({ origin: 'https://evil.example', 'next-action': 'abc' }),
        ),
      ),
    ).toBe('origin-not-allowed');
    const bearer = await binding().authenticate(
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
    createProxyGuard({ protect: ['/dashboard'] }, binding().authenticate);

  it('lets a valid session and unprotected paths through', async () => {
    const { access } = await signUp(binding());
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
    const { access } = await signUp(binding());
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

  it('judges a TesseraError thrown by another copy of the package by its code, not as KEY_INVALID', async () => {
    // Next bundles the proxy apart from the app's routes: the verifier may come from the other copy.
    class TesseraError extends Error {
      override readonly name = 'TesseraError';
      readonly code = 'KEY_UNKNOWN';
      readonly facts = { kid: 'forged' };
    }
    const foreign = createProxyGuard(
      { protect: ['/dashboard'] },
      createRequestAuthenticator({
        verify: () => {
          throw new TesseraError('No published key has kid "forged".');
        },
      }),
    );
    const request = withAccessCookie('a.b.c', {
      path: '/dashboard',
      headers: { 'sec-fetch-mode': 'navigate' },
    });
    const answer = await foreign(request);
    expect(answer?.status).toBe(307);
    expect(answer?.headers.get('location')).toBe(`${ORIGIN}/auth/resume?to=%2Fdashboard`);
  });
});
