// The OAuth token endpoint, discovery documents, CORS, body limits and rate limits.
import { describe, expect, it } from 'vitest';
import { expectProblem, postWithoutFinishing } from './client.js';
import type { SuiteContext } from './http-suite.js';
import { APP_ORIGIN, AUDIENCE, EVIL_ORIGIN, ISSUER, freshEmail, freshIp } from './server-kit.js';

const form = (fields: Record<string, string>): { body: string; contentType: string } => ({
  body: new URLSearchParams(fields).toString(),
  contentType: 'application/x-www-form-urlencoded',
});

export function describeProtocol(ctx: SuiteContext): void {
  describe('/oauth/token', () => {
    it('rotates a body session, form-encoded, ignoring unknown parameters, with no-store', async () => {
      const user = await ctx.client.signup();
      const response = await ctx.client.call(
        '/oauth/token',
        form({
          grant_type: 'refresh_token',
          refresh_token: user.refreshToken,
          client_id: 'tessera',
          scope: 'ignored',
          foo: 'bar',
        }),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toMatchObject({
        token_type: 'Bearer',
        expires_in: 120,
        refresh_grace_s: 5,
        refresh_token: expect.stringMatching(/^tsr_/),
        access_token: expect.any(String),
      });
    });

    it('answers errors in the RFC 6749 section 5.2 shape', async () => {
      const user = await ctx.client.signup();
      const expectOAuth = async (
        response: Response,
        status: number,
        error: string,
      ): Promise<void> => {
        expect(response.status).toBe(status);
        expect(response.headers.get('content-type')).toBe('application/json');
        expect(await response.json()).toMatchObject({
          error,
          error_description: expect.stringMatching(/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/),
        });
      };
      await expectOAuth(
        await ctx.client.call(
          '/oauth/token',
          form({
            grant_type: 'refresh_token',
            refresh_token: 'tsr_AAAAAAAAAAAAAAAAAAAAAA.0.BBBB',
            client_id: 'tessera',
          }),
        ),
        400,
        'invalid_grant',
      );
      await expectOAuth(
        await ctx.client.call(
          '/oauth/token',
          form({ grant_type: 'password', client_id: 'tessera' }),
        ),
        400,
        'unsupported_grant_type',
      );
      await expectOAuth(
        await ctx.client.call(
          '/oauth/token',
          form({ grant_type: 'refresh_token', refresh_token: user.refreshToken }),
        ),
        401,
        'invalid_client',
      );
      await expectOAuth(
        await ctx.client.call(
          '/oauth/token',
          form({
            grant_type: 'refresh_token',
            refresh_token: user.refreshToken,
            client_id: 'someone-else',
          }),
        ),
        401,
        'invalid_client',
      );
      await expectOAuth(
        await ctx.client.call('/oauth/token', {
          json: {
            grant_type: 'refresh_token',
            refresh_token: user.refreshToken,
            client_id: 'tessera',
          },
        }),
        400,
        'invalid_request',
      );
      const rotated = await ctx.client.call(
        '/oauth/token',
        form({
          grant_type: 'refresh_token',
          refresh_token: user.refreshToken,
          client_id: 'tessera',
        }),
      );
      const { refresh_token: next } = (await rotated.json()) as { refresh_token: string };
      await ctx.client.call(
        '/oauth/token',
        form({ grant_type: 'refresh_token', refresh_token: next, client_id: 'tessera' }),
      );
      await expectOAuth(
        await ctx.client.call(
          '/oauth/token',
          form({
            grant_type: 'refresh_token',
            refresh_token: user.refreshToken,
            client_id: 'tessera',
          }),
        ),
        400,
        'invalid_grant',
      );
    });

    it('never reads cookies: a cookie alone refreshes nothing', async () => {
      const browser = await ctx.client.signup({ transport: 'cookie' });
      const response = await ctx.client.call('/oauth/token', {
        ...form({ grant_type: 'refresh_token', client_id: 'tessera' }),
        cookie: browser.refreshToken,
        origin: APP_ORIGIN,
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: 'invalid_grant',
        tessera_code: 'REFRESH_TOKEN_MISSING',
      });
      const [session] = await ctx.test.server.store.listSessions(
        (await ctx.test.server.store.findSession(browser.sessionId))?.userId ?? '',
      );
      expect(session?.generation).toBe(0);
    });
  });

  describe('discovery', () => {
    it('publishes a JWKS with public members only', async () => {
      const response = await ctx.client.call('/.well-known/jwks.json');
      expect(response.headers.get('content-type')).toBe('application/jwk-set+json');
      const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        expect(key).toMatchObject({ kid: expect.any(String), kty: expect.any(String) });
        for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'])
          expect(key).not.toHaveProperty(secret);
      }
    });

    it('publishes RFC 8414 metadata for its issuer', async () => {
      const response = await ctx.client.call('/.well-known/oauth-authorization-server');
      expect(await response.json()).toMatchObject({
        issuer: ISSUER,
        jwks_uri: `${ISSUER}/.well-known/jwks.json`,
        token_endpoint: `${ISSUER}/oauth/token`,
        grant_types_supported: ['refresh_token'],
        response_types_supported: expect.any(Array),
        token_endpoint_auth_methods_supported: ['none'],
        tessera_audience: AUDIENCE,
        tessera_refresh_grace_s: 5,
      });
    });

    it("tells the time by the server's clock, in the body and in Date", async () => {
      const response = await ctx.client.call('/auth/time');
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as { now: string; epoch_ms: number };
      expect(Math.abs(body.epoch_ms - ctx.test.now())).toBeLessThan(5_000);
      expect(Date.parse(body.now)).toBe(body.epoch_ms);
    });

    it('puts a Date header on answers of the bare Fetch handler too (no Node server to add one)', async () => {
      const response = await ctx.test.server.handler.fetch(new Request('http://x/no-such-path'));
      expect(response.status).toBe(404);
      expect(
        Math.abs(Date.parse(response.headers.get('date') ?? '') - ctx.test.now()),
      ).toBeLessThan(5_000);
    });
  });

  describe('CORS', () => {
    it('answers an allowed origin with credentials and exposed headers, and nothing for another', async () => {
      const allowed = await ctx.client.call('/auth/me', { headers: { origin: APP_ORIGIN } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
      const exposed = (allowed.headers.get('access-control-expose-headers') ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase());
      expect(exposed).toEqual(expect.arrayContaining(['www-authenticate', 'date']));
      const other = await ctx.client.call('/auth/me', { headers: { origin: EVIL_ORIGIN } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      expect(other.headers.get('access-control-allow-credentials')).toBeNull();
    });

    it('answers a preflight from an allowed origin with the CSRF and transport headers allowed', async () => {
      const response = await ctx.client.call('/auth/refresh', {
        method: 'OPTIONS',
        headers: {
          origin: APP_ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'tessera-csrf,content-type',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect((response.headers.get('access-control-allow-headers') ?? '').toLowerCase()).toContain(
        'tessera-csrf',
      );
      const refused = await ctx.client.call('/auth/refresh', {
        method: 'OPTIONS',
        headers: { origin: EVIL_ORIGIN, 'access-control-request-method': 'POST' },
      });
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(refused.headers.get('access-control-allow-methods')).toBeNull();
    });
  });

  describe('limits', () => {
    it('answers a 1 MB body with 413 before the upload ends, declared or chunked', async () => {
      for (const totalBytes of [1024 * 1024, undefined]) {
        const answer = await postWithoutFinishing(`${ctx.client.baseUrl}/auth/login`, {
          totalBytes,
          sendBytes: 64 * 1024,
          headers: { 'x-forwarded-for': freshIp() },
        });
        expect(answer.status).toBe(413);
        expect(JSON.parse(answer.body)).toMatchObject({ code: 'REQUEST_TOO_LARGE' });
      }
    });

    it('delays login per account across addresses, and the browser that signed in before still gets in', async () => {
      const email = freshEmail();
      const signup = await ctx.client.call('/auth/signup', {
        json: { email, password: 'correct horse battery' },
        ip: freshIp(),
      });
      expect(signup.status).toBe(201);
      const device = signup.headers
        .getSetCookie()
        .map((line) => /^__Host-tessera_device=([^;]*)/.exec(line)?.[1])
        .find((value) => value !== undefined);
      expect(device).toBeDefined();
      for (let i = 0; i < 5; i++)
        await expectProblem(
          await ctx.client.call('/auth/login', {
            json: { email, password: `guess number ${i}` },
            ip: freshIp(),
          }),
          401,
          'CREDENTIALS_INVALID',
        );
      const limited = await ctx.client.call('/auth/login', {
        json: { email, password: 'correct horse battery' },
        ip: freshIp(),
      });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await expectProblem(limited, 429, 'RATE_LIMITED');
      const proven = await ctx.client.call('/auth/login', {
        json: { email, password: 'correct horse battery' },
        headers: { 'token-transport': 'body', cookie: `__Host-tessera_device=${device}` },
        ip: freshIp(),
      });
      expect(proven.status).toBe(200);
    });

    it('limits login attempts per IP across accounts', async () => {
      const ip = freshIp();
      for (let i = 0; i < 60; i++)
        expect(
          (
            await ctx.client.call('/auth/login', {
              json: { email: freshEmail('spray'), password: 'password123' },
              ip,
            })
          ).status,
        ).toBe(401);
      const limited = await ctx.client.call('/auth/login', {
        json: { email: freshEmail('spray'), password: 'password123' },
        ip,
      });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await expectProblem(limited, 429, 'RATE_LIMITED');
      expect(
        (
          await ctx.client.call('/auth/login', {
            json: { email: freshEmail('spray'), password: 'password123' },
            ip: freshIp(),
          })
        ).status,
      ).toBe(401);
    });

    it('limits refresh per session, and grace answers do not count', async () => {
      let user = await ctx.client.signup();
      for (let i = 0; i < 29; i++) {
        const body = (await (await ctx.client.refresh(user)).json()) as { refresh_token: string };
        user = { ...user, refreshToken: body.refresh_token };
      }
      const last = (await (await ctx.client.refresh(user)).json()) as { refresh_token: string };
      for (let i = 0; i < 5; i++)
        expect(await (await ctx.client.refresh(user)).json()).toMatchObject({
          grace: true,
          refresh_token: last.refresh_token,
        });
      const limited = await ctx.client.refresh({ ...user, refreshToken: last.refresh_token });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await expectProblem(limited, 429, 'RATE_LIMITED');
      // The refused rotation changed nothing: the previous token still gets its grace answer.
      expect(await (await ctx.client.refresh(user)).json()).toMatchObject({
        grace: true,
        refresh_token: last.refresh_token,
      });
    });

    it('answers unknown methods with 405', async () => {
      await expectProblem(
        await ctx.client.call('/auth/time', { method: 'DELETE' }),
        405,
        'METHOD_NOT_ALLOWED',
      );
    });
  });
}
