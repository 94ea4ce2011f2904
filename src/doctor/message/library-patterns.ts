import { FAST_JWT_PATTERNS } from './fast-jwt-patterns.js';
import { JOSE_PATTERNS } from './jose-patterns.js';
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
  ...JOSE_PATTERNS,
  ...FAST_JWT_PATTERNS,
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
