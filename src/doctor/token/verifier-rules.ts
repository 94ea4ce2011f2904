/**
 * How the JWT verifiers people run judge a token, as data: which faults each one checks and in what
 * order, its default leeway, how it treats typ, alg and exp, and the exact error it throws for each
 * fault. The doctor never loads these libraries; test/doctor/verifier-catalogue.test.ts runs each one
 * on forged tokens and checks that every message here is the one the library really throws.
 */
import type { LibraryError } from '../diagnosis.js';
import type { FaultContext, GenericFault, VerifierName } from './generic-fault.js';
import { fastJwtError, joseError, jsonwebtokenError } from './library-errors.js';

export type { LibraryError };
export {
  FAULT_CODES,
  VERIFIER_NAMES,
  type FaultContext,
  type GenericFault,
  type VerifierName,
} from './generic-fault.js';

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
