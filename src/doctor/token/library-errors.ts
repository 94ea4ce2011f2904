/**
 * The exact error each library throws for each fault, word for word (jsonwebtoken and the libraries over
 * it, jose, fast-jwt). test/doctor/verifier-catalogue.test.ts runs each library on forged tokens and
 * checks every message here against what it really threw.
 */
import type { LibraryError } from '../diagnosis.js';
import type { FaultContext, GenericFault } from './generic-fault.js';

const thrown = (name: string, message: string, code: string | null = null): LibraryError => ({
  name,
  code,
  message,
  status: null,
  response: null,
});

/**
 * What jsonwebtoken throws for a fault.
 *
 * @example
 * ```ts
 * jsonwebtokenError('expired', context).name;
 * ```
 */
export function jsonwebtokenError(fault: GenericFault, context: FaultContext): LibraryError {
  const plain = (message: string): LibraryError => thrown('JsonWebTokenError', message);
  switch (fault) {
    case 'malformed':
      return plain('jwt malformed');
    case 'header-invalid':
    case 'payload-invalid':
      return plain('invalid token');
    case 'unsigned':
      // An empty signature is caught first; alg "none" with a signature is not an allowed algorithm.
      return context.signatureLength === 0
        ? plain('jwt signature is required')
        : plain('invalid algorithm');
    case 'algorithm-not-allowed':
      return plain('invalid algorithm');
    case 'signature-undecodable':
    case 'signature-invalid':
      return plain('invalid signature');
    case 'nbf-not-number':
      return plain('invalid nbf value');
    case 'not-yet-valid':
      return thrown('NotBeforeError', 'jwt not active');
    case 'exp-not-number':
      return plain('invalid exp value');
    case 'expired':
      return thrown('TokenExpiredError', 'jwt expired');
    case 'audience-mismatch':
      return plain(`jwt audience invalid. expected: ${context.audience ?? ''}`);
    case 'issuer-mismatch':
      return plain(`jwt issuer invalid. expected: ${context.issuer ?? ''}`);
    default:
      return plain('invalid token');
  }
}

/**
 * What jose throws for a fault.
 *
 * @example
 * ```ts
 * joseError('expired', context).name;
 * ```
 */
export function joseError(fault: GenericFault, context: FaultContext): LibraryError {
  const claim = (message: string): LibraryError =>
    thrown('JWTClaimValidationFailed', message, 'ERR_JWT_CLAIM_VALIDATION_FAILED');
  const jws = (message: string): LibraryError => thrown('JWSInvalid', message, 'ERR_JWS_INVALID');
  switch (fault) {
    case 'malformed':
      return jws('Invalid Compact JWS');
    case 'header-invalid':
      return jws('JWS Protected Header is invalid');
    case 'payload-invalid':
      return thrown(
        'JWTInvalid',
        'JWT Claims Set must be a top-level JSON object',
        'ERR_JWT_INVALID',
      );
    case 'unsigned':
      return context.alg === 'none'
        ? thrown(
            'JOSENotSupported',
            'alg none is not supported either by JOSE or your javascript runtime',
            'ERR_JOSE_NOT_SUPPORTED',
          )
        : thrown(
            'JWSSignatureVerificationFailed',
            'signature verification failed',
            'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
          );
    case 'algorithm-not-allowed':
      // Given an HMAC secret (bytes), jose refuses an asymmetric alg before any crypto.
      return thrown(
        'TypeError',
        `Key for the ${context.alg ?? ''} algorithm must be one of type CryptoKey, KeyObject, or JSON Web Key. Received an instance of Uint8Array`,
      );
    case 'signature-undecodable':
      return jws('Failed to base64url decode the signature');
    case 'signature-invalid':
      return thrown(
        'JWSSignatureVerificationFailed',
        'signature verification failed',
        'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      );
    case 'iat-not-number':
      return claim('"iat" claim must be a number');
    case 'nbf-not-number':
      return claim('"nbf" claim must be a number');
    case 'not-yet-valid':
      return claim('"nbf" claim timestamp check failed');
    case 'exp-not-number':
      return claim('"exp" claim must be a number');
    case 'expired':
      return thrown('JWTExpired', '"exp" claim timestamp check failed', 'ERR_JWT_EXPIRED');
    case 'audience-mismatch':
      return claim('unexpected "aud" claim value');
    case 'issuer-mismatch':
      return claim('unexpected "iss" claim value');
    default:
      return jws('Invalid Compact JWS');
  }
}

/**
 * What fast-jwt throws for a fault.
 *
 * @example
 * ```ts
 * fastJwtError('expired', context).name;
 * ```
 */
export function fastJwtError(fault: GenericFault, context: FaultContext): LibraryError {
  const token = (code: string, message: string): LibraryError =>
    thrown('TokenError', message, code);
  const at = (seconds: number | undefined, modifierMs: number): string => {
    const ms = (seconds ?? 0) * 1000 + modifierMs;
    return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : 'NaN';
  };
  const toleranceMs = context.leewaySeconds * 1000;
  switch (fault) {
    case 'malformed':
      return token('FAST_JWT_MALFORMED', 'The token is malformed.');
    case 'header-invalid':
      return token(
        'FAST_JWT_MALFORMED',
        'The token header is not a valid base64url serialized JSON.',
      );
    case 'payload-invalid':
      return token(
        'FAST_JWT_MALFORMED',
        'The token payload is not a valid base64url serialized JSON.',
      );
    case 'unsigned':
      return context.signatureLength === 0
        ? token('FAST_JWT_MISSING_SIGNATURE', 'The token signature is missing.')
        : token('FAST_JWT_INVALID_ALGORITHM', 'The token algorithm is invalid.');
    case 'algorithm-not-allowed':
      return token('FAST_JWT_INVALID_ALGORITHM', 'The token algorithm is invalid.');
    case 'signature-undecodable':
    case 'signature-invalid':
      return token('FAST_JWT_INVALID_SIGNATURE', 'The token signature is invalid.');
    case 'nbf-not-number':
      return token('FAST_JWT_INVALID_CLAIM_TYPE', 'The nbf claim must be a number.');
    case 'not-yet-valid':
      return token(
        'FAST_JWT_INACTIVE',
        `The token will be active at ${at(context.nbf, -toleranceMs)}.`,
      );
    case 'exp-not-number':
      return token('FAST_JWT_INVALID_CLAIM_TYPE', 'The exp claim must be a number.');
    case 'expired':
      return token('FAST_JWT_EXPIRED', `The token has expired at ${at(context.exp, toleranceMs)}.`);
    case 'audience-mismatch':
      return token('FAST_JWT_INVALID_CLAIM_VALUE', 'The aud claim value is not allowed.');
    case 'issuer-mismatch':
      return token('FAST_JWT_INVALID_CLAIM_VALUE', 'The iss claim value is not allowed.');
    default:
      return token('FAST_JWT_MALFORMED', 'The token is malformed.');
  }
}

// jsonwebtoken's order: structure, signature, nbf, exp, aud, iss.
