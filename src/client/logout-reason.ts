import type { ErrorCode } from '../errors/codes.js';

/**
 * Why a session ended, as `loggedOut` and `getState().loggedOutReason` give it: the user signed out
 * (`LOGGED_OUT`, `LOGGED_OUT_EVERYWHERE`), or the server refused the refresh, with its code. A logout
 * in another tab arrives with that tab's reason.
 */
export type LogoutReason =
  | 'LOGGED_OUT'
  | 'LOGGED_OUT_EVERYWHERE'
  // The session is over: its refresh token is gone, spent, revoked or expired, or it came the wrong way.
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
    >
  // The refresh call itself was refused (a wrong baseUrl or origin, a proxy in the way): retrying
  // cannot cure it either. HTTP_<status> is an answer that was not Tessera's problem+json.
  | Extract<
      ErrorCode,
      | 'CSRF_FAILED'
      | 'REQUEST_INVALID'
      | 'REQUEST_TOO_LARGE'
      | 'MEDIA_TYPE_UNSUPPORTED'
      | 'NOT_FOUND'
      | 'METHOD_NOT_ALLOWED'
    >
  | `HTTP_${number}`;
