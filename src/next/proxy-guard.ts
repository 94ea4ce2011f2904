import { ERROR_TABLE } from '../errors/codes.js';
import type { TesseraError } from '../errors/tessera-error.js';
import { problemResponse } from '../http/problem.js';
import { RESUME_PATH } from './auth-routes.js';
import type { SessionResult } from './request-session.js';

/** Options of {@link createProxyGuard}. */
export interface ProxyGuardOptions {
  /** Path prefixes that need a session (`'/dashboard'` covers `/dashboard` and `/dashboard/…`). Default: every path the matcher sends. */
  readonly protect?: readonly string[];
}

/** What the proxy does with a request that has no valid session. */
export type ProxyDecision =
  { readonly kind: 'resume'; readonly to: string } | { readonly kind: 'refuse' };

/**
 * The guard for Next's `proxy.ts`: lets a protected request through with a valid session, sends a
 * page navigation without one through `/auth/resume` (which refreshes it, or goes on to the sign-in
 * page), and answers anything else (a script's fetch, a prefetch, a refused state change) with
 * Tessera's problem+json. Returns undefined to let the request through, as Next's proxy expects.
 *
 * The proxy is the optimistic gate, not the only one: `getSession()` verifies again where the data is
 * read, so a request that reaches a page some other way is still judged.
 *
 * @example
 * ```ts
 * const guard = createProxyGuard({ protect: ['/dashboard'] }, authenticate);
 * export const proxy = (request: Request) => guard(request);
 * ```
 */
export function createProxyGuard(
  options: ProxyGuardOptions,
  authenticate: (request: Request) => Promise<SessionResult>,
): (request: Request) => Promise<Response | undefined> {
  const prefixes = options.protect ?? ['/'];
  return async (request) => {
    const url = new URL(request.url);
    if (!isProtected(url.pathname, prefixes)) return undefined;
    const result = await authenticate(request);
    if (result.ok) return undefined;
    const decision = proxyDecision(request, result.error);
    if (decision.kind === 'resume') {
      const location = new URL(RESUME_PATH, url);
      location.searchParams.set('to', decision.to);
      return new Response(null, {
        status: 307,
        headers: { location: location.href, 'cache-control': 'no-store' },
      });
    }
    return problemResponse(result.error);
  };
}

/**
 * Whether a path falls under one of the prefixes, segment by segment (`/dash` does not cover `/dashboard`).
 *
 * @example
 * ```ts
 * isProtected('/dashboard/settings', ['/dashboard']); // true
 * ```
 */
export function isProtected(pathname: string, prefixes: readonly string[]): boolean {
  if (pathname.startsWith('/auth/')) return false;
  return prefixes.some((prefix) => {
    const base = prefix.replace(/\/$/, '');
    return base === '' || pathname === base || pathname.startsWith(`${base}/`);
  });
}

/**
 * Decides, without effect, what the proxy does with a request whose session failed: send a page navigation (a document, or
 * the App Router's RSC fetch for one) that has no valid session through the resume route; refuse the
 * rest. A prefetch is refused rather than resumed, so hovering links never rotates refresh tokens.
 *
 * @example
 * ```ts
 * const navigation = new Request('https://app.example.com/dashboard', { headers: { 'sec-fetch-mode': 'navigate' } });
 * proxyDecision(navigation, new TesseraError('TOKEN_EXPIRED', 'expired')); // { kind: 'resume', to: '/dashboard' }
 * ```
 */
export function proxyDecision(request: Request, error: TesseraError): ProxyDecision {
  if (ERROR_TABLE[error.code].status !== 401) return { kind: 'refuse' };
  if (request.method !== 'GET' && request.method !== 'HEAD') return { kind: 'refuse' };
  const headers = request.headers;
  if (headers.get('next-router-prefetch') !== null || headers.get('purpose') === 'prefetch')
    return { kind: 'refuse' };
  const mode = headers.get('sec-fetch-mode');
  const document =
    mode === 'navigate' || (mode === null && (headers.get('accept') ?? '').includes('text/html'));
  if (!document && headers.get('rsc') !== '1') return { kind: 'refuse' };
  const url = new URL(request.url);
  return { kind: 'resume', to: `${url.pathname}${url.search}` };
}
