// Sign-in, token responses, the refresh cookie, transports, rotation, and access-token failures.
import { describe, expect, it } from 'vitest';
import { expectProblem } from './client.js';
import type { SuiteContext } from './http-suite.js';
import { APP_ORIGIN, freshEmail, freshIp, refreshCookieOf } from './server-kit.js';

const b64u = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A real token with one signature character changed (not the last, whose low bits may be padding). */
function tamper(token: string): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const i = 10;
  return `${h}.${p}.${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
}

export function describeTokens(ctx: SuiteContext): void {
  describe('token responses', () => {
    it('answers a body-transport signup as RFC 6749 with the refresh token in the body and no cookie', async () => {
      const response = await ctx.client.call('/auth/signup', {
        json: { email: freshEmail(), password: 'correct horse battery' },
        headers: { 'token-transport': 'body' },
        ip: freshIp(),
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.getSetCookie()).toEqual([]);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        token_type: 'Bearer',
        expires_in: 120,
        refresh_grace_s: 5,
        grace: false,
      });
      expect(body.access_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(body.refresh_token).toMatch(/^tsr_/);
    });

    it('answers a cookie-transport login with only a Set-Cookie: HttpOnly, Secure, Path=/auth, SameSite=Lax, Max-Age, never Expires', async () => {
      const user = await ctx.client.signup();
      const response = await ctx.client.call('/auth/login', {
        json: { email: user.email, password: user.password },
        ip: freshIp(),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).not.toHaveProperty('refresh_token');
      // Beside the refresh cookie only the device cookie (login-limits), which holds no token.
      const [cookie, ...others] = response.headers.getSetCookie();
      expect(others.map((line) => line.split('=')[0])).toEqual(['__Host-tessera_device']);
      const attributes = (cookie ?? '').split(';').map((part) => part.trim());
      expect(attributes[0]).toMatch(/^__Secure-tessera_rt=tsr_/);
      expect(attributes).toEqual(
        expect.arrayContaining(['HttpOnly', 'Secure', 'Path=/auth', 'SameSite=Lax']),
      );
      const maxAge = attributes.find((part) => part.startsWith('Max-Age='));
      expect(Number(maxAge?.slice(8))).toBeGreaterThan(13 * 86_400);
      expect(attributes.some((part) => /^expires=/i.test(part))).toBe(false);
    });

    it('refuses a wrong password and an unknown email with the same code, and a taken email with 409', async () => {
      const user = await ctx.client.signup();
      await expectProblem(
        await ctx.client.call('/auth/login', {
          json: { email: user.email, password: 'wrong password!' },
          ip: freshIp(),
        }),
        401,
        'CREDENTIALS_INVALID',
      );
      await expectProblem(
        await ctx.client.call('/auth/login', {
          json: { email: freshEmail(), password: user.password },
          ip: freshIp(),
        }),
        401,
        'CREDENTIALS_INVALID',
      );
      await expectProblem(
        await ctx.client.call('/auth/signup', {
          json: { email: user.email.toUpperCase(), password: 'another password' },
          ip: freshIp(),
        }),
        409,
        'ACCOUNT_EXISTS',
      );
    });

    it('refuses other content types with 415, malformed JSON and unknown fields with 400', async () => {
      const credentials = JSON.stringify({
        email: freshEmail(),
        password: 'correct horse battery',
      });
      await expectProblem(
        await ctx.client.call('/auth/signup', {
          body: credentials,
          contentType: 'text/plain',
          ip: freshIp(),
        }),
        415,
        'MEDIA_TYPE_UNSUPPORTED',
      );
      await expectProblem(
        await ctx.client.call('/auth/login', {
          body: 'email=a%40b.c&password=x',
          contentType: 'application/x-www-form-urlencoded',
          ip: freshIp(),
        }),
        415,
        'MEDIA_TYPE_UNSUPPORTED',
      );
      await expectProblem(
        await ctx.client.call('/auth/login', {
          body: '{"email":',
          contentType: 'application/json',
          ip: freshIp(),
        }),
        400,
        'REQUEST_INVALID',
      );
      await expectProblem(
        await ctx.client.call('/auth/login', {
          json: { email: freshEmail(), password: 'correct horse', admin: true },
          ip: freshIp(),
        }),
        400,
        'REQUEST_INVALID',
      );
      await expectProblem(
        await ctx.client.call('/auth/login', { json: ['email', 'password'], ip: freshIp() }),
        400,
        'REQUEST_INVALID',
      );
    });
  });

  describe('refresh', () => {
    it('rotates a cookie session only through Set-Cookie and a body session only through the body', async () => {
      const browser = await ctx.client.signup({ transport: 'cookie' });
      const rotated = await ctx.client.refresh(browser);
      expect(rotated.status).toBe(200);
      const next = refreshCookieOf(rotated);
      expect(next).toMatch(/^tsr_/);
      expect(next).not.toBe(browser.refreshToken);
      expect(await rotated.json()).not.toHaveProperty('refresh_token');

      const native = await ctx.client.signup({ transport: 'body' });
      const answer = await ctx.client.refresh(native);
      expect(answer.status).toBe(200);
      expect(answer.headers.getSetCookie()).toEqual([]);
      expect(((await answer.json()) as { refresh_token?: string }).refresh_token).toMatch(/^tsr_/);
    });

    it('refuses a session presented on the other transport, and a token sent both ways', async () => {
      const browser = await ctx.client.signup({ transport: 'cookie' });
      await expectProblem(
        await ctx.client.call('/auth/refresh', { json: { refresh_token: browser.refreshToken } }),
        400,
        'TRANSPORT_MISMATCH',
      );
      const native = await ctx.client.signup({ transport: 'body' });
      await expectProblem(
        await ctx.client.call('/auth/refresh', {
          method: 'POST',
          cookie: native.refreshToken,
          origin: APP_ORIGIN,
        }),
        400,
        'TRANSPORT_MISMATCH',
      );
      await expectProblem(
        await ctx.client.call('/auth/refresh', {
          json: { refresh_token: native.refreshToken },
          cookie: browser.refreshToken,
          origin: APP_ORIGIN,
        }),
        400,
        'REQUEST_INVALID',
      );
      // Neither refusal rotated anything: both tokens still work.
      expect((await ctx.client.refresh(browser)).status).toBe(200);
      expect((await ctx.client.refresh(native)).status).toBe(200);
    });

    it('answers the previous token inside the grace window with the same successor, and revokes on older reuse', async () => {
      const user = await ctx.client.signup();
      const first = (await (await ctx.client.refresh(user)).json()) as { refresh_token: string };
      const again = await ctx.client.refresh(user);
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ grace: true, refresh_token: first.refresh_token });
      const second = (await (
        await ctx.client.refresh({ ...user, refreshToken: first.refresh_token })
      ).json()) as { refresh_token: string };
      await expectProblem(await ctx.client.refresh(user), 401, 'REFRESH_TOKEN_REUSED');
      await expectProblem(
        await ctx.client.refresh({ ...user, refreshToken: second.refresh_token }),
        401,
        'REFRESH_TOKEN_REVOKED',
      );
    });

    it('says REFRESH_TOKEN_MISSING when nothing is sent and REFRESH_TOKEN_MALFORMED for a stranger', async () => {
      await expectProblem(
        await ctx.client.call('/auth/refresh', { method: 'POST' }),
        401,
        'REFRESH_TOKEN_MISSING',
      );
      await expectProblem(
        await ctx.client.call('/auth/refresh', { json: { refresh_token: 'eyJhbGciOi.not.ours' } }),
        401,
        'REFRESH_TOKEN_MALFORMED',
      );
    });
  });

  describe('access tokens', () => {
    it('answers a missing token with a bare Bearer challenge and a bad one with invalid_token and fixed ASCII', async () => {
      const missing = await ctx.client.call('/auth/me');
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="tessera"');
      await expectProblem(missing, 401, 'TOKEN_MISSING');
      const user = await ctx.client.signup();
      const bad = await ctx.client.call('/auth/me', { bearer: tamper(user.accessToken) });
      expect(bad.headers.get('www-authenticate')).toBe(
        'Bearer realm="tessera", error="invalid_token", error_description="The token signature does not verify"',
      );
      await expectProblem(bad, 401, 'SIGNATURE_INVALID');
      const good = await ctx.client.call('/auth/me', { bearer: user.accessToken });
      expect(await good.json()).toMatchObject({
        user: { email: user.email },
        session: { id: user.sessionId },
      });
    });

    it('never copies a non-ASCII, quoted or CRLF kid into a header', async () => {
      const user = await ctx.client.signup();
      const payload = user.accessToken.split('.')[1] as string;
      for (const kid of ['ключ', 'a"b', 'x\r\nSet-Cookie: y=1', '\u0000']) {
        const forged = `${b64u({ alg: 'EdDSA', typ: 'at+jwt', kid })}.${payload}.${b64u('s'.repeat(64))}`;
        const response = await ctx.client.call('/auth/me', { bearer: forged });
        expect(response.headers.get('www-authenticate')).toBe(
          'Bearer realm="tessera", error="invalid_token", error_description="The token was signed with an unknown key"',
        );
        expect(response.headers.getSetCookie()).toEqual([]);
        await expectProblem(response, 401, 'KEY_UNKNOWN');
      }
    });

    it('refuses an access token in the URL query with TOKEN_IN_URL, even a valid one', async () => {
      const user = await ctx.client.signup();
      await expectProblem(
        await ctx.client.call(`/auth/me?access_token=${user.accessToken}`),
        400,
        'TOKEN_IN_URL',
      );
      await expectProblem(
        await ctx.client.call(`/auth/sessions?token=${user.accessToken}`, {
          bearer: user.accessToken,
        }),
        400,
        'TOKEN_IN_URL',
      );
    });
  });

  if (ctx.protectedPath === undefined) return; // the bare node listener has no app routes
  const path = ctx.protectedPath;
  describe("the app's requireAuth() route", () => {
    it('lets a valid token through and answers failures exactly as the auth server does', async () => {
      const user = await ctx.client.signup();
      const ok = await ctx.client.call(path, { bearer: user.accessToken });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ sub: expect.any(String), sid: user.sessionId });
      const missing = await ctx.client.call(path);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="tessera"');
      await expectProblem(missing, 401, 'TOKEN_MISSING');
      await expectProblem(
        await ctx.client.call(path, { bearer: tamper(user.accessToken) }),
        401,
        'SIGNATURE_INVALID',
      );
      await expectProblem(
        await ctx.client.call(`${path}?access_token=${user.accessToken}`, {
          bearer: user.accessToken,
        }),
        400,
        'TOKEN_IN_URL',
      );
      await ctx.client.call('/auth/logout', { json: { refresh_token: user.refreshToken } });
      await expectProblem(
        await ctx.client.call(path, { bearer: user.accessToken }),
        401,
        'TOKEN_REVOKED',
      );
    });
  });
}
