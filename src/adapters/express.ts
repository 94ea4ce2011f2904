import type {
  NextFunction,
  Request as ExpressRequest,
  RequestHandler,
  Response as ExpressResponse,
} from 'express';
import type { AuthHandler } from '../http/auth-handler.js';
import {
  createResourceGuard,
  type GuardResult,
  type ResourceGuard,
  type ResourceGuardOptions,
} from '../http/require-auth.js';
import type { AccessTokenClaims } from '../jwt/claims.js';
import { toNodeListener } from './node.js';
import { withFeedEnvironment } from './feed-environment.js';

/**
 * Mounts Tessera's endpoints in an Express 5 app. Mount it before body parsers: the handler reads the
 * raw body itself (with its own size limit).
 *
 * @example
 * ```ts
 * app.use(tesseraRoutes(server.handler));
 * ```
 */
export function tesseraRoutes(handler: AuthHandler): RequestHandler {
  const listener = toNodeListener(handler);
  return (req, res, next) => {
    if (!handler.handles(req.path)) {
      next();
      return;
    }
    listener(req, res);
  };
}

/**
 * Express middleware that verifies the Bearer access token and puts its claims on `res.locals.auth`,
 * answering failures exactly as the auth server does.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { requireAuth } from 'tessera-auth/express';
 *
 * const issuer = 'https://auth.example.com';
 * const app = express();
 * app.get(
 *   '/api/profile',
 *   requireAuth({ issuer, audience: 'api', jwksUrl: `${issuer}/.well-known/jwks.json` }),
 *   (_req, res) => {
 *     res.json({ user: res.locals.auth.sub }); // the verified access token's claims
 *   },
 * );
 * app.listen(3000);
 * ```
 */
export function requireAuth(options: ResourceGuardOptions | ResourceGuard): RequestHandler {
  const guard = 'check' in options ? options : createResourceGuard(withFeedEnvironment(options));
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    const result = guard.check({ url: req.originalUrl, authorization: req.headers.authorization });
    if (result instanceof Promise) result.then((settled) => finish(settled, res, next), next);
    else finish(result, res, next);
  };
}

function finish(result: GuardResult, res: ExpressResponse, next: NextFunction): void {
  if (result.ok) {
    (res.locals as { auth?: AccessTokenClaims }).auth = result.claims;
    next();
    return;
  }
  res.status(result.problem.status).set(result.problem.headers).send(result.problem.body);
}
