// What the cookie diagnosis needs to know of the browser: the page's origin, and the cookie transport's
// "this browser held a session" marker, in localStorage. A start-up that gets
// REFRESH_TOKEN_MISSING uses it to tell a refresh cookie the browser refused to send (COOKIE_NOT_SENT, a
// logout worth announcing) from a first visit (simply not signed in). It holds no token and no user data:
// any script of the origin can read localStorage.
const KEY = 'tessera:session-marker';

/**
 * Whether this browser held a session the last time a page of this origin knew.
 *
 * @example
 * ```ts
 * const held = sessionMarked();
 * ```
 */
export function sessionMarked(): boolean {
  try {
    return globalThis.localStorage?.getItem(KEY) === '1';
  } catch {
    // Sandboxed iframes and some privacy modes throw on access: then no session is remembered.
    return false;
  }
}

/**
 * Sets the marker after a login or refresh, or clears it at the end of the session.
 *
 * @example
 * ```ts
 * markSession(true);
 * ```
 */
export function markSession(held: boolean): void {
  try {
    if (held) globalThis.localStorage?.setItem(KEY, '1');
    else globalThis.localStorage?.removeItem(KEY);
  } catch {
    // As above: without storage the client only loses the COOKIE_NOT_SENT diagnosis at start-up.
  }
}

/**
 * The page's origin (`location.origin`); 'null' outside a browser, where no page is judged.
 *
 * @example
 * ```ts
 * cookieReport(pageOrigin(), new URL(baseUrl).origin);
 * ```
 */
export function pageOrigin(): string {
  return globalThis.location?.origin ?? 'null';
}
