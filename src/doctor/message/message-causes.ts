/**
 * The causes behind the messages people paste, shared by the patterns of libraries
 * (library-patterns.ts) and services (service-patterns.ts): most likely first, each with its bucket,
 * how to confirm it and the fix.
 */
import type { Bucket, ErrorCode } from '../../errors/codes.js';

/**
 * Where a pasted message comes from.
 *
 * @example
 * ```ts
 * const source: MessageSource = 'supabase';
 * ```
 */
export type MessageSource =
  | 'jsonwebtoken'
  | 'jose'
  | 'express-jwt'
  | 'passport'
  | '@nestjs/jwt'
  | 'fast-jwt'
  | 'supabase'
  | 'auth0'
  | 'supertokens'
  | 'tessera';

/**
 * One cause of a message: what happened, where it is debugged, how to confirm it, how to fix it.
 *
 * @example
 * ```ts
 * const cause: MessageCause = { cause: 'The access token expired and the client did not refresh it.', bucket: 'time', code: 'TOKEN_EXPIRED', check: '...', fix: '...' };
 * ```
 */
export interface MessageCause {
  readonly cause: string;
  readonly bucket: Bucket | null;
  readonly code: ErrorCode | null;
  readonly check: string;
  readonly fix: string;
}

/**
 * One known message and its ranked causes.
 *
 * @example
 * ```ts
 * const entry: MessagePattern = { id: 'jsonwebtoken-expired', source: 'jsonwebtoken', pattern: /jwt expired/i, meaning: '...', causes: [] };
 * ```
 */
export interface MessagePattern {
  readonly id: string;
  readonly source: MessageSource;
  readonly pattern: RegExp;
  /** What the message says, in plain words. */
  readonly meaning: string;
  readonly causes: readonly MessageCause[];
}

const EXPIRED: readonly MessageCause[] = [
  {
    cause:
      'The access token reached its exp and the client sent it anyway: it never refreshed, or refreshed too late.',
    bucket: 'time',
    code: 'TOKEN_EXPIRED',
    check:
      'Paste the token into `tessera doctor`: its exp is shown in UTC, local time and relative to now.',
    fix: 'Refresh before exp (schedule from expires_in when the token arrives) and retry once on a 401 after refreshing.',
  },
  {
    cause:
      "The verifier's clock is ahead of the issuer's and its leeway is 0 (the default of jsonwebtoken, jose and fast-jwt): tokens die early there.",
    bucket: 'time',
    code: 'TOKEN_EXPIRED',
    check:
      "Run `tessera doctor --server <api url>` with the token: it measures that server's clock against yours.",
    fix: 'Run NTP on every server; set clockTolerance to a few seconds more than the drift (Tessera uses 60 s).',
  },
  {
    cause:
      'The client decides by the device clock that the token is still good (or a refresh is not needed), while the server disagrees.',
    bucket: 'time',
    code: 'TOKEN_EXPIRED',
    check:
      "Compare the device's clock with the server's Date header (a HAR shows both: `tessera doctor --har`).",
    fix: 'Never compare exp with the device clock: schedule refresh from expires_in and treat the 401 as the truth.',
  },
];

const NOT_ACTIVE: readonly MessageCause[] = [
  {
    cause:
      "The issuer's clock is ahead of the verifier's, so nbf (or iat) lies in the verifier's future; its leeway is too small to absorb it.",
    bucket: 'time',
    code: 'TOKEN_NOT_YET_VALID',
    check: 'Run `tessera doctor --server <api url>` with the token: nbf is shown on both clocks.',
    fix: 'Sync the clocks (NTP) and allow a few seconds of clockTolerance.',
  },
  {
    cause:
      'The token was minted with nbf set on purpose (a delayed or batch token) and is used too early.',
    bucket: 'time',
    code: 'TOKEN_NOT_YET_VALID',
    check: 'Decode the token and compare nbf with iat.',
    fix: 'Drop notBefore when signing access tokens, or wait until nbf.',
  },
];

const SIGNATURE: readonly MessageCause[] = [
  {
    cause:
      'The signer and the verifier use different secrets or keys: an environment variable differs between services, was missing at one start, or changed on redeploy.',
    bucket: 'validation',
    code: 'SIGNATURE_INVALID',
    check:
      'Compare a hash of the secret on both sides (never the secret): `printf %s "$JWT_SECRET" | sha256sum`.',
    fix: 'Load one secret from one place for every service; keep it stable across deploys (a change signs everyone out).',
  },
  {
    cause:
      'The token was cut or altered on the way: a database column, a cookie size limit or a log line shortened its signature.',
    bucket: 'storage',
    code: 'SIGNATURE_INVALID',
    check:
      'Paste the stored token into `tessera doctor`: it says when the signature is shorter than its algorithm makes.',
    fix: 'Store tokens whole (TEXT columns, cookies under 4 KB) and send exactly what was issued.',
  },
  {
    cause:
      'The token comes from another environment (staging token on production, a preview deployment) signed with its own key.',
    bucket: 'validation',
    code: 'SIGNATURE_INVALID',
    check: 'Decode the token: its iss and aud say where it came from.',
    fix: 'Sign in again against this environment; give each environment its own issuer so the error names it.',
  },
];

const MALFORMED: readonly MessageCause[] = [
  {
    cause:
      'The client sent no real token: "Bearer undefined", "Bearer null" or an empty header, before login or after a reload.',
    bucket: 'storage',
    code: 'TOKEN_MISSING',
    check:
      'Log the Authorization header length (not its value) on the failing request, or read it in a HAR.',
    fix: 'Send the header only once a token is held; after a reload, refresh first.',
  },
  {
    cause:
      'The value is mangled: wrapped in quotes by JSON.stringify, "Bearer " stored with it, URL-encoded, or cut to fewer than three parts.',
    bucket: 'storage',
    code: 'TOKEN_MALFORMED',
    check: 'Paste what the app stores into `tessera doctor`: it names each mangling.',
    fix: 'Store the bare token string (localStorage.setItem(key, token)) and add "Bearer " once where the header is built.',
  },
  {
    cause:
      'Another kind of token was sent: an opaque refresh token, a session id, or an Auth0/Okta opaque access token requested without an audience.',
    bucket: 'storage',
    code: 'TOKEN_MALFORMED',
    check: 'A JWT starts with "eyJ" and has two dots.',
    fix: 'Send the access token from the token response (and for Auth0, request it with the API audience).',
  },
];

const AUDIENCE: readonly MessageCause[] = [
  {
    cause:
      'The token was minted for another API or environment (its aud), or the verifier is configured with the wrong audience.',
    bucket: 'validation',
    code: 'AUDIENCE_MISMATCH',
    check: 'Decode the token and compare aud with the audience the verifier expects.',
    fix: 'Request the token for this API, or configure the verifier with the audience the issuer uses.',
  },
];

const ISSUER: readonly MessageCause[] = [
  {
    cause:
      'The issuer differs between signer and verifier: a trailing slash, http vs https, a staging tenant, or an internal vs public URL.',
    bucket: 'validation',
    code: 'ISSUER_MISMATCH',
    check: "Decode the token and compare iss with the verifier's issuer character by character.",
    fix: 'Set the exact same issuer (the public URL, with or without the trailing slash, once) everywhere.',
  },
];

const ALGORITHM: readonly MessageCause[] = [
  {
    cause:
      "The token's alg does not fit the key or the allowed list: an RS256 token checked with an HMAC secret (or the reverse), or algorithms pinned to another family.",
    bucket: 'validation',
    code: 'ALGORITHM_NOT_ALLOWED',
    check:
      "Decode the header: alg says how it was signed; compare with the verifier's algorithms option and key type.",
    fix: 'Pin algorithms to the one the issuer signs with, and verify with the matching key type.',
  },
  {
    cause:
      'Someone sent an unsigned (alg "none") or algorithm-confused token on purpose: the verifier refused an attack.',
    bucket: 'validation',
    code: 'ALGORITHM_NOT_ALLOWED',
    check: 'Decode the header: alg "none" or HS256 against a public key is an attack, not a bug.',
    fix: 'Nothing to change beyond keeping algorithms pinned; look at where the request came from.',
  },
];

const NO_TOKEN: readonly MessageCause[] = [
  {
    cause:
      'The request carried no token where the middleware looks: the client did not attach it (an axios instance without the interceptor, fetch without the header), or it sits in a cookie the middleware does not read.',
    bucket: 'storage',
    code: 'TOKEN_MISSING',
    check:
      'Record the request in the browser (a HAR) and run `tessera doctor --har`: it shows which requests carried a token.',
    fix: 'Attach "Authorization: Bearer <token>" on every API request (one interceptor), or read the cookie the server sets.',
  },
  {
    cause:
      'A cross-origin request lost its credentials: the cookie is SameSite=Lax/Strict on another site, credentials: "include" is missing, or CORS does not allow the Authorization header.',
    bucket: 'storage',
    code: 'TOKEN_MISSING',
    check:
      'A HAR shows whether the cookie was sent and whether the preflight allowed Authorization.',
    fix: 'Serve the API same-site, or send credentials: "include" with SameSite=None; Secure cookies and list Authorization in Access-Control-Allow-Headers.',
  },
];

const HIDDEN_401: readonly MessageCause[] = [
  EXPIRED[0] as MessageCause,
  NO_TOKEN[0] as MessageCause,
  {
    cause:
      'The token is refused for another reason the framework hides (signature, audience, issuer): the bare 401 carries no cause.',
    bucket: 'validation',
    code: null,
    check:
      'Log the error the strategy failed with (passport.authenticate with a callback receives it as info) or paste the token into `tessera doctor`.',
    fix: 'Fix what the logged error names; keep logging it (never the token).',
  },
];

const CONFIG_SECRET: readonly MessageCause[] = [
  {
    cause:
      'The secret is undefined where the library is called: the environment variable is not set in this process (dotenv not loaded yet, a different .env, a missing deploy setting).',
    bucket: null,
    code: 'CONFIG_INVALID',
    check: 'Print whether the variable is set (its length, never its value) at start-up.',
    fix: 'Load configuration before the auth module is imported and refuse to start without the secret.',
  },
];

const REFRESH_REUSED: readonly MessageCause[] = [
  {
    cause:
      'Two refreshes presented the same refresh token (two tabs, or an interceptor firing twice at once); rotation made the second one a reuse.',
    bucket: 'validation',
    code: 'REFRESH_TOKEN_REUSED',
    check:
      'A HAR of the failing session shows two refresh requests close together; `tessera doctor --har` flags the race.',
    fix: 'Share one refresh across tabs and requests (a lock or BroadcastChannel, one in-flight promise), and keep a short reuse grace window on the server.',
  },
  {
    cause:
      'The response of a refresh was lost (the tab closed, the network dropped) and the client retried with the old token.',
    bucket: 'validation',
    code: 'REFRESH_TOKEN_REUSED',
    check: 'Server logs show a successful refresh followed by a refused one for the same session.',
    fix: 'Allow a grace window in which the previous token gets the same successor back (Tessera does this).',
  },
];

const REFRESH_GONE: readonly MessageCause[] = [
  {
    cause:
      'The refresh token is no longer known: the session ended (logout, revocation, expiry), or the client replays a token rotated away long ago.',
    bucket: 'validation',
    code: 'REFRESH_TOKEN_UNKNOWN',
    check: "Find the session in the auth server's logs: revoked, expired, or rotated?",
    fix: 'Sign in again; if it happens without a logout, look for a refresh race (two tabs) or a token kept in two storages.',
  },
  {
    cause:
      'The client sent a stale refresh token from another storage (an old cookie on another path, localStorage from a previous login).',
    bucket: 'storage',
    code: 'REFRESH_TOKEN_UNKNOWN',
    check: 'A HAR shows which refresh token each refresh request carried (by hash).',
    fix: 'Keep the refresh token in one place, and clear old copies on login.',
  },
];

/**
 * The cause lists by the kind of failure, for the pattern tables.
 *
 * @example
 * ```ts
 * CAUSES.EXPIRED[0]?.bucket; // 'time'
 * ```
 */
export const CAUSES = {
  EXPIRED,
  NOT_ACTIVE,
  SIGNATURE,
  MALFORMED,
  AUDIENCE,
  ISSUER,
  ALGORITHM,
  NO_TOKEN,
  HIDDEN_401,
  CONFIG_SECRET,
  REFRESH_REUSED,
  REFRESH_GONE,
} as const;
