import { CAUSES, type MessageCause, type MessagePattern } from './message-causes.js';

const { EXPIRED, NOT_ACTIVE, SIGNATURE, MALFORMED, AUDIENCE, ISSUER, ALGORITHM } = CAUSES;

/**
 * The messages jose throws, most specific first (a slice of LIBRARY_PATTERNS, in its order).
 *
 * @example
 * ```ts
 * JOSE_PATTERNS.map((entry) => entry.id);
 * ```
 */
export const JOSE_PATTERNS: readonly MessagePattern[] = [
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
];
