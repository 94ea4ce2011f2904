import type { SessionManager, TokenSet } from '../sessions/session-manager.js';
import { REFRESH_COOKIE, REFRESH_COOKIE_PATH, type Transport } from '../wire/names.js';
import { serializeRefreshCookie } from './cookies.js';

/**
 * Sign-in for apps that keep their own users: after the app's own password check, one call starts a
 * Tessera session and gives back exactly what `POST /auth/login` would answer (the token body, the
 * refresh cookie or the body refresh token, no-store), so Tessera's `/auth/refresh` and
 * `/auth/logout` and the client take over from there.
 */

/** Where the new session's refresh token travels, and what the session records about the request. */
export interface IssueSessionContext {
  /** `cookie` (browsers, the default) or `body` (native and server clients). */
  readonly transport?: Transport;
  readonly ip?: string | null;
  readonly userAgent?: string | null;
  /** The client the session belongs to. Default `tessera`. */
  readonly clientId?: string;
}

/** A started session, answered the way Tessera's own login answers. */
export interface IssuedSession {
  readonly tokens: TokenSet;
  readonly status: 200;
  /** `cache-control`, `pragma` and, for the cookie transport, `set-cookie`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body: `access_token`, `token_type`, `expires_in`, … (`refresh_token` for `body` only). */
  readonly body: Readonly<Record<string, unknown>>;
  /** The same answer as a Fetch `Response`, for Hono, Next.js route handlers, Bun, Deno. */
  toResponse(): Response;
}

/** Options of {@link createSessionIssuer}: the session core and the cookie's SameSite, as the server has them. */
export interface SessionIssuerOptions {
  readonly sessions: Pick<SessionManager, 'issueSession'>;
  readonly cookieSameSite?: 'Lax' | 'Strict' | 'None';
}

/**
 * The body and headers of every token answer (login, signup, refresh, an app's own login): the access
 * token, and the refresh token in the cookie or, for the body transport, in the body; never cached.
 *
 * @example
 * ```ts
 * const { body, headers } = tokenAnswer(tokens, 'Lax');
 * return Response.json(body, { headers });
 * ```
 */
export function tokenAnswer(
  tokens: TokenSet,
  sameSite: 'Lax' | 'Strict' | 'None',
): { body: Record<string, unknown>; headers: Record<string, string> } {
  const body: Record<string, unknown> = {
    access_token: tokens.accessToken,
    token_type: 'Bearer',
    expires_in: tokens.expiresIn,
    refresh_grace_s: tokens.refreshGraceSeconds,
    session_id: tokens.sessionId,
    grace: tokens.grace,
  };
  const headers: Record<string, string> = { 'cache-control': 'no-store', pragma: 'no-cache' };
  if (tokens.transport === 'body') body.refresh_token = tokens.refreshToken;
  else
    headers['set-cookie'] = serializeRefreshCookie(tokens.refreshToken, tokens.refreshExpiresIn, {
      name: REFRESH_COOKIE,
      path: REFRESH_COOKIE_PATH,
      sameSite,
    });
  return { body, headers };
}

/**
 * Creates `issueSession(userId, context)` for an app's own login route. The app checks the password
 * (and the request's origin: its login route is its own); Tessera mints the session.
 *
 * @example
 * ```ts
 * import bcrypt from 'bcryptjs';
 * import express from 'express';
 * import { createTesseraServer, resolveConfig } from 'tessera-auth';
 * import { tesseraRoutes } from 'tessera-auth/express';
 *
 * const users = new Map([['ada@example.com', { id: 7, hash: bcrypt.hashSync('analytical', 10) }]]);
 * const config = await resolveConfig({ flags: { signup: 'false' }, env: process.env, cwd: '.' });
 * const tessera = await createTesseraServer({ config });
 * const app = express();
 * app.use(tesseraRoutes(tessera.handler)); // /auth/refresh, /auth/logout, the JWKS, …
 * app.post('/login', express.json(), async (req, res) => {
 *   const user = users.get(req.body.email);
 *   if (!user || !(await bcrypt.compare(req.body.password, user.hash))) return res.sendStatus(401);
 *   const session = await tessera.issueSession(String(user.id), { ip: req.ip ?? null });
 *   res.status(session.status).set(session.headers).json(session.body);
 * });
 * app.listen(3000);
 * ```
 */
export function createSessionIssuer(
  options: SessionIssuerOptions,
): (userId: string, context?: IssueSessionContext) => Promise<IssuedSession> {
  const sameSite = options.cookieSameSite ?? 'Lax';
  return async (userId, context = {}) => {
    const tokens = await options.sessions.issueSession(userId, {
      transport: context.transport ?? 'cookie',
      ip: context.ip ?? null,
      userAgent: context.userAgent?.slice(0, 256) ?? null,
      ...(context.clientId === undefined ? {} : { clientId: context.clientId }),
    });
    const { body, headers } = tokenAnswer(tokens, sameSite);
    return {
      tokens,
      status: 200,
      headers,
      body,
      toResponse: () => Response.json(body, { status: 200, headers }),
    };
  };
}
