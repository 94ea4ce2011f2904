import { CAUSES, type MessageCause, type MessagePattern } from './message-causes.js';

const { EXPIRED, NOT_ACTIVE, SIGNATURE, MALFORMED, AUDIENCE, ISSUER, ALGORITHM, CONFIG_SECRET } =
  CAUSES;

/**
 * The messages fast-jwt throws, most specific first (a slice of LIBRARY_PATTERNS, in its order).
 *
 * @example
 * ```ts
 * FAST_JWT_PATTERNS.map((entry) => entry.id);
 * ```
 */
export const FAST_JWT_PATTERNS: readonly MessagePattern[] = [
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
];
