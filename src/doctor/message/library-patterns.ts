import { CAUSES, type MessageCause, type MessagePattern } from './message-causes.js';

const {
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
} = CAUSES;

/**
 * The messages of JWT libraries (express-jwt, jsonwebtoken, jose, fast-jwt, passport, Nest), most
 * specific first: a wrapper's message comes before the jsonwebtoken message it wraps.
 *
 * @example
 * ```ts
 * LIBRARY_PATTERNS.map((entry) => entry.id);
 * ```
 */
export const LIBRARY_PATTERNS: readonly MessagePattern[] = [
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
];
