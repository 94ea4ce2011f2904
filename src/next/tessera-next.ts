import { cookies, headers } from 'next/headers.js';
import { redirect } from 'next/navigation.js';
import type { AuthHandler } from '../http/auth-handler.js';
import { readBearerTokenFrom } from '../wire/bearer.js';
import { ACCESS_COOKIE } from './access-cookie.js';
import { createTesseraRoutes, type TesseraRouteHandlers } from './auth-routes.js';
import { createProxyGuard, type ProxyGuardOptions } from './proxy-guard.js';
import {
  createRequestAuthenticator,
  sessionOf,
  type SessionResult,
  type TesseraSession,
  type VerifyAccessToken,
} from './request-session.js';

/** The Tessera a Next.js app talks to: its `/auth` handler and the verifier, resolved once. */
export interface TesseraBackend {
  /** Mounted by the route handlers; absent where only sessions are read (an edge route, say). */
  readonly handler?: Pick<AuthHandler, 'fetch'>;
  /** The one place the verifier is chosen (see {@link VerifyAccessToken}). */
  readonly verify: VerifyAccessToken;
}

/** Options of {@link createTesseraNext}. */
export interface TesseraNextOptions {
  /** Starts (once) and returns the backend; called on first use, never at import, so `next build` starts nothing. */
  readonly backend: () => Promise<TesseraBackend>;
  /** Where a navigation without a session ends up. Default `/signin`. */
  readonly signInPath?: string;
  /** Browser origins allowed to make cookie-authenticated state changes. Default: the request's own origin. */
  readonly allowedOrigins?: readonly string[];
}

/** Everything the App Router needs, bound to one backend. */
export interface TesseraNext {
  /** `export const { GET, HEAD, POST, DELETE, OPTIONS } = tessera.routes` in `app/auth/[...tessera]/route.ts`. */
  readonly routes: TesseraRouteHandlers;
  /** The guard for `proxy.ts`: undefined lets the request through. */
  proxy(options?: ProxyGuardOptions): (request: Request) => Promise<Response | undefined>;
  /** The verified session of this request (server components, server actions, route handlers), or null. */
  getSession(): Promise<TesseraSession | null>;
  /** {@link TesseraNext.getSession}, or a redirect to the sign-in page. */
  requireSession(): Promise<TesseraSession>;
  /**
   * A route handler's request judged with the CSRF rules a cookie needs on state changes (use this,
   * not getSession, in a POST/PUT/DELETE route handler: getSession cannot see the method).
   */
  authenticate(request: Request): Promise<SessionResult>;
}

/**
 * Binds the Next.js integration to one Tessera: route handlers for `/auth`, the proxy guard,
 * `getSession()` and `authenticate()`. Create it once in a module of your app (`lib/tessera.ts`).
 *
 * @example
 * ```ts
 * // lib/tessera.ts
 * import { createResourceGuard, createTesseraServer, resolveConfig } from 'tessera-auth';
 * import { createTesseraNext } from 'tessera-auth/next';
 *
 * export const tessera = createTesseraNext({
 *   backend: async () => {
 *     const config = await resolveConfig({ flags: {}, env: process.env, cwd: process.cwd() });
 *     const server = await createTesseraServer({ config });
 *     const guard = createResourceGuard({
 *       issuer: config.issuer, audience: config.audience, leewaySeconds: config.leeway,
 *       keys: server.keyring, revocations: server.revocations,
 *     });
 *     return { handler: server.handler, verify: (token) => guard.verify(token) };
 *   },
 * });
 * ```
 */
export function createTesseraNext(options: TesseraNextOptions): TesseraNext {
  const signInPath = options.signInPath ?? '/signin';
  let started: Promise<TesseraBackend> | undefined;
  const backend = (): Promise<TesseraBackend> => {
    started ??= options.backend().catch((error: unknown) => {
      // A failed start is retried by the next request rather than remembered for good.
      started = undefined;
      throw error;
    });
    return started;
  };
  const verify: VerifyAccessToken = async (token) => (await backend()).verify(token);
  const authenticate = createRequestAuthenticator({
    verify,
    ...(options.allowedOrigins === undefined ? {} : { allowedOrigins: options.allowedOrigins }),
  });
  const getSession = async (): Promise<TesseraSession | null> => {
    const [cookieStore, headerList] = await Promise.all([cookies(), headers()]);
    const authorization = headerList.get('authorization');
    let token: string;
    let via: TesseraSession['via'];
    try {
      if (authorization !== null) {
        token = readBearerTokenFrom({ url: '/', authorization });
        via = 'bearer';
      } else {
        const values = cookieStore.getAll(ACCESS_COOKIE);
        // Two cookies under a `__Host-` name should not exist; refuse rather than guess.
        if (values.length !== 1 || values[0]?.value === undefined || values[0].value === '')
          return null;
        token = values[0].value;
        via = 'cookie';
      }
      return sessionOf(await verify(token), via);
    } catch {
      return null;
    }
  };
  return {
    routes: createTesseraRoutes({
      signInPath,
      handler: async () => {
        const { handler } = await backend();
        if (handler === undefined)
          throw new Error(
            'tessera-auth/next: this backend has no handler, so it cannot serve /auth.',
          );
        return handler;
      },
    }),
    proxy: (guardOptions = {}) => createProxyGuard(guardOptions, authenticate),
    getSession,
    async requireSession() {
      const session = await getSession();
      if (session === null) redirect(signInPath);
      return session;
    },
    authenticate,
  };
}
