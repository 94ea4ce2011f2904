/**
 * The messages people paste, as data: a pattern per message of each library and service, and the
 * causes of that exact message, most likely first, each with its bucket, how to confirm it and the fix.
 * Ordered most specific first: a wrapper's message (express-jwt's UnauthorizedError) comes before the
 * jsonwebtoken message it wraps.
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
 * Every message the doctor knows. The first pattern that matches gives the main explanation; later
 * matches add their causes below it.
 *
 * @example
 * ```ts
 * MESSAGE_PATTERNS.find((entry) => entry.pattern.test('TokenExpiredError: jwt expired'))?.id; // 'jsonwebtoken-expired'
 * ```
 */
export const MESSAGE_PATTERNS: readonly MessagePattern[] = [
  // express-jwt wraps jsonwebtoken's errors; its own messages first.
  {
    id: 'express-jwt-credentials-required',
    source: 'express-jwt',
    pattern: /No authorization token was found|credentials_required/i,
    meaning:
      'express-jwt found no token in the Authorization header (or getToken returned nothing).',
    causes: NO_TOKEN,
  },
  {
    id: 'express-jwt-bad-format',
    source: 'express-jwt',
    pattern: /Format is Authorization: Bearer \[token\]|credentials_bad_(format|scheme)/i,
    meaning:
      'The Authorization header is not "Bearer <token>": another scheme, no space, or the token twice.',
    causes: [MALFORMED[1] as MessageCause, MALFORMED[0] as MessageCause],
  },
  {
    id: 'express-jwt-revoked',
    source: 'express-jwt',
    pattern: /The token has been revoked|revoked_token/i,
    meaning: "express-jwt's isRevoked callback said this token is revoked.",
    causes: [
      {
        cause:
          'The session was revoked (logout, password change) and the client still uses its access token.',
        bucket: 'validation',
        code: 'TOKEN_REVOKED',
        check: 'Look the jti or session up in your revocation list.',
        fix: 'Sign in again; on the client, treat a revoked answer as logged out.',
      },
    ],
  },
  // jsonwebtoken (also what @nestjs/jwt, passport-jwt and express-jwt report inside)
  {
    id: 'jsonwebtoken-expired',
    source: 'jsonwebtoken',
    pattern: /TokenExpiredError|\bjwt expired\b|maxAge exceeded/,
    meaning:
      'jsonwebtoken refused the token because now >= exp + clockTolerance (or iat + maxAge passed).',
    causes: EXPIRED,
  },
  {
    id: 'jsonwebtoken-not-active',
    source: 'jsonwebtoken',
    pattern: /NotBeforeError|jwt not active/i,
    meaning: 'jsonwebtoken refused the token because nbf > now + clockTolerance.',
    causes: NOT_ACTIVE,
  },
  {
    id: 'jsonwebtoken-signature',
    source: 'jsonwebtoken',
    pattern: /\binvalid signature\b/i,
    meaning:
      'The signature does not match the header and payload with the key jsonwebtoken was given.',
    causes: SIGNATURE,
  },
  {
    id: 'jsonwebtoken-malformed',
    source: 'jsonwebtoken',
    pattern: /jwt malformed|jwt must be provided|jwt must be a string|\binvalid token\b/i,
    meaning:
      'What jsonwebtoken got is not a JWT: not three dot-separated parts, or a header that is not base64url JSON.',
    causes: MALFORMED,
  },
  {
    id: 'jsonwebtoken-unsigned',
    source: 'jsonwebtoken',
    pattern: /jwt signature is required|please specify "none" in "algorithms"/i,
    meaning: 'The token has no signature (alg "none").',
    causes: [ALGORITHM[1] as MessageCause, ALGORITHM[0] as MessageCause],
  },
  {
    id: 'jsonwebtoken-algorithm',
    source: 'jsonwebtoken',
    pattern: /invalid algorithm|must be an? (a)?symmetric key when using/i,
    meaning: "The token's alg is not allowed for the key jsonwebtoken was given.",
    causes: ALGORITHM,
  },
  {
    id: 'jsonwebtoken-audience',
    source: 'jsonwebtoken',
    pattern: /jwt audience invalid/i,
    meaning: "The token's aud is not the audience jsonwebtoken was told to expect.",
    causes: AUDIENCE,
  },
  {
    id: 'jsonwebtoken-issuer',
    source: 'jsonwebtoken',
    pattern: /jwt issuer invalid/i,
    meaning: "The token's iss is not the issuer jsonwebtoken was told to expect.",
    causes: ISSUER,
  },
  {
    id: 'jsonwebtoken-claim-type',
    source: 'jsonwebtoken',
    pattern: /invalid (exp|nbf) value/i,
    meaning: 'exp or nbf is not a number (a string of seconds, or a date string).',
    causes: [
      {
        cause:
          'The signer wrote the time claim as a string ("1767225600") or a date, not a number of seconds.',
        bucket: 'validation',
        code: 'CLAIM_INVALID',
        check: 'Decode the payload: a quoted exp is a string.',
        fix: 'Sign exp as a number of seconds, or let the library set it ({ expiresIn: "15m" }).',
      },
    ],
  },
  {
    id: 'jsonwebtoken-no-secret',
    source: 'jsonwebtoken',
    pattern:
      /secret or public key must be provided|secretOrPrivateKey must have a value|secretOrPublicKey is not valid key material/i,
    meaning: 'jsonwebtoken was called without a usable key.',
    causes: CONFIG_SECRET,
  },
  // jose
  {
    id: 'jose-expired',
    source: 'jose',
    pattern: /ERR_JWT_EXPIRED|"exp" claim timestamp check failed|JWTExpired/i,
    meaning: 'jose refused the token because exp <= now - clockTolerance.',
    causes: EXPIRED,
  },
  {
    id: 'jose-not-active',
    source: 'jose',
    pattern:
      /"nbf" claim timestamp check failed|"iat" claim timestamp check failed \(it should be in the past\)/i,
    meaning: 'jose refused the token because nbf (or iat) is in its future beyond clockTolerance.',
    causes: NOT_ACTIVE,
  },
  {
    id: 'jose-signature',
    source: 'jose',
    pattern: /ERR_JWS_SIGNATURE_VERIFICATION_FAILED|signature verification failed/i,
    meaning: 'The signature does not verify with the key jose resolved.',
    causes: SIGNATURE,
  },
  {
    id: 'jose-no-key',
    source: 'jose',
    pattern:
      /ERR_JWKS_NO_MATCHING_KEY|no applicable key found in the JSON Web Key Set|ERR_JWKS_MULTIPLE_MATCHING_KEYS/i,
    meaning: "No key in the JWKS has the token's kid (and alg).",
    causes: [
      {
        cause:
          'The signing key was rotated and the new key was not published before it signed, or the old one was removed while its tokens were alive.',
        bucket: 'validation',
        code: 'KEY_UNKNOWN',
        check: "Compare the token's kid with the kids in the JWKS the API reads.",
        fix: "Publish a new key before it signs and keep the old one until its tokens expire; check the API reads the right deployment's JWKS.",
      },
      {
        cause: 'The API reads the JWKS of another environment or tenant.',
        bucket: 'validation',
        code: 'KEY_UNKNOWN',
        check: "Open the JWKS URL the API is configured with and the token's iss.",
        fix: "Point createRemoteJWKSet at the issuer's own jwks_uri.",
      },
    ],
  },
  {
    id: 'jose-jwks-unreachable',
    source: 'jose',
    pattern: /ERR_JWKS_TIMEOUT|request timed out|ERR_JWKS_INVALID/i,
    meaning: 'jose could not fetch or read the JWKS.',
    causes: [
      {
        cause:
          'The JWKS URL is unreachable from the API (network policy, DNS, a wrong URL) or answered something that is not a JWKS.',
        bucket: null,
        code: 'KEY_INVALID',
        check: 'curl the JWKS URL from the API host.',
        fix: 'Fix the URL or the network path; raise timeoutDuration only if the issuer is slow.',
      },
    ],
  },
  {
    id: 'jose-typ',
    source: 'jose',
    pattern: /unexpected "typ" JWT header value/i,
    meaning: "The token's typ is not the one jose was told to expect (typ option).",
    causes: [
      {
        cause:
          'An ID token (typ JWT) was sent where an access token (typ at+jwt) belongs, or the issuer does not set typ.',
        bucket: 'validation',
        code: 'TOKEN_TYPE_MISMATCH',
        check:
          'Decode the header: typ, and the payload: an ID token has nonce/at_hash and aud = the client id.',
        fix: 'Send the access token; configure typ only if the issuer sets it.',
      },
    ],
  },
  {
    id: 'jose-audience',
    source: 'jose',
    pattern: /unexpected "aud" claim value/i,
    meaning: "The token's aud is not the audience jose was told to expect.",
    causes: AUDIENCE,
  },
  {
    id: 'jose-issuer',
    source: 'jose',
    pattern: /unexpected "iss" claim value/i,
    meaning: "The token's iss is not the issuer jose was told to expect.",
    causes: ISSUER,
  },
  {
    id: 'jose-malformed',
    source: 'jose',
    pattern:
      /ERR_JWS_INVALID|ERR_JWT_INVALID|Invalid Compact JWS|JWS Protected Header is invalid|Failed to base64url decode/i,
    meaning:
      'What jose got is not a compact JWS (three base64url parts) or one of its parts does not decode.',
    causes: [...MALFORMED, SIGNATURE[1] as MessageCause],
  },
  {
    id: 'jose-algorithm',
    source: 'jose',
    pattern:
      /ERR_JOSE_ALG_NOT_ALLOWED|ERR_JOSE_NOT_SUPPORTED|"alg" \(Algorithm\) Header Parameter value not allowed|Key for the \S+ algorithm must be/i,
    meaning: "The token's alg is not allowed, not supported, or does not fit the key.",
    causes: ALGORITHM,
  },
  {
    id: 'jose-claim-type',
    source: 'jose',
    pattern: /"(exp|nbf|iat)" claim must be a number/i,
    meaning: 'A time claim is not a number.',
    causes: [
      {
        cause: 'The signer wrote the time claim as a string or a date, not a number of seconds.',
        bucket: 'validation',
        code: 'CLAIM_INVALID',
        check: 'Decode the payload: a quoted exp is a string.',
        fix: 'Sign time claims as numbers of seconds (setExpirationTime("15m")).',
      },
    ],
  },
  // fast-jwt
  {
    id: 'fast-jwt-expired',
    source: 'fast-jwt',
    pattern: /FAST_JWT_EXPIRED|The token has expired at/i,
    meaning: 'fast-jwt refused the token: now is past exp (plus clockTolerance, in milliseconds).',
    causes: EXPIRED,
  },
  {
    id: 'fast-jwt-inactive',
    source: 'fast-jwt',
    pattern: /FAST_JWT_INACTIVE|The token will be active at/i,
    meaning: 'fast-jwt refused the token: nbf is in its future.',
    causes: NOT_ACTIVE,
  },
  {
    id: 'fast-jwt-signature',
    source: 'fast-jwt',
    pattern: /FAST_JWT_INVALID_SIGNATURE|The token signature is invalid/i,
    meaning: 'The signature does not verify (or is not base64url).',
    causes: SIGNATURE,
  },
  {
    id: 'fast-jwt-malformed',
    source: 'fast-jwt',
    pattern:
      /FAST_JWT_MALFORMED|FAST_JWT_INVALID_PAYLOAD|The token is malformed|is not a valid base64url serialized JSON/i,
    meaning: 'What fast-jwt got is not a JWT, or a part does not decode.',
    causes: MALFORMED,
  },
  {
    id: 'fast-jwt-claim',
    source: 'fast-jwt',
    pattern:
      /FAST_JWT_INVALID_CLAIM_VALUE|The (aud|iss|sub) claim value is not allowed|None of (aud|iss) claim values are allowed/i,
    meaning: 'The aud, iss or sub claim is not one fast-jwt allows.',
    causes: [AUDIENCE[0] as MessageCause, ISSUER[0] as MessageCause],
  },
  {
    id: 'fast-jwt-algorithm',
    source: 'fast-jwt',
    pattern:
      /FAST_JWT_INVALID_ALGORITHM|FAST_JWT_MISSING_SIGNATURE|The token algorithm is invalid|The token signature is missing/i,
    meaning: 'The token is unsigned or its alg is not allowed for the key.',
    causes: ALGORITHM,
  },
  {
    id: 'fast-jwt-claim-type',
    source: 'fast-jwt',
    pattern: /FAST_JWT_INVALID_CLAIM_TYPE|The (exp|nbf|iat) claim must be a number/i,
    meaning: 'A claim has the wrong type (a string exp).',
    causes: [
      {
        cause: 'The signer wrote the time claim as a string, not a number of seconds.',
        bucket: 'validation',
        code: 'CLAIM_INVALID',
        check: 'Decode the payload: a quoted exp is a string.',
        fix: 'Sign time claims as numbers of seconds.',
      },
    ],
  },
  {
    id: 'fast-jwt-missing-key',
    source: 'fast-jwt',
    pattern: /FAST_JWT_MISSING_KEY|The key option is missing/i,
    meaning: 'fast-jwt was created without a key.',
    causes: CONFIG_SECRET,
  },
  // passport and Nest: a bare 401 that hides the cause
  {
    id: 'passport-no-token',
    source: 'passport',
    pattern: /No auth token/i,
    meaning: "passport-jwt's jwtFromRequest extracted nothing from the request.",
    causes: [
      {
        cause:
          'The extractor looks elsewhere than the client sends: fromAuthHeaderAsBearerToken() but the client sends "JWT <token>" or a cookie (or the reverse).',
        bucket: 'storage',
        code: 'TOKEN_MISSING',
        check: 'Compare the extractor with the header the client sends (a HAR shows it).',
        fix: 'Use one convention: "Authorization: Bearer <token>" with ExtractJwt.fromAuthHeaderAsBearerToken().',
      },
      NO_TOKEN[0] as MessageCause,
    ],
  },
  {
    id: 'nest-unauthorized',
    source: '@nestjs/jwt',
    pattern: /UnauthorizedException|"statusCode"\s*:\s*401/i,
    meaning:
      'A Nest guard threw UnauthorizedException: the JwtService or passport error behind it is not shown.',
    causes: HIDDEN_401,
  },
  {
    id: 'passport-unauthorized',
    source: 'passport',
    pattern: /^\s*(401\s*)?Unauthorized\s*$/i,
    meaning: 'passport answered a bare 401: the strategy failed and its reason (info) is not sent.',
    causes: HIDDEN_401,
  },
  // Supabase (GoTrue / PostgREST / supabase-js)
  {
    id: 'supabase-expired-by',
    source: 'supabase',
    pattern:
      /invalid JWT: unable to parse or verify signature, token (is expired|has invalid claims: token is expired)/i,
    meaning: 'Supabase Auth refused the access token because it expired (it says by how much).',
    causes: EXPIRED,
  },
  {
    id: 'supabase-bad-jwt',
    source: 'supabase',
    pattern:
      /invalid JWT: unable to parse or verify signature|JWSError|JWSInvalidSignature|JWT cryptographic operation failed|bad_jwt/i,
    meaning: "Supabase could not verify the token with the project's JWT secret or keys.",
    causes: [
      {
        cause:
          'The token was signed for another Supabase project (or with the old JWT secret after a rotation), or it is the anon/service key used as a user token.',
        bucket: 'validation',
        code: 'SIGNATURE_INVALID',
        check: 'Decode the token: iss names the project (https://<ref>.supabase.co/auth/v1).',
        fix: "Use the session of this project's client; after a JWT secret rotation every user signs in again.",
      },
      SIGNATURE[1] as MessageCause,
    ],
  },
  {
    id: 'supabase-jwt-expired',
    source: 'supabase',
    pattern: /\bJWT expired\b|PGRST30[13]/,
    meaning:
      "PostgREST (the Data API) refused the request because the user's access token expired.",
    causes: [
      {
        cause:
          'The client sent an access token after it expired: autoRefreshToken is off, the tab slept through the refresh, or a server-side client kept an old session.',
        bucket: 'time',
        code: 'TOKEN_EXPIRED',
        check:
          'Decode the token from the request (a HAR shows which one was sent, by hash) and compare exp with the Date header.',
        fix: 'Keep autoRefreshToken on, call getSession() (which refreshes) before server-side queries, and create a server client per request.',
      },
      EXPIRED[2] as MessageCause,
    ],
  },
  {
    id: 'supabase-refresh-used',
    source: 'supabase',
    pattern: /Invalid Refresh Token: Already Used|refresh_token_already_used/i,
    meaning:
      'Supabase Auth refused a refresh token that was already exchanged (outside the reuse interval).',
    causes: REFRESH_REUSED,
  },
  {
    id: 'supabase-refresh-not-found',
    source: 'supabase',
    pattern: /Invalid Refresh Token: Refresh Token Not Found|refresh_token_not_found/i,
    meaning: 'Supabase Auth does not know this refresh token any more.',
    causes: REFRESH_GONE,
  },
  {
    id: 'supabase-session-missing',
    source: 'supabase',
    pattern: /Auth session missing/i,
    meaning: 'supabase-js has no session in its storage.',
    causes: [
      {
        cause:
          'The session lives in another storage than the client reads: server code without the auth cookies, a second client instance with another storageKey, or cookies not forwarded by middleware.',
        bucket: 'storage',
        code: 'TOKEN_MISSING',
        check: 'A HAR shows whether the sb-<ref>-auth-token cookie reached the server.',
        fix: 'Use @supabase/ssr with the cookie adapter on every server entry point, and one client per storage.',
      },
    ],
  },
  // Auth0 SDKs
  {
    id: 'auth0-missing-refresh-token',
    source: 'auth0',
    pattern: /Missing Refresh Token|missing_refresh_token|a refresh token is not available/i,
    meaning: 'The Auth0 SDK needed a refresh token and has none for this audience and scope.',
    causes: [
      {
        cause:
          'Refresh tokens were not requested (no offline_access scope, or useRefreshTokens without "Allow Offline Access" on the API), or the cache holding them was lost (memory cache after a reload).',
        bucket: 'storage',
        code: 'REFRESH_TOKEN_MISSING',
        check: "Check the authorize request for scope offline_access and the SDK's cacheLocation.",
        fix: 'Request offline_access, enable offline access on the API, and use useRefreshTokensFallback or a persistent cache.',
      },
    ],
  },
  {
    id: 'auth0-login-required',
    source: 'auth0',
    pattern: /\bLogin required\b|login_required/i,
    meaning: 'Silent authentication (an iframe to Auth0) found no Auth0 session.',
    causes: [
      {
        cause:
          'The browser blocks third-party cookies (Safari ITP, Chrome), so the iframe cannot see the Auth0 session cookie.',
        bucket: 'storage',
        code: null,
        check:
          'Does it fail only in Safari or private windows? A HAR shows the /authorize iframe request without cookies.',
        fix: 'Use refresh token rotation (useRefreshTokens) or a custom domain on the same site as the app.',
      },
      {
        cause: 'The Auth0 session really ended (logout elsewhere, session lifetime).',
        bucket: 'time',
        code: 'SESSION_EXPIRED',
        check: "Check the tenant's session lifetime settings.",
        fix: 'Redirect to login.',
      },
    ],
  },
  {
    id: 'auth0-invalid-refresh',
    source: 'auth0',
    pattern: /Unknown or invalid refresh token|invalid_grant/i,
    meaning: 'Auth0 refused the refresh token.',
    causes: [...REFRESH_REUSED, REFRESH_GONE[0] as MessageCause],
  },
  // SuperTokens
  {
    id: 'supertokens-try-refresh',
    source: 'supertokens',
    pattern: /try refresh token|TRY_REFRESH_TOKEN/i,
    meaning:
      'SuperTokens says the access token expired (or is missing claims) and the frontend SDK should refresh.',
    causes: [
      {
        cause:
          'The access token expired and the request was not made through the SuperTokens frontend SDK (a plain fetch or a second axios instance), so nothing refreshed it.',
        bucket: 'time',
        code: 'TOKEN_EXPIRED',
        check: "Is the failing request sent through the SDK's interceptors?",
        fix: 'Route every API call through the SDK-wrapped fetch/axios; on the server, make sure apiDomain and websiteDomain match what the browser uses.',
      },
      NO_TOKEN[1] as MessageCause,
    ],
  },
  {
    id: 'supertokens-theft',
    source: 'supertokens',
    pattern: /token theft detected|TOKEN_THEFT_DETECTED/i,
    meaning: 'SuperTokens saw an old refresh token reused and revoked the session.',
    causes: REFRESH_REUSED,
  },
  {
    id: 'supertokens-unauthorised',
    source: 'supertokens',
    pattern: /\bunauthorised\b|UNAUTHORISED/,
    meaning: 'SuperTokens found no valid session (no tokens sent, or the refresh failed).',
    causes: [
      {
        cause:
          'The session cookies were not sent: cookieDomain or SameSite does not cover the API, or the API is called on another site without credentials.',
        bucket: 'storage',
        code: 'TOKEN_MISSING',
        check:
          'A HAR shows which cookies each request sent and which Set-Cookie the browser refused.',
        fix: 'Set cookieDomain for both subdomains (or same-site deployment) and send credentials: "include".',
      },
      REFRESH_GONE[0] as MessageCause,
    ],
  },
];
