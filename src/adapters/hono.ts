import type { MiddlewareHandler } from 'hono';
import type { AuthHandler } from '../http/auth-handler.js';
import type { AccessTokenClaims } from '../jwt/claims.js';
import {
  createResourceGuard,
  type ResourceGuard,
  type ResourceGuardOptions,
} from '../http/require-auth.js';

/**
 * Hono middleware that serves Tessera's endpoints and passes every other path on. The handler is
 * Fetch-standard, so this is a direct hand-off of `c.req.raw`.
 *
 * @example
 * ```ts
 * app.use(tesseraRoutes(server.handler));
 * ```
 */
export function tesseraRoutes(handler: AuthHandler): MiddlewareHandler {
  return async (c, next) => {
    if (!handler.handles(c.req.path)) {
      await next();
      return;
    }
    const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)
      ?.incoming;
    return handler.fetch(c.req.raw, { remoteAddress: incoming?.socket?.remoteAddress });
  };
}

/** The context variables `requireAuth` sets: `c.get('auth')` is the verified access token's claims. */
export type TesseraVariables = { auth: AccessTokenClaims };

/**
 * Hono middleware that verifies the Bearer access token and sets `c.get('auth')`.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { requireAuth } from 'tessera-auth/hono';
 *
 * const issuer = 'https://auth.example.com';
 * const app = new Hono();
 * app.get(
 *   '/api/profile',
 *   requireAuth({ issuer, audience: 'api', jwksUrl: `${issuer}/.well-known/jwks.json` }),
 *   (c) => c.json({ user: c.get('auth').sub }),
 * );
 * export default app;
 * ```
 */
export function requireAuth(
  options: ResourceGuardOptions | ResourceGuard,
): MiddlewareHandler<{ Variables: TesseraVariables }> {
  const guard = 'check' in options ? options : createResourceGuard(options);
  return async (c, next) => {
    const result = await guard.check({
      url: c.req.url,
      authorization: c.req.header('authorization'),
    });
    if (!result.ok)
      return new Response(result.problem.body, {
        status: result.problem.status,
        headers: result.problem.headers,
      });
    c.set('auth', result.claims);
    await next();
    return undefined;
  };
}
