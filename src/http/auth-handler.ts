import type { TokenSet } from '../sessions/session-manager.js';
import { TesseraError } from '../errors/tessera-error.js';
import { AUTH_ROUTE_KEYS, type AuthRouteKey } from './auth-route-keys.js';
import { DISCOVERY_ROUTES } from './discovery-routes.js';
import type { AuthHandlerOptions, Route, RouteDeps } from './handler-options.js';
import { WARNING_HEADER, type ServerWarning } from '../wire/names.js';
import { oauthTokenRoute } from './oauth-token-route.js';
import { createOriginPolicy } from './origin-policy.js';
import { oauthErrorResponse, toTesseraError } from './problem.js';
import { createMemoryRateLimiter } from './rate-limit.js';
import { redactUrl } from './redact-url.js';
import { tokenAnswer } from './session-issuer.js';
import { REVOCATION_FEED_ROUTES } from './revocation-feed.js';
import { clientAddress } from './request-context.js';
import type { RequestFacts } from './request-facts.js';
import { jsonResponse, responseText, textResponse } from './response-text.js';
import { problemParts } from '../errors/problem-parts.js';

/** Per-request facts only the host runtime knows. */
export interface ConnectionInfo {
  readonly remoteAddress?: string | undefined;
}

/**
 * A Fetch-standard auth server: Request in, Response out. Runs on Node (through the adapters or the
 * standalone server), Bun, Deno, Hono and Next.js route handlers alike.
 *
 * @example
 * ```ts
 * const auth = createAuthHandler({ sessions, accounts, verifyAccessToken: verifier.verify, jwks: () => keyring.jwks(), ... });
 * const response = await auth.fetch(new Request('http://localhost/auth/time'));
 * ```
 */
export interface AuthHandler {
  /**
   * Answers one request. Any {@link RequestFacts} will do: a Fetch `Request`, or the `node:http`
   * adapter's lighter view of an IncomingMessage; the answer is the same for both.
   */
  fetch(request: RequestFacts, info?: ConnectionInfo): Promise<Response>;
  /** Whether this handler owns a path (for adapters that fall through to the app). */
  handles(pathname: string): boolean;
}

type AuthRoutes = Readonly<Record<AuthRouteKey, Route>>;
let authRoutes: Promise<AuthRoutes> | undefined;

// The /auth implementations load on the first request that needs one, so that importing the package
// (or running only discovery and requireAuth) never loads zod.
const lazyAuthRoute =
  (key: AuthRouteKey): Route =>
  async (input, deps) => {
    authRoutes ??= import('./auth-routes.js').then((module) => module.AUTH_ROUTES);
    return (await authRoutes)[key](input, deps);
  };

const ROUTES: Readonly<Record<string, Route>> = {
  ...Object.fromEntries(AUTH_ROUTE_KEYS.map((key) => [key, lazyAuthRoute(key)])),
  ...DISCOVERY_ROUTES,
  ...REVOCATION_FEED_ROUTES,
  'POST /oauth/token': oauthTokenRoute,
  // The document (the largest module on the start path) loads when it is first asked for.
  'GET /openapi.json': async (_input, deps) => {
    const { buildOpenApiDocument } = await import('./openapi.js');
    return Response.json(buildOpenApiDocument({ issuer: deps.options.issuer }));
  },
};

interface CompiledRoute {
  readonly method: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly route: Route;
}

const COMPILED: readonly CompiledRoute[] = Object.entries(ROUTES).map(([key, route]) => {
  const [method, path] = key.split(' ') as [string, string];
  const names: string[] = [];
  const source = path.replace(/[.]/g, '\\.').replace(/:(\w+)/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { method, pattern: new RegExp(`^${source}$`), names, route };
});

/**
 * Creates the auth handler.
 *
 * @example
 * ```ts
 * const auth = createAuthHandler(options);
 * serve({ fetch: (request, env) => auth.fetch(request) });
 * ```
 */
export function createAuthHandler(options: AuthHandlerOptions): AuthHandler {
  const now = options.now ?? Date.now;
  const sameSite = options.cookieSameSite ?? 'Lax';
  const origins = createOriginPolicy({
    allowedOrigins: options.allowedOrigins,
    cookieSameSite: sameSite,
    trustProxy: options.trustProxy === true,
    now,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  // One answer shape for /auth and for apps' own logins (session-issuer.ts), so they cannot drift.
  const tokenBody = (tokens: TokenSet): Response => {
    const { body, headers } = tokenAnswer(tokens, sameSite);
    return jsonResponse(body, { headers });
  };
  const deps: RouteDeps = {
    options,
    origins,
    limiter: options.rateLimiter ?? createMemoryRateLimiter({ now }),
    now,
    tokenBody,
  };

  const dispatch = async (
    request: RequestFacts,
    info: ConnectionInfo,
    pathname: string,
    warn: (warning: ServerWarning) => void,
  ): Promise<Response> => {
    if (request.method === 'OPTIONS') return origins.preflight(request);
    // HEAD is GET without the body (RFC 9110 section 9.3.2): the GET route answers, fetch() drops the body.
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    if (pathname === '/' && method === 'GET' && options.homePage !== undefined)
      return options.homePage();
    let pathMatched = false;
    for (const compiled of COMPILED) {
      const match = compiled.pattern.exec(pathname);
      if (match === null) continue;
      pathMatched = true;
      if (compiled.method !== method) continue;
      const params = Object.fromEntries(
        compiled.names.map((name, i) => [name, decodeURIComponent(match[i + 1] as string)]),
      );
      const ip = clientAddress(request, {
        remoteAddress: info.remoteAddress,
        trustProxy: options.trustProxy === true,
      });
      return compiled.route({ request, ip, params, warn }, deps);
    }
    throw pathMatched
      ? new TesseraError(
          'METHOD_NOT_ALLOWED',
          `${request.method} is not allowed on ${redactUrl(pathname)}.`,
        )
      : new TesseraError('NOT_FOUND', 'No such endpoint.');
  };

  return {
    // `/` is Tessera's only when it serves the demo page there; otherwise an app mounting tesseraRoutes
    // keeps its own home page.
    handles: (pathname) =>
      (pathname === '/' && options.homePage !== undefined) ||
      COMPILED.some((compiled) => compiled.pattern.test(pathname)),
    async fetch(request, info = {}) {
      const started = now();
      let pathname = '/';
      let search = '';
      let response: Response;
      let code: string | undefined;
      const warnings = new Set<ServerWarning>();
      const warn = (warning: ServerWarning): void => void warnings.add(warning);
      try {
        const url = new URL(request.url);
        pathname = url.pathname;
        search = url.search;
        response = await dispatch(request, info, pathname, warn);
      } catch (caught) {
        const error =
          caught instanceof URIError
            ? new TesseraError('REQUEST_INVALID', 'The URL has an invalid percent-encoding.')
            : toTesseraError(caught);
        if (!(caught instanceof TesseraError) && !(caught instanceof URIError))
          options.logger?.error(
            { err: describeCause(caught), path: redactUrl(pathname) },
            'unexpected error',
          );
        code = error.code;
        if (pathname === '/oauth/token') response = oauthErrorResponse(error);
        else {
          const problem = problemParts(error);
          response = textResponse(problem.body, problem);
        }
      }
      // A text the handler built (token answers, problems) is a Response made for this request alone:
      // its headers are set in place and it is answered as it is. Rebuilding it (new Headers, a second
      // Response and its body stream) was a tenth of the server's CPU on a refresh. Any other Response
      // (a route's Response.json, an app's) may be shared or immutable, so it is copied.
      const text = request.method === 'HEAD' ? undefined : responseText(response);
      const headers = text === undefined ? new Headers(response.headers) : response.headers;
      for (const [name, value] of Object.entries(origins.corsHeaders(request)))
        headers.set(name, value);
      headers.set('date', new Date(now()).toUTCString());
      // Set on problems too: a refresh refused for a missing cookie is where the cross-site warning matters.
      if (warnings.size > 0) headers.set(WARNING_HEADER, [...warnings].join(', '));
      // Path and query with token-shaped parts redacted: clients put tokens where they don't belong.
      options.logger?.info(
        {
          method: request.method,
          path: redactUrl(pathname + search),
          status: response.status,
          code,
          ms: now() - started,
        },
        'request',
      );
      if (request.method === 'HEAD') return headResponse(response, headers);
      // A text the handler built stays a string (adapters/node.ts writes it as it is); others stream.
      return text === undefined
        ? new Response(response.body, { status: response.status, headers })
        : response;
    },
  };
}

/**
 * The answer to a HEAD request: the GET answer's status and headers, with the Content-Length its body
 * would have had, and no body.
 *
 * @example
 * ```ts
 * const head = await headResponse(Response.json({ ok: true }), new Headers());
 * head.headers.get('content-length'); // '11'
 * ```
 */
export async function headResponse(response: Response, headers: Headers): Promise<Response> {
  const body = await response.arrayBuffer();
  if (!headers.has('content-length')) headers.set('content-length', String(body.byteLength));
  return new Response(null, { status: response.status, headers });
}

function describeCause(caught: unknown): { name: string; code?: unknown } {
  return caught instanceof Error
    ? { name: caught.name, code: (caught as { code?: unknown }).code }
    : { name: typeof caught };
}
