// What a failed refresh means for the session, from the answer's status and code alone. Pure: the
// refresh flow asks, then acts. The promise is "no logout nobody asked for": only a session that is gone,
// or out of this device's reach for good, ends; everything else keeps it and retries.
import type { Transport } from '../wire/names.js';
import type { LogoutReason } from './logout-reason.js';

/**
 * Where a failed refresh leads: `ended` (the session is over), `misconfigured` (the set-up refused it:
 * CSRF or origin, a wrong URL, a proxy) or `reconnecting` (the server is away or busy).
 */
export type RefreshOutcome = 'ended' | 'misconfigured' | 'reconnecting';

// Retrying cannot bring these back: the server ended the session, or the token this device holds can never
// be accepted again (mangled, or opened by the other transport; a new sign-in opens one this client can use).
// Every REFRESH_TOKEN_* code of the error table is one; a pattern rather than a list keeps the bundle small.
const ENDED = /^(REFRESH_TOKEN_[A-Z]+|SESSION_EXPIRED|TRANSPORT_MISMATCH)$/;

/**
 * Classifies a refused refresh: its HTTP status (0 when no answer came) and its code (the server's, or
 * `NETWORK` / `HTTP_<status>` from the client).
 *
 * @example
 * ```ts
 * refreshOutcome(403, 'CSRF_FAILED'); // 'misconfigured'
 * refreshOutcome(401, 'REFRESH_TOKEN_REUSED'); // 'ended'
 * ```
 */
export function refreshOutcome(status: number, code: string): RefreshOutcome {
  if (ENDED.test(code)) return 'ended';
  return status === 0 || status >= 500 || status === 408 || status === 429
    ? 'reconnecting'
    : 'misconfigured';
}

/**
 * The logout reason of an ended refresh, or null for "not signed in": REFRESH_TOKEN_MISSING where no
 * session was held is a first visit, not a logout. `held` says this device had a session (a live one in
 * this tab, the browser's session marker, or a refresh token the native app's storage gave).
 *
 * @example
 * ```ts
 * endingReason('REFRESH_TOKEN_MISSING', { held: true, transport: 'cookie' }); // 'COOKIE_NOT_SENT'
 * ```
 */
export function endingReason(
  code: string,
  context: { held: boolean; transport: Transport },
): LogoutReason | null {
  if (code !== 'REFRESH_TOKEN_MISSING') return code as LogoutReason; // one of ENDED
  if (!context.held) return null;
  return context.transport === 'cookie' ? 'COOKIE_NOT_SENT' : code;
}
