import { createPublicKey } from 'node:crypto';
import { isAlgorithm, type Algorithm } from '../jwa/algorithms.js';
import { TesseraError } from '../errors/tessera-error.js';
import { assertKeyFitsAlgorithm, type KeyMaterial } from './key-material.js';

/** More keys than any rotation needs: a set this large is a mistake or an attack on the cache. */
export const MAX_JWKS_KEYS = 100;
const MAX_KID_LENGTH = 128;

/** Members that only a private or symmetric key has; a JWKS that publishes them has leaked a key. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** The key type and curve each algorithm needs (RFC 7518 section 6, RFC 8037). */
const KEY_SHAPE: Record<Exclude<Algorithm, 'HS256'>, { kty: string; crv?: string }> = {
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  ES256: { kty: 'EC', crv: 'P-256' },
  RS256: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
};
const MEMBERS_OF: Record<string, readonly string[]> = {
  OKP: ['crv', 'x'],
  EC: ['crv', 'x', 'y'],
  RSA: ['n', 'e'],
};

/**
 * A JWKS read key by key: the keys fit to verify with, and for every published kid that was refused,
 * the reason, so that a token naming it is told why instead of "unknown key".
 *
 * @example
 * ```ts
 * const { keys, refused } = readJwksDocument({ keys: [] }, 'https://auth.example.com/jwks');
 * console.log(keys.size, refused.size); // 0 0
 * ```
 */
export interface JwksDocument {
  readonly keys: ReadonlyMap<string, KeyMaterial>;
  readonly refused: ReadonlyMap<string, string>;
}

/**
 * Checks every key of a parsed JWKS as strictly as a local key (kty, crv and alg agree, RSA of at least
 * 2048 bits, `use` of `sig`, no private members) and refuses kids published twice. A set that is not a
 * JWKS at all throws JWKS_INVALID; a key that is unfit is refused alone, so one bad entry never takes the
 * good keys (and the sessions signed with them) down with it.
 *
 * @example
 * ```ts
 * const response = await fetch('https://auth.example.com/.well-known/jwks.json');
 * const { keys, refused } = readJwksDocument(await response.json(), response.url);
 * for (const [kid, reason] of refused) console.warn(`kid ${kid} refused: ${reason}`);
 * console.log(`${keys.size} keys usable`);
 * ```
 */
export function readJwksDocument(body: unknown, url: string): JwksDocument {
  const entries = isRecord(body) ? body.keys : undefined;
  if (!Array.isArray(entries))
    throw new TesseraError('JWKS_INVALID', `The JWKS at ${url} has no "keys" array.`, { url });
  if (entries.length > MAX_JWKS_KEYS)
    throw new TesseraError(
      'JWKS_INVALID',
      `The JWKS at ${url} publishes ${entries.length} keys; at most ${MAX_JWKS_KEYS} are read.`,
      { url, keys: entries.length },
    );
  const keys = new Map<string, KeyMaterial>();
  const refused = new Map<string, string>();
  const seen = new Set<string>();
  for (const entry of entries) {
    const kid = isRecord(entry) ? entry.kid : undefined;
    // A key without a usable kid can never be named by a token: nothing to refuse or explain.
    if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH) continue;
    if (seen.has(kid)) {
      keys.delete(kid);
      refused.set(kid, 'the kid is published twice, so which key it names is ambiguous');
      continue;
    }
    seen.add(kid);
    const fit = fitKey(entry as Record<string, unknown>, kid);
    if (typeof fit === 'string') refused.set(kid, fit);
    else keys.set(kid, fit);
  }
  return { keys, refused };
}

function fitKey(jwk: Record<string, unknown>, kid: string): KeyMaterial | string {
  const leaked = PRIVATE_MEMBERS.filter((member) => member in jwk);
  if (leaked.length > 0)
    return `it carries private key members (${leaked.join(', ')}): the JWKS leaks a key; rotate it`;
  if (jwk.use !== undefined && jwk.use !== 'sig')
    return `its "use" is ${describe(jwk.use)}, not "sig"`;
  if (
    jwk.key_ops !== undefined &&
    !(Array.isArray(jwk.key_ops) && (jwk.key_ops as unknown[]).includes('verify'))
  )
    return 'its "key_ops" do not include "verify"';
  const alg = jwk.alg;
  if (alg === undefined) return 'it has no "alg", and Tessera does not guess one';
  if (!isAlgorithm(alg) || alg === 'HS256')
    return `its "alg" ${describe(alg)} is not one of EdDSA, ES256, RS256, PS256`;
  const shape = KEY_SHAPE[alg];
  if (jwk.kty !== shape.kty) return `${alg} needs kty "${shape.kty}", not ${describe(jwk.kty)}`;
  if (shape.crv !== undefined && jwk.crv !== shape.crv)
    return `${alg} needs crv "${shape.crv}", not ${describe(jwk.crv)}`;
  const wrongType = (MEMBERS_OF[shape.kty] ?? []).find((member) => typeof jwk[member] !== 'string');
  if (wrongType !== undefined) return `its "${wrongType}" is missing or not a string`;
  let publicKey;
  try {
    publicKey = createPublicKey({ key: jwk as never, format: 'jwk' });
  } catch {
    return `it is not a valid ${shape.kty} public key`;
  }
  try {
    assertKeyFitsAlgorithm(alg, publicKey);
  } catch (error) {
    return error instanceof TesseraError ? error.message : `it cannot verify ${alg}`;
  }
  return { kid, alg, publicKey, privateKey: publicKey };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 32));
  return value === undefined ? 'missing' : `a ${Array.isArray(value) ? 'array' : typeof value}`;
}
