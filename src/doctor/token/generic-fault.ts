/**
 * The vocabulary of generic JWT verification: the verifiers `--verifier` names, the faults they refuse
 * a token for, the values a message is built from, and the Tessera code each fault corresponds to.
 */
import type { ErrorCode } from '../../errors/codes.js';

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
