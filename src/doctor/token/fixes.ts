/**
 * How to fix each failure a token can fail with. The explanation beside it is always the verifier's own
 * text; only the fix is the doctor's.
 */
import type { ErrorCode } from '../../errors/codes.js';
import { REFRESH_COOKIE_PATH } from '../../wire/names.js';

const FIXES: Partial<Record<ErrorCode, string>> = {
  TOKEN_MISSING:
    'Send "Authorization: Bearer <access token>" only once the client holds a token; after a reload, refresh first.',
  TOKEN_MALFORMED:
    'Store the access token exactly as the token response gave it (a plain string) and send "Authorization: Bearer " + token.',
  TOKEN_TOO_LARGE:
    'Keep access tokens small: move profile data and permissions lists to an API response.',
  TOKEN_IN_URL:
    'Send the token in the Authorization header; for EventSource or WebSocket, exchange it for a ticket at POST /auth/ticket.',
  REFRESH_TOKEN_MISSING: `Check that the refresh cookie is set with Path=${REFRESH_COOKIE_PATH} and is sent (same-site app, credentials: "include"), or send refresh_token in the body for native clients.`,
  REFRESH_TOKEN_MALFORMED:
    'Send the refresh token exactly as issued (tsr_<id>.<secret>), never the access token.',
  TOKEN_EXPIRED:
    'Refresh before exp (schedule from expires_in, not from the device clock) and retry once on a 401.',
  TOKEN_NOT_YET_VALID:
    'Sync the clocks of the issuing server and this one (NTP), or wait until nbf.',
  TOKEN_ISSUED_IN_FUTURE:
    "Sync the issuing server's clock (NTP); leeway absorbs small drift, not minutes.",
  TOKEN_LIFETIME_TOO_LONG:
    'Lower the access-token TTL (15 min is the default) or raise maxLifetimeSeconds on the API to match the issuer.',
  SIGNATURE_INVALID:
    'Verify with the keys of the deployment that issued the token; if a secret or key changed on redeploy, sign in again and keep keys stable across deploys.',
  ALGORITHM_NOT_ALLOWED:
    'Sign with the algorithm of the key the kid names; never accept alg "none" or an algorithm chosen by the token.',
  KEY_UNKNOWN:
    'Publish a new key before it signs and keep the old one until its tokens expire (tessera keys rotate stages this); check the API reads the JWKS of the right deployment.',
  HEADER_NOT_ALLOWED: 'Sign tokens without jku, x5u, jwk, x5c, crit or b64 headers.',
  TOKEN_UNSUPPORTED: 'Send a signed (JWS) access token, not an encrypted or nested one.',
  CLAIM_INVALID:
    'Issue tokens with iss, aud, sub, client_id, sid, jti, iat and exp of the right types.',
  AUDIENCE_MISMATCH:
    'Request the token for this API (its audience), or configure the API with the audience the issuer uses; previews need their own API or audience.',
  ISSUER_MISMATCH:
    'Set the same issuer (the public URL of the auth server) on the auth server and on every API.',
  TOKEN_TYPE_MISMATCH: 'Send the access token (typ at+jwt), not an ID token or another JWT.',
  TOKEN_REVOKED:
    'The session ended (logout, logout everywhere, password change): sign in again. If nobody signed out, an old refresh token was replayed (a second tab refreshing with the token another tab had already rotated, outside the grace window): share one refresh across tabs with a lock or a BroadcastChannel.',
  REFRESH_TOKEN_REUSED:
    'Share one refresh across tabs (a lock or a BroadcastChannel), keep the grace window, and never replay an old refresh token.',
  SECRET_WEAK:
    'Rotate to a random 32-byte secret or an asymmetric key now; every token signed with the old secret can be forged.',
};

/**
 * The fix for a failure code, or a generic pointer when the table has none.
 *
 * @example
 * ```ts
 * fixFor('TOKEN_EXPIRED'); // 'Refresh before exp ...'
 * ```
 */
export function fixFor(code: ErrorCode): string {
  return FIXES[code] ?? `See the ${code} entry in docs/doctor.md.`;
}
