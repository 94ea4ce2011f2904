import { isAlgorithm, type PublishableAlgorithm } from '../jwa/algorithms.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { PublicJwk } from './crypto-backend.js';

// The fit screen of a published JWKS, as pure code shared by the node:crypto and Web Crypto backends:
// whatever the runtime, the same key is refused for the same reason.

/** More keys than any rotation needs: a set this large is a mistake or an attack on the cache. */
export const MAX_JWKS_KEYS = 100;
const MAX_KID_LENGTH = 128;
const MIN_RSA_BITS = 2048;

/** Members that only a private or symmetric key has; a JWKS that publishes them has leaked a key. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** The key type and curve each algorithm needs (RFC 7518 section 6, RFC 8037). */
const KEY_SHAPE: Record<PublishableAlgorithm, { kty: string; crv?: string }> = {
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  ES256: { kty: 'EC', crv: 'P-256' },
  RS256: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
};
const MEMBERS_OF: Record<string, readonly ('crv' | 'x' | 'y' | 'n' | 'e')[]> = {
  OKP: ['crv', 'x'],
  EC: ['crv', 'x', 'y'],
  RSA: ['n', 'e'],
};

/** One published key that passed the screen: its kid, algorithm and public members only. */
export interface ScreenedKey {
  readonly kid: string;
  readonly alg: PublishableAlgorithm;
  readonly jwk: PublicJwk;
}

/** A JWKS read entry by entry, before any crypto: the keys to import and the refused kids with reasons. */
export interface ScreenedJwks {
  readonly candidates: readonly ScreenedKey[];
  readonly refused: Map<string, string>;
}

/**
 * Screens a parsed JWKS: a set that is not a JWKS at all throws JWKS_INVALID; each entry is checked as
 * strictly as a local key (kty, crv and alg agree, RSA of at least 2048 bits, `use` of `sig`, no private
 * members) and a kid published twice is refused, so one bad entry never takes the good keys down with it.
 *
 * @example
 * ```ts
 * const { candidates, refused } = screenJwks({ keys: [] }, 'https://auth.example.com/jwks');
 * ```
 */
export function screenJwks(body: unknown, url: string): ScreenedJwks {
  const entries = isRecord(body) ? body.keys : undefined;
  if (!Array.isArray(entries))
    throw new TesseraError('JWKS_INVALID', `The JWKS at ${url} has no "keys" array.`, { url });
  if (entries.length > MAX_JWKS_KEYS)
    throw new TesseraError(
      'JWKS_INVALID',
      `The JWKS at ${url} publishes ${entries.length} keys; at most ${MAX_JWKS_KEYS} are read.`,
      { url, keys: entries.length },
    );
  const candidates = new Map<string, ScreenedKey>();
  const refused = new Map<string, string>();
  const seen = new Set<string>();
  for (const entry of entries) {
    const kid = isRecord(entry) ? entry.kid : undefined;
    // A key without a usable kid can never be named by a token: nothing to refuse or explain.
    if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH) continue;
    if (seen.has(kid)) {
      candidates.delete(kid);
      refused.set(kid, 'the kid is published twice, so which key it names is ambiguous');
      continue;
    }
    seen.add(kid);
    const fit = screenKey(entry as Record<string, unknown>, kid);
    if (typeof fit === 'string') refused.set(kid, fit);
    else candidates.set(kid, fit);
  }
  return { candidates: [...candidates.values()], refused };
}

function screenKey(jwk: Record<string, unknown>, kid: string): ScreenedKey | string {
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
  const members = MEMBERS_OF[shape.kty] ?? [];
  const wrongType = members.find((member) => typeof jwk[member] !== 'string');
  if (wrongType !== undefined) return `its "${wrongType}" is missing or not a string`;
  const published: Record<string, string> = { kty: shape.kty };
  for (const member of members) published[member] = jwk[member] as string;
  if (shape.kty === 'RSA' && rsaModulusBits(published.n as string) < MIN_RSA_BITS)
    return `A rsa key cannot sign ${alg} (RSA keys need at least ${MIN_RSA_BITS} bits).`;
  return { kid, alg, jwk: published as unknown as PublicJwk };
}

// Bits of a base64url big-endian modulus, leading zero bits not counted; 0 when it is not base64url.
function rsaModulusBits(n: string): number {
  const digits = n.replace(/^A+/, '');
  if (!/^[A-Za-z0-9_-]*$/.test(digits) || digits.length === 0) return 0;
  const first = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(
    digits[0] as string,
  );
  // Each character carries 6 bits; a partial final group's unused bits are padding, not modulus.
  const totalBits = Math.floor((n.length * 6) / 8) * 8;
  const leadingZeroBits = (n.length - digits.length) * 6 + (6 - Math.floor(Math.log2(first) + 1));
  return totalBits - leadingZeroBits;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 32));
  return value === undefined ? 'missing' : `a ${Array.isArray(value) ? 'array' : typeof value}`;
}
