import type { AuthHandler } from '../http/auth-handler.js';
import { problemResponse } from '../http/problem.js';
import { TesseraError } from '../errors/tessera-error.js';
import { CSRF_HEADER, REFRESH_COOKIE } from '../wire/names.js';
import { accessCookieChange, changesAccessCookie, serializeAccessCookie } from './access-cookie.js';

/** A Next.js route handler: what `app/auth/[...tessera]/route.ts` exports per method. */
export type RouteHandler = (request: Request) => Promise<Response>;

/** The methods the auth endpoints answer; export them all from the catch-all route. */
export interface TesseraRouteHandlers {
  readonly GET: RouteHandler;
  readonly HEAD: RouteHandler;
  readonly POST: RouteHandler;
  readonly DELETE: RouteHandler;
  readonly OPTIONS: RouteHandler;
}

/** Options of {@link createTesseraRoutes}. */
export interface TesseraRoutesOptions {
  /** The Tessera behind `/auth` (for example `(await createTesseraServer({ config })).handler`). */
  readonly handler: () => Promise<Pick<AuthHandler, 'fetch'>>;
  /** Where a navigation goes when its session cannot be resumed. Default `/signin`. */
  readonly signInPath?: string;
}

/**
 * The path of the resume route: a top-level navigation that found no valid access cookie is sent here
 * by the proxy, because only under `/auth` does the browser send the refresh cookie (`Path=/auth`).
 */
export const RESUME_PATH = '/auth/resume';

/**
 * Route handlers that mount Tessera's `/auth` endpoints in a Next.js app, plus two things Next needs:
 * every cookie-transport login, signup and refresh also sets the httpOnly access cookie (so server
 * components see the session) and every logout clears it; and `GET /auth/resume?to=/path` refreshes a
 * navigation's session through the refresh cookie, then redirects back (or to the sign-in page).
 *
 * @example
 * ```ts
 * // app/auth/[...tessera]/route.ts
 * import { tessera } from '@/lib/tessera';
 * export const { GET, HEAD, POST, DELETE, OPTIONS } = tessera.routes;
 * ```
 */
export function createTesseraRoutes(options: TesseraRoutesOptions): TesseraRouteHandlers {
  const signInPath = options.signInPath ?? '/signin';
  const forward = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (url.pathname === RESUME_PATH && (request.method === 'GET' || request.method === 'HEAD'))
      return resume(request, url, await options.handler(), signInPath);
    const answer = await (await options.handler()).fetch(request);
    return withAccessCookie(request.method, url.pathname, answer);
  };
  return { GET: forward, HEAD: forward, POST: forward, DELETE: forward, OPTIONS: forward };
}

async function withAccessCookie(
  method: string,
  pathname: string,
  answer: Response,
): Promise<Response> {
  if (!changesAccessCookie(method, pathname)) return answer;
  const setsRefreshCookie = answer.headers
    .getSetCookie()
    .some((cookie) => cookie.startsWith(`${REFRESH_COOKIE}=`) && !/Max-Age=0\b/.test(cookie));
  const json = answer.ok && answer.headers.get('content-type')?.includes('json') === true;
  const body: unknown = json
    ? await answer
        .clone()
        .json()
        .catch(() => undefined)
    : undefined;
  const change = accessCookieChange({
    method,
    pathname,
    status: answer.status,
    setsRefreshCookie,
    body,
  });
  if (change.kind === 'keep') return answer;
  const headers = new Headers(answer.headers);
  headers.append('set-cookie', serializeAccessCookie(change));
  return new Response(answer.body, {
    status: answer.status,
    statusText: answer.statusText,
    headers,
  });
}

/**
 * Where a resume may send the browser back to: a path of this origin only (never `//host`, `/\host` or
 * a full URL: an open redirect would let a link launder a phishing page through the app).
 *
 * @example
 * ```ts
 * returnPath('/dashboard?tab=2', 'https://app.example.com'); // '/dashboard?tab=2'
 * returnPath('//evil.example', 'https://app.example.com');   // '/'
 * ```
 */
export function returnPath(to: string | null, origin: string): string {
  if (to === null || !to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\')) return '/';
  try {
    const target = new URL(to, origin);
    if (target.origin !== origin || target.pathname.startsWith('/auth/')) return '/';
    return `${target.pathname}${target.search}`;
  } catch {
    return '/';
  }
}

// Sec-Fetch-Site of a navigation the user made in this app (or typed, or a bookmark). A cross-site one
// (a link elsewhere, which may be an attacker's) is not refreshed here: its page restores the session
// in the client instead, through the ordinary CSRF-checked POST /auth/refresh.
const RESUMABLE_SITES = new Set(['same-origin', 'none']);

async function resume(
  request: Request,
  url: URL,
  handler: Pick<AuthHandler, 'fetch'>,
  signInPath: string,
): Promise<Response> {
  const to = returnPath(url.searchParams.get('to'), url.origin);
  const site = request.headers.get('sec-fetch-site');
  const signIn = (cookies: readonly string[] = []): Response =>
    redirect(`${signInPath}?${new URLSearchParams({ next: to }).toString()}`, url, [
      ...cookies.filter((cookie) => cookie.startsWith(`${REFRESH_COOKIE}=`)),
      serializeAccessCookie({ kind: 'clear' }),
    ]);
  if (site !== null && !RESUMABLE_SITES.has(site)) return signIn();
  // The refresh route's CSRF rules are for script requests; this one is a checked same-origin navigation,
  // so it speaks for itself with its own origin and the header. Only the cookie travels from the browser.
  const headers = new Headers({
    origin: url.origin,
    [CSRF_HEADER]: '1',
    'content-type': 'application/json',
  });
  for (const name of ['cookie', 'user-agent', 'x-forwarded-for', 'x-real-ip']) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  let answer: Response;
  try {
    answer = await withAccessCookie(
      'POST',
      '/auth/refresh',
      await handler.fetch(
        new Request(new URL('/auth/refresh', url), { method: 'POST', headers, body: '{}' }),
      ),
    );
  } catch {
    return problemResponse(
      new TesseraError('STORE_UNAVAILABLE', 'The session could not be resumed; try again shortly.'),
    );
  }
  if (answer.status >= 500 || answer.status === 429) return answer;
  // A dead session's answer clears the refresh cookie too; pass that on.
  if (answer.status !== 200) return signIn(answer.headers.getSetCookie());
  return redirect(to, url, answer.headers.getSetCookie());
}

function redirect(location: string, base: URL, cookies: readonly string[]): Response {
  const headers = new Headers({
    location: new URL(location, base).href,
    'cache-control': 'no-store',
  });
  for (const cookie of cookies) headers.append('set-cookie', cookie);
  return new Response(null, { status: 303, headers });
}
