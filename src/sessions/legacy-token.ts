import { createHash } from 'node:crypto';
import { compactVerify, errors } from 'jose';
import { TesseraError } from '../errors/tessera-error.js';
import type { LegacyAlgorithm, LegacyOptions } from './legacy-options.js';

/** Larger legacy tokens are refused before any parsing: no old app's token is 8 KB. */
export const MAX_LEGACY_TOKEN_BYTES = 8192;

/** A legacy token whose signature verified: its claims and its exchange key. */
export interface VerifiedLegacyToken {
  readonly claims: Readonly<Record<string, unknown>>;
  readonly alg: LegacyAlgorithm;
  /** `jti:` + SHA-256 of its jti, else `sig:` + SHA-256 of its canonical signature bytes. */
  readonly key: string;
}

// The group orders of the ECDSA curves: an ECDSA signature (r, s) and (r, n - s) both verify (jose,
// like jsonwebtoken, accepts either), so the exchange key uses the smaller s.
const CURVE_ORDERS: Readonly<Partial<Record<LegacyAlgorithm, bigint>>> = {
  ES256: BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551'),
  ES384: BigInt(
    '0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973',
  ),
  ES512: BigInt(
    '0x01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409',
  ),
};

const sha256 = (bytes: Uint8Array | string): string =>
  createHash('sha256').update(bytes).digest('base64url');

/**
 * The key a legacy token is exchanged once under, from what cannot be re-spelled: its `jti` when it
 * has one, else its decoded signature bytes (an ECDSA signature with the low s), never its text, so
 * base64url padding, other trailing bits or a flipped ECDSA s all name the same token.
 *
 * @example
 * ```ts
 * const key = legacyExchangeKey({ alg: 'HS256', jti: undefined, signature: Buffer.from(sig, 'base64url') });
 * ```
 */
export function legacyExchangeKey(input: {
  readonly alg: LegacyAlgorithm;
  readonly jti: unknown;
  readonly signature: Uint8Array;
}): string {
  if (typeof input.jti === 'string' && input.jti.length > 0) return `jti:${sha256(input.jti)}`;
  return `sig:${sha256(canonicalSignature(input.alg, input.signature))}`;
}

function canonicalSignature(alg: LegacyAlgorithm, signature: Uint8Array): Uint8Array {
  const order = CURVE_ORDERS[alg];
  if (order === undefined || signature.length % 2 !== 0) return signature;
  const half = signature.length / 2;
  const s = BigInt(`0x${Buffer.from(signature.subarray(half)).toString('hex') || '0'}`);
  if (s <= order / 2n) return signature;
  const low = Buffer.from((order - s).toString(16).padStart(half * 2, '0'), 'hex');
  return Buffer.concat([signature.subarray(0, half), low]);
}

const malformed = (why: string): TesseraError =>
  new TesseraError('LEGACY_TOKEN_MALFORMED', `The legacy token is malformed: ${why}.`);

function headerAlgOf(token: string): unknown {
  try {
    const header: unknown = JSON.parse(
      Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'),
    );
    return typeof header === 'object' && header !== null
      ? (header as { alg?: unknown }).alg
      : undefined;
  } catch {
    throw malformed('its header is not base64url JSON');
  }
}

/**
 * Verifies a legacy token's signature with jose against the configured key and algorithms (never
 * `none`; an HMAC algorithm never with a public key), then reads its claims. Tessera's own low-S rule
 * is not applied: jsonwebtoken's ES256 signatures are often high-S. Throws `LEGACY_TOKEN_MALFORMED`
 * or `LEGACY_SIGNATURE_INVALID`; the claims are judged afterwards (`legacy-decision.ts`).
 *
 * @example
 * ```ts
 * const { claims, key } = await verifyLegacyToken(token, options);
 * ```
 */
export async function verifyLegacyToken(
  token: unknown,
  options: Pick<LegacyOptions, 'key' | 'algorithms'>,
): Promise<VerifiedLegacyToken> {
  if (typeof token !== 'string' || token.length === 0) throw malformed('no token was sent');
  if (Buffer.byteLength(token) > MAX_LEGACY_TOKEN_BYTES)
    throw malformed(`it is longer than ${MAX_LEGACY_TOKEN_BYTES} bytes`);
  const parts = token.split('.');
  if (parts.length !== 3) throw malformed('it does not have three dot-separated parts');
  const alg = headerAlgOf(token);
  if (typeof alg !== 'string' || !(options.algorithms as readonly string[]).includes(alg))
    throw new TesseraError(
      'LEGACY_SIGNATURE_INVALID',
      `The legacy token's alg ${typeof alg === 'string' ? JSON.stringify(alg.slice(0, 16)) : '(none)'} is not one of the configured legacy algorithms (${options.algorithms.join(', ')}).`,
    );
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(token, options.key, {
      algorithms: [...options.algorithms],
    }));
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed)
      throw new TesseraError(
        'LEGACY_SIGNATURE_INVALID',
        'The legacy token signature does not verify with the configured legacy key.',
      );
    if (error instanceof errors.JOSEAlgNotAllowed || error instanceof TypeError)
      throw new TesseraError(
        'LEGACY_SIGNATURE_INVALID',
        'The legacy token algorithm does not fit the configured legacy key.',
      );
    throw malformed(error instanceof errors.JOSEError ? error.code : 'it could not be parsed');
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw malformed('its payload is not JSON');
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
    throw malformed('its payload is not a JSON object');
  const record = claims as Record<string, unknown>;
  return {
    claims: record,
    alg: alg as LegacyAlgorithm,
    key: legacyExchangeKey({
      alg: alg as LegacyAlgorithm,
      jti: record.jti,
      signature: Buffer.from(parts[2] ?? '', 'base64url'),
    }),
  };
}
