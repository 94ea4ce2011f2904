import type { ErrorCode } from '../errors/codes.js';

/**
 * Why a session ended, as `loggedOut` and `getState().loggedOutReason` give it: the user signed out
 * (`LOGGED_OUT`, `LOGGED_OUT_EVERYWHERE`), the browser did not send the refresh cookie of a session it
 * held (`COOKIE_NOT_SENT`), or the server refused the refresh with a code that means the session is gone
 * or out of this device's reach. A logout in another tab arrives with that tab's reason. Every other
 * refusal (CSRF, a wrong URL, the server away) keeps the session: see the `misconfigured` and
 * `reconnecting` statuses.
 *
 * @example
 * ```ts
 * auth.on('loggedOut', ({ reason }: { reason: LogoutReason }) => showSignIn(reason));
 * ```
 */
export type LogoutReason =
  | 'LOGGED_OUT'
  | 'LOGGED_OUT_EVERYWHERE'
  | 'COOKIE_NOT_SENT'
  // The session is over (spent, revoked, expired, unknown), or its refresh token can never be accepted
  // from here: mangled in storage (MALFORMED), opened by the other transport (TRANSPORT_MISMATCH), or gone
  // from a native app's storage (MISSING; browsers say COOKIE_NOT_SENT instead).
  | Extract<
      ErrorCode,
      | 'REFRESH_TOKEN_MISSING'
      | 'REFRESH_TOKEN_MALFORMED'
      | 'REFRESH_TOKEN_UNKNOWN'
      | 'REFRESH_TOKEN_EXPIRED'
      | 'REFRESH_TOKEN_REUSED'
      | 'REFRESH_TOKEN_REVOKED'
      | 'SESSION_EXPIRED'
      | 'TRANSPORT_MISMATCH'
    >;
