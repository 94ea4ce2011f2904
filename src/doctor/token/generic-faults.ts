/**
 * Finds the fault a generic verifier (jsonwebtoken, jose, fast-jwt and the middleware built on them)
 * would refuse a token for, by that verifier's rules in VERIFIER_RULES: the first fault in its order is
 * the one it throws. Pure: the token, the expectations, the keys and an instant in, a fault out.
 */
import { constants, createHmac, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import type { KeySet } from './key-sources.js';
import {
  VERIFIER_RULES,
  type FaultContext,
  type GenericFault,
  type LibraryError,
  type VerifierName,
} from './verifier-rules.js';

/**
 * What the verifier was configured with. Undefined audience or issuer means "not checked", as in the
 * libraries themselves.
 *
 * @example
 * ```ts
 * const expectations: GenericExpectations = { audience: 'api', issuer: undefined, leewaySeconds: 0 };
 * ```
 */
export interface GenericExpectations {
  readonly audience: string | undefined;
  readonly issuer: string | undefined;
  readonly leewaySeconds: number;
}

/**
 * One verifier's outcome for a token: the fault and that library's error, or none.
 *
 * @example
 * ```ts
 * const outcome: GenericOutcome = { verifier: 'jsonwebtoken', fault: 'expired', error, signature: 'verified' };
 * ```
 */
export interface GenericOutcome {
  readonly verifier: Exclude<VerifierName, 'tessera'>;
  readonly fault: GenericFault | null;
  readonly error: LibraryError | null;
  /** 'cut' when the signature is shorter than its algorithm's: no key could verify it. */
  readonly signature: 'verified' | 'failed' | 'cut' | 'unchecked';
}

// Minimum signature bytes per algorithm; RSA at the 2048-bit minimum.
const SIGNATURE_BYTES: Readonly<Record<string, number>> = {
  HS256: 32,
  HS384: 48,
  HS512: 64,
  RS256: 256,
  RS384: 256,
  RS512: 256,
  PS256: 256,
  PS384: 256,
  PS512: 256,
  ES256: 64,
  ES384: 96,
  ES512: 132,
  EdDSA: 64,
  Ed25519: 64,
};

const BASE64URL = /^[A-Za-z0-9_-]*$/;
// jws (under jsonwebtoken) refuses anything else before decoding.
const JWS_REGEX = /^[a-zA-Z0-9\-_]+?\.[a-zA-Z0-9\-_]+?\.([a-zA-Z0-9\-_]+)?$/;

/**
 * The expected length of a signature for an algorithm, or undefined for algorithms the doctor does not know.
 *
 * @example
 * ```ts
 * expectedSignatureBytes('HS256'); // 32
 * ```
 */
export function expectedSignatureBytes(alg: string | undefined): number | undefined {
  return alg === undefined ? undefined : SIGNATURE_BYTES[alg];
}

/**
 * Judges a token (the value the app hands its verifier) by one generic verifier's rules.
 *
 * @example
 * ```ts
 * judgeByVerifier({ token, verifier: 'jose', expectations, keys: undefined, nowMs: Date.now() }).error?.code; // 'ERR_JWT_EXPIRED'
 * ```
 */
export function judgeByVerifier(options: {
  token: string;
  verifier: Exclude<VerifierName, 'tessera'>;
  expectations: GenericExpectations;
  keys: KeySet | undefined;
  nowMs: number;
}): GenericOutcome {
  const { token, verifier, expectations } = options;
  const rules = VERIFIER_RULES[verifier];
  const parts = token.split('.');
  const header = decodeObject(parts[0]);
  const payload = parts.length >= 3 ? decodeObject(parts.slice(1, -1).join('.')) : undefined;
  const signatureSegment = parts.length >= 3 ? (parts[parts.length - 1] as string) : '';
  const alg = typeof header?.alg === 'string' ? header.alg : undefined;
  const signature = checkSignature({ token, alg, signatureSegment, keys: options.keys });
  const context: FaultContext = {
    alg,
    exp: typeof payload?.exp === 'number' ? payload.exp : undefined,
    nbf: typeof payload?.nbf === 'number' ? payload.nbf : undefined,
    leewaySeconds: expectations.leewaySeconds,
    audience: expectations.audience,
    issuer: expectations.issuer,
    signatureLength: signatureSegment.length,
  };
  const family = verifier === 'jose' ? 'jose' : verifier === 'fast-jwt' ? 'fast-jwt' : 'jws';
  const claims = payload ?? {};
  const tests: Readonly<Record<GenericFault, () => boolean>> = {
    malformed: () => (family === 'fast-jwt' ? parts.length < 3 : parts.length !== 3),
    'header-invalid': () =>
      family === 'jws'
        ? !JWS_REGEX.test(token) || header === undefined
        : !BASE64URL.test(parts[0] ?? '') || header === undefined,
    'payload-invalid': () =>
      family === 'fast-jwt'
        ? !BASE64URL.test(parts.slice(1, -1).join('.')) || payload === undefined
        : payload === undefined,
    unsigned: () => alg === 'none' || signatureSegment === '',
    'algorithm-not-allowed': () => signature === 'wrong-family' || alg === undefined,
    'signature-undecodable': () =>
      !BASE64URL.test(signatureSegment) || signatureSegment.length % 4 === 1,
    'signature-invalid': () =>
      signature === 'failed' ||
      signature === 'cut' ||
      (family === 'fast-jwt' && !BASE64URL.test(signatureSegment)),
    'iat-not-number': () => claims.iat !== undefined && typeof claims.iat !== 'number',
    'nbf-not-number': () => claims.nbf !== undefined && typeof claims.nbf !== 'number',
    'not-yet-valid': () =>
      typeof claims.nbf === 'number' &&
      (rules.clock === 'milliseconds'
        ? options.nowMs < claims.nbf * 1000 - expectations.leewaySeconds * 1000
        : claims.nbf > Math.floor(options.nowMs / 1000) + expectations.leewaySeconds),
    'exp-not-number': () => claims.exp !== undefined && typeof claims.exp !== 'number',
    expired: () =>
      typeof claims.exp === 'number' &&
      (rules.clock === 'milliseconds'
        ? options.nowMs > claims.exp * 1000 + expectations.leewaySeconds * 1000
        : Math.floor(options.nowMs / 1000) >= claims.exp + expectations.leewaySeconds),
    'audience-mismatch': () => {
      if (expectations.audience === undefined) return false;
      const audiences: unknown[] = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      return !audiences.includes(expectations.audience);
    },
    'issuer-mismatch': () =>
      expectations.issuer !== undefined && claims.iss !== expectations.issuer,
  };
  for (const fault of rules.checks) {
    if (tests[fault]()) {
      return {
        verifier,
        fault,
        error: rules.error(fault, context),
        signature: signature === 'wrong-family' ? 'unchecked' : signature,
      };
    }
  }
  return {
    verifier,
    fault: null,
    error: null,
    signature: signature === 'wrong-family' ? 'unchecked' : signature,
  };
}

function checkSignature(options: {
  token: string;
  alg: string | undefined;
  signatureSegment: string;
  keys: KeySet | undefined;
}): 'verified' | 'failed' | 'cut' | 'unchecked' | 'wrong-family' {
  const { alg, signatureSegment, keys, token } = options;
  if (alg === undefined || alg === 'none' || signatureSegment === '') return 'unchecked';
  const expected = SIGNATURE_BYTES[alg];
  const bytes = Buffer.from(signatureSegment, 'base64url');
  if (expected !== undefined && bytes.length < expected) return 'cut';
  if (keys === undefined) return 'unchecked';
  const header = decodeObject(token.split('.')[0]);
  const kid = typeof header?.kid === 'string' ? header.kid : '';
  const key = keys.keys.verificationKey(kid);
  if (key === undefined) return 'unchecked';
  const keyIsSecret = key.publicKey.type === 'secret';
  if (keyIsSecret !== alg.startsWith('HS')) return 'wrong-family';
  const input = Buffer.from(token.slice(0, token.lastIndexOf('.')), 'latin1');
  const ok = verifySignature(alg, key.publicKey, input, bytes);
  return ok === undefined ? 'unchecked' : ok ? 'verified' : 'failed';
}

// Node's own crypto, with the libraries' leniency (no low-S rule): the doctor judges as they do.
function verifySignature(
  alg: string,
  key: KeyObject,
  input: Buffer,
  signature: Buffer,
): boolean | undefined {
  const bits = alg.slice(2);
  const hash = `sha${bits}`;
  try {
    if (alg.startsWith('HS')) {
      const mac = createHmac(hash, key).update(input).digest();
      return mac.length === signature.length && timingSafeEqual(mac, signature);
    }
    if (alg.startsWith('RS')) return verify(hash, input, key, signature);
    if (alg.startsWith('PS'))
      return verify(
        hash,
        input,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(bits) / 8 },
        signature,
      );
    if (alg.startsWith('ES'))
      return verify(
        alg === 'ES512' ? 'sha512' : hash,
        input,
        { key, dsaEncoding: 'ieee-p1363' },
        signature,
      );
    if (alg === 'EdDSA' || alg === 'Ed25519') return verify(null, input, key, signature);
  } catch {
    return false;
  }
  return undefined;
}

function decodeObject(segment: string | undefined): Record<string, unknown> | undefined {
  if (segment === undefined || segment === '') return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
