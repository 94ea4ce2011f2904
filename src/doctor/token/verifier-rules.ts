/**
 * How the JWT verifiers people run judge a token, as data: which faults each one checks and in what
 * order, its default leeway, how it treats typ, alg and exp, and the exact error it throws for each
 * fault. The doctor never loads these libraries; test/doctor/verifier-catalogue.test.ts runs each one
 * on forged tokens and checks that every message here is the one the library really throws.
 */
import type { ErrorCode } from '../../errors/codes.js';
import type { LibraryError } from '../diagnosis.js';

export type { LibraryError };

/**
 * The verifiers `--verifier` names. express-jwt, passport-jwt and @nestjs/jwt verify with jsonwebtoken
 * underneath, so they share its checks and differ in how the failure reaches the client.
 *
 * @example
 * ```ts
 * const verifier: VerifierName = 'jose'; // tessera doctor --verifier jose
 * ```
 */
export type VerifierName =
  'jsonwebtoken' | 'jose' | 'express-jwt' | 'passport-jwt' | '@nestjs/jwt' | 'fast-jwt' | 'tessera';

/**
 * Every verifier name, in the order the help text lists them.
 *
 * @example
 * ```ts
 * VERIFIER_NAMES.includes('fast-jwt'); // true
 * ```
 */
export const VERIFIER_NAMES: readonly VerifierName[] = [
  'jsonwebtoken',
  'jose',
  'express-jwt',
  'passport-jwt',
  '@nestjs/jwt',
  'fast-jwt',
  'tessera',
];

/**
 * A fault a generic verifier can refuse a token for. `malformed` is the wrong number of parts,
 * `header-invalid` an unreadable header, `unsigned` alg "none" or an empty signature,
 * `signature-undecodable` a signature that is not even base64url.
 *
 * @example
 * ```ts
 * const fault: GenericFault = 'expired';
 * ```
 */
export type GenericFault =
  | 'malformed'
  | 'header-invalid'
  | 'payload-invalid'
  | 'unsigned'
  | 'algorithm-not-allowed'
  | 'signature-undecodable'
  | 'signature-invalid'
  | 'iat-not-number'
  | 'nbf-not-number'
  | 'not-yet-valid'
  | 'exp-not-number'
  | 'expired'
  | 'audience-mismatch'
  | 'issuer-mismatch';

/**
 * The values a message is built from: what the verifier was configured with and what the token says.
 *
 * @example
 * ```ts
 * const context: FaultContext = { alg: 'HS256', exp: 1767225600, nbf: undefined, leewaySeconds: 0, audience: 'api', issuer: undefined, signatureLength: 43 };
 * ```
 */
export interface FaultContext {
  readonly alg: string | undefined;
  readonly exp: number | undefined;
  readonly nbf: number | undefined;
  readonly leewaySeconds: number;
  readonly audience: string | undefined;
  readonly issuer: string | undefined;
  /** Characters in the signature segment. */
  readonly signatureLength: number;
}

/**
 * One verifier's rules. `checks` is the order the library runs them in: the first fault found is the
 * one it throws.
 *
 * @example
 * ```ts
 * VERIFIER_RULES.jose.defaultLeewaySeconds; // 0
 * ```
 */
export interface VerifierRules {
  readonly name: Exclude<VerifierName, 'tessera'>;
  readonly checks: readonly GenericFault[];
  readonly defaultLeewaySeconds: number;
  /** The option that sets leeway, as the library spells it. */
  readonly leewayOption: string;
  readonly typ: string;
  readonly algorithms: string;
  readonly expTypes: string;
  /** Whether exp is compared in whole seconds (floored clock) or milliseconds. */
  readonly clock: 'seconds' | 'milliseconds';
  /** Claims it checks only when configured to. */
  readonly optionalClaims: string;
  readonly error: (fault: GenericFault, context: FaultContext) => LibraryError;
}

/**
 * Which Tessera code and bucket each generic fault corresponds to.
 *
 * @example
 * ```ts
 * FAULT_CODES.expired; // 'TOKEN_EXPIRED'
 * ```
 */
export const FAULT_CODES: Readonly<Record<GenericFault, ErrorCode>> = {
  malformed: 'TOKEN_MALFORMED',
  'header-invalid': 'TOKEN_MALFORMED',
  'payload-invalid': 'TOKEN_MALFORMED',
  unsigned: 'ALGORITHM_NOT_ALLOWED',
  'algorithm-not-allowed': 'ALGORITHM_NOT_ALLOWED',
  'signature-undecodable': 'TOKEN_MALFORMED',
  'signature-invalid': 'SIGNATURE_INVALID',
  'iat-not-number': 'CLAIM_INVALID',
  'nbf-not-number': 'CLAIM_INVALID',
  'not-yet-valid': 'TOKEN_NOT_YET_VALID',
  'exp-not-number': 'CLAIM_INVALID',
  expired: 'TOKEN_EXPIRED',
  'audience-mismatch': 'AUDIENCE_MISMATCH',
  'issuer-mismatch': 'ISSUER_MISMATCH',
};

const thrown = (name: string, message: string, code: string | null = null): LibraryError => ({
  name,
  code,
  message,
  status: null,
  response: null,
});

function jsonwebtokenError(fault: GenericFault, context: FaultContext): LibraryError {
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

function joseError(fault: GenericFault, context: FaultContext): LibraryError {
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

function fastJwtError(fault: GenericFault, context: FaultContext): LibraryError {
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
const JSONWEBTOKEN_CHECKS: readonly GenericFault[] = [
  'malformed',
  'header-invalid',
  'unsigned',
  'algorithm-not-allowed',
  'signature-invalid',
  'nbf-not-number',
  'not-yet-valid',
  'exp-not-number',
  'expired',
  'audience-mismatch',
  'issuer-mismatch',
];

const JSONWEBTOKEN_FAMILY = {
  defaultLeewaySeconds: 0,
  typ: 'not checked: typ "JWT", "at+jwt" or none all pass',
  algorithms:
    'from the key type unless `algorithms` is given (HS* for a secret, RS*/PS* for RSA, ES* for EC); "none" only when listed',
  expTypes:
    'a number only ("invalid exp value" for a string); milliseconds pass as a date 1000 times too far away',
  clock: 'seconds' as const,
  optionalClaims: 'aud, iss, sub, jti, maxAge: only when configured; exp and nbf only when present',
};

/**
 * The rules of every generic verifier the doctor knows. Leeway is 0 in all of them unless configured
 * (`clockTolerance`), which is why a few seconds of clock skew refuses fresh tokens.
 *
 * @example
 * ```ts
 * VERIFIER_RULES.jsonwebtoken.error('expired', context).message; // 'jwt expired'
 * ```
 */
export const VERIFIER_RULES: Readonly<Record<Exclude<VerifierName, 'tessera'>, VerifierRules>> = {
  jsonwebtoken: {
    name: 'jsonwebtoken',
    checks: JSONWEBTOKEN_CHECKS,
    leewayOption: 'clockTolerance (seconds)',
    ...JSONWEBTOKEN_FAMILY,
    error: jsonwebtokenError,
  },
  'express-jwt': {
    name: 'express-jwt',
    checks: JSONWEBTOKEN_CHECKS,
    leewayOption: 'clockTolerance (seconds, passed to jsonwebtoken)',
    ...JSONWEBTOKEN_FAMILY,
    // express-jwt wraps jsonwebtoken's error: same message, its own class and code, status 401.
    error: (fault, context) => ({
      ...jsonwebtokenError(fault, context),
      name: 'UnauthorizedError',
      code: 'invalid_token',
      status: 401,
    }),
  },
  'passport-jwt': {
    name: 'passport-jwt',
    checks: JSONWEBTOKEN_CHECKS,
    leewayOption: 'jsonWebTokenOptions.clockTolerance (seconds)',
    ...JSONWEBTOKEN_FAMILY,
    // passport-jwt hands jsonwebtoken's error to fail() as info; passport answers a bare 401.
    error: (fault, context) => ({
      ...jsonwebtokenError(fault, context),
      status: 401,
      response: 'Unauthorized',
    }),
  },
  '@nestjs/jwt': {
    name: '@nestjs/jwt',
    checks: JSONWEBTOKEN_CHECKS,
    leewayOption: 'verifyOptions.clockTolerance (seconds)',
    ...JSONWEBTOKEN_FAMILY,
    // JwtService.verify rethrows jsonwebtoken's error; guards turn it into UnauthorizedException.
    error: (fault, context) => ({
      ...jsonwebtokenError(fault, context),
      status: 401,
      response: '{"message":"Unauthorized","statusCode":401}',
    }),
  },
  jose: {
    name: 'jose',
    checks: [
      'malformed',
      'header-invalid',
      'unsigned',
      'algorithm-not-allowed',
      'signature-undecodable',
      'signature-invalid',
      'payload-invalid',
      'issuer-mismatch',
      'audience-mismatch',
      'iat-not-number',
      'nbf-not-number',
      'not-yet-valid',
      'exp-not-number',
      'expired',
    ],
    defaultLeewaySeconds: 0,
    leewayOption: 'clockTolerance (seconds or "30s")',
    typ: 'checked only with the `typ` option (then "at+jwt" and "application/at+jwt" match)',
    algorithms: 'from `algorithms` or the key; "none" is never supported',
    expTypes: 'a number only (\'"exp" claim must be a number\'); milliseconds pass',
    clock: 'seconds',
    optionalClaims: 'iss, aud, sub, typ, requiredClaims, maxTokenAge: only when configured',
    error: joseError,
  },
  'fast-jwt': {
    name: 'fast-jwt',
    checks: [
      'malformed',
      'header-invalid',
      'payload-invalid',
      'unsigned',
      'algorithm-not-allowed',
      'signature-invalid',
      'nbf-not-number',
      'not-yet-valid',
      'exp-not-number',
      'expired',
      'audience-mismatch',
      'issuer-mismatch',
    ],
    defaultLeewaySeconds: 0,
    leewayOption: 'clockTolerance (milliseconds)',
    typ: 'checked only with `checkTyp`',
    algorithms: 'from `algorithms` or the key type; "none" only with `algorithms: ["none"]`',
    expTypes: "a number only ('The exp claim must be a number.'); milliseconds pass",
    clock: 'milliseconds',
    optionalClaims: 'allowedAud, allowedIss, allowedSub, requiredClaims: only when configured',
    error: fastJwtError,
  },
};
