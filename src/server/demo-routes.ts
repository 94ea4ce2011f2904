import { readFile } from 'node:fs/promises';
import { headResponse, type AuthHandler, type ConnectionInfo } from '../http/auth-handler.js';
import { redactUrl } from '../http/redact-url.js';
import type { ResourceGuard } from '../http/require-auth.js';

/** Options of {@link withDemoRoutes}. */
export interface DemoRoutesOptions {
  /** Guards the demo API exactly as an application's API would be guarded. */
  readonly guard: ResourceGuard;
  /** The compiled package (dist/), whose client/ and wire/ the page loads. Default: this build's. */
  readonly distDir?: URL;
  readonly now?: () => number;
  /** Logs each demo request like the auth handler does (method, path, status; never a header). */
  readonly logger?: { info(object: object, message?: string): void };
}

// Only plain names in the folders the client's modules live in (the client imports the wire names):
// no dots or slashes a path could climb with.
const CLIENT_FILE = /^\/demo\/((?:client\/(?:demo\/)?|wire\/)[a-z][a-z-]*\.js)$/;

/**
 * Adds the demo's own routes in front of the auth handler: `GET /demo/api/hello`, a protected API behind
 * the resource guard, and `GET /demo/client/*.js` and `/demo/wire/*.js`, the compiled browser client the page at `/` loads as
 * ES modules (served from dist, so no bundler runs at build or request time).
 *
 * @example
 * ```ts
 * const handler = withDemoRoutes(createAuthHandler(options), { guard: createResourceGuard({ issuer, audience, keys }) });
 * ```
 */
export function withDemoRoutes(handler: AuthHandler, options: DemoRoutesOptions): AuthHandler {
  const now = options.now ?? Date.now;
  const distDir = options.distDir ?? new URL('../', import.meta.url);
  const respond = (
    body: BodyInit | null,
    init: { status?: number; headers: Record<string, string> },
  ): Response =>
    new Response(body, {
      status: init.status ?? 200,
      headers: {
        ...init.headers,
        date: new Date(now()).toUTCString(),
        'cache-control': 'no-store',
      },
    });

  const demo = async (request: Request, pathname: string): Promise<Response> => {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return respond(JSON.stringify({ code: 'METHOD_NOT_ALLOWED' }), {
        status: 405,
        headers: { 'content-type': 'application/problem+json' },
      });
    if (pathname === '/demo/api/hello') {
      const result = await options.guard.authenticate(request);
      if (!result.ok)
        return respond(result.problem.body, {
          status: result.problem.status,
          headers: result.problem.headers,
        });
      const { sub, sid, exp } = result.claims;
      return respond(
        JSON.stringify({
          message: 'Hello from a protected API.',
          user: sub,
          session: sid,
          token_expires_at: new Date(exp * 1000).toISOString(),
          served_at: new Date(now()).toISOString(),
        }),
        { headers: { 'content-type': 'application/json' } },
      );
    }
    const file = CLIENT_FILE.exec(pathname)?.[1];
    if (file !== undefined) {
      const source = await readFile(new URL(file, distDir), 'utf8').catch(() => null);
      if (source !== null)
        return respond(source, {
          headers: {
            'content-type': 'text/javascript; charset=utf-8',
            'x-content-type-options': 'nosniff',
          },
        });
    }
    return respond(
      JSON.stringify({
        code: 'NOT_FOUND',
        detail: 'No such demo resource (is the client built? npm run build).',
      }),
      { status: 404, headers: { 'content-type': 'application/problem+json' } },
    );
  };

  return {
    handles: (pathname) => pathname.startsWith('/demo/') || handler.handles(pathname),
    async fetch(request: Request, info?: ConnectionInfo) {
      const url = new URL(request.url);
      const pathname = url.pathname;
      if (!pathname.startsWith('/demo/')) return handler.fetch(request, info);
      const response = await demo(request, pathname);
      options.logger?.info(
        { method: request.method, path: redactUrl(pathname + url.search), status: response.status },
        'request',
      );
      return request.method === 'HEAD'
        ? headResponse(response, new Headers(response.headers))
        : response;
    },
  };
}
