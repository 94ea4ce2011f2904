import { TesseraError } from '../errors/tessera-error.js';
import { chooseRefreshCandidate, type RefreshCandidate } from '../sessions/refresh-candidates.js';
import { REFRESH_COOKIE, REFRESH_TOKEN_PATTERN } from '../wire/names.js';
import { readCookie } from './cookies.js';
import type { RouteDeps } from './handler-options.js';
import type { RequestFacts } from './request-facts.js';

// Several refresh cookies on one request. The name and path stay (`__Secure-tessera_rt`, `Path=/auth`:
// renaming would log everyone out), and without the `__Host-` prefix a sibling subdomain can set a
// second cookie of that name for the parent domain. A 400 on two cookies let it lock the user out;
// instead the live one is used and the rest ignored, judged without effect (sessions/refresh-candidates.ts).

/** The presented refresh token and every refresh-cookie value, as the refresh and logout routes read them. */
export interface PresentedRefresh {
  readonly token: string | undefined;
  readonly cookies: readonly string[];
}

/**
 * Most refresh cookies a request is judged on: each costs a store read, and four covers this
 * server's cookie, an old deployment's Domain cookie and a planted one or two.
 */
export const MAX_REFRESH_COOKIES = 4;

/**
 * The non-empty refresh-cookie values, well-formed ones first, distinct. Several is not an error: a
 * sibling subdomain can plant one (see refreshTokenOf), and answering 400 would lock the user out.
 *
 * @example
 * ```ts
 * refreshCookiesOf(new Request('http://a/auth/refresh', { headers: { cookie: '__Secure-tessera_rt=x; __Secure-tessera_rt=x' } })); // ['x']
 * ```
 */
export function refreshCookiesOf(request: RequestFacts): string[] {
  const { values } = readCookie(request.headers.get('cookie'), REFRESH_COOKIE);
  const distinct = [...new Set(values.filter((value) => value !== ''))];
  return [
    ...distinct.filter((value) => REFRESH_TOKEN_PATTERN.test(value)),
    ...distinct.filter((value) => !REFRESH_TOKEN_PATTERN.test(value)),
  ];
}

/**
 * The one refresh cookie to act on when several came. Only well-formed values are judged, at most
 * MAX_REFRESH_COOKIES, without effect; the live one is used and the rest ignored (sessions/
 * refresh-candidates.ts has the rule). With a single well-formed value, it is used as it is.
 * Throws the refusal when none can be refreshed, REFRESH_COOKIE_CONFLICT when it cannot choose.
 *
 * @example
 * ```ts
 * const token = await refreshTokenOf({ token: cookies[0], cookies }, deps);
 * await deps.options.sessions.refresh(token, { transport: 'cookie' });
 * ```
 */
export async function refreshTokenOf(
  presented: PresentedRefresh,
  deps: RouteDeps,
): Promise<string | undefined> {
  const wellFormed = presented.cookies.filter((value) => REFRESH_TOKEN_PATTERN.test(value));
  const inspect = deps.options.sessions.inspectRefreshTokens;
  if (wellFormed.length < 2 || inspect === undefined) return presented.token;
  const judged = wellFormed.slice(0, MAX_REFRESH_COOKIES);
  const choice = chooseRefreshCandidate(await inspect(judged, { transport: 'cookie' }));
  if (choice.kind === 'refresh' && choice.live) return choice.value;
  // More well-formed cookies than are judged: the real one may be among those left out, so neither
  // the refusal of the judged ones nor a planted stale one may end the session in the client.
  const more = wellFormed.length > judged.length;
  if (choice.kind === 'refresh' && !more) return choice.value;
  if (choice.kind !== 'refuse' || more) {
    const sessionIds = choice.kind === 'conflict' ? choice.sessionIds : [];
    deps.options.logger?.warn(
      { sessionIds, cookies: wellFormed.length },
      'several refresh cookies and no single live session among them (a cookie planted from a sibling subdomain?)',
    );
    throw new TesseraError(
      'REFRESH_COOKIE_CONFLICT',
      choice.kind === 'conflict'
        ? 'The request carries refresh cookies of live sessions of different users (one set by another subdomain?); nothing was refreshed. Log out to end both, or clear cookies for this site.'
        : `The request carries more than ${MAX_REFRESH_COOKIES} refresh cookies and none of those judged is live; clear cookies for this site.`,
      { cookies: wellFormed.length },
    );
  }
  throw choice.error;
}

/**
 * What a logout revokes: the presented token, or with several refresh cookies every live session
 * among the first MAX_REFRESH_COOKIES well-formed ones (a planted live cookie is the planter's own
 * session, and ending it is what lets the user sign in again cleanly); stale, unknown and garbage
 * values revoke nothing.
 *
 * @example
 * ```ts
 * for (const value of await logoutTokensOf({ token: cookies[0], cookies }, deps))
 *   await deps.options.sessions.revokeByRefreshToken(value);
 * ```
 */
export async function logoutTokensOf(
  presented: PresentedRefresh,
  deps: RouteDeps,
): Promise<string[]> {
  const wellFormed = presented.cookies.filter((value) => REFRESH_TOKEN_PATTERN.test(value));
  const inspect = deps.options.sessions.inspectRefreshTokens;
  if (wellFormed.length < 2 || inspect === undefined)
    return presented.token === undefined ? [] : [presented.token];
  // The store being down must not fail a logout: the cookie is cleared whatever happens here.
  const judged = await inspect(wellFormed.slice(0, MAX_REFRESH_COOKIES), {
    transport: 'cookie',
  }).catch((error: unknown) => {
    if (error instanceof TesseraError) return [] as RefreshCandidate[];
    throw error;
  });
  return judged.filter((c) => c.verdict === 'current' || c.verdict === 'grace').map((c) => c.value);
}
