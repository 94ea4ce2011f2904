// The Fastify preHandler is a callback hook: a guard that answers synchronously (local keys) and one
// that answers later (a remote JWKS learning a kid, a feed follower catching up) must both end the
// same way: claims on the request, or the guard's problem with its status and headers.
import fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { requireAuth } from '../../src/adapters/fastify.js';
import type { GuardResult, ResourceGuard } from '../../src/http/require-auth.js';
import type { AccessTokenClaims } from '../../src/jwt/claims.js';
import { TesseraError } from '../../src/errors/tessera-error.js';
import { problemParts } from '../../src/errors/problem-parts.js';

const claims = { sub: 'user-1', sid: 'session-1' } as unknown as AccessTokenClaims;
const refusal = (): GuardResult => {
  const error = new TesseraError('TOKEN_EXPIRED', 'The access token expired.');
  return { ok: false, error, problem: problemParts(error) };
};

function guardAnswering(answer: () => GuardResult | Promise<GuardResult>): ResourceGuard {
  return {
    followsRevocations: false,
    check: () => answer(),
    authenticate: async () => answer(),
    verify: () => claims,
  };
}

const apps: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function call(
  guard: ResourceGuard,
): Promise<{ status: number; body: unknown; headers: Record<string, unknown> }> {
  const app = fastify();
  apps.push(app);
  app.get('/api', { preHandler: requireAuth(guard) }, async (request) => ({
    sub: request.auth?.sub,
  }));
  const reply = await app.inject({
    method: 'GET',
    url: '/api',
    headers: { authorization: 'Bearer x' },
  });
  return { status: reply.statusCode, body: reply.json(), headers: reply.headers };
}

describe('fastify requireAuth', () => {
  for (const [name, later] of [
    ['at once', false],
    ['later', true],
  ] as const) {
    const wrap = <T>(value: T): T | Promise<T> => (later ? Promise.resolve(value) : value);

    it(`passes the claims of a guard answering ${name}`, async () => {
      const result = await call(guardAnswering(() => wrap<GuardResult>({ ok: true, claims })));
      expect(result).toMatchObject({ status: 200, body: { sub: 'user-1' } });
    });

    it(`answers the problem of a guard refusing ${name}`, async () => {
      const result = await call(guardAnswering(() => wrap(refusal())));
      expect(result.status).toBe(401);
      expect(result.body).toMatchObject({ code: 'TOKEN_EXPIRED' });
      expect(String(result.headers['www-authenticate'])).toContain('invalid_token');
    });
  }
});
