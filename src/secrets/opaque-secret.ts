import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { REFRESH_TOKEN_PATTERN } from '../wire/names.js';

/**
 * Tessera's opaque secrets, one format for all of them: `<prefix>_<id>.<secret>`, a 128-bit id and a
 * 256-bit secret, both base64url. The prefix says what a leaked one is (`tsr` refresh token, `tsp`
 * password-reset token, `tst` ticket, `tsv` email-verification token, `tsf` revocation-feed credential). Only the id and a hash of the secret are ever stored; the id
 * finds the row, the hash is compared in constant time.
 */

/** What an opaque secret is, by its prefix. */
export type OpaquePrefix = 'tsr' | 'tsp' | 'tst' | 'tsv' | 'tsf';

/** A freshly minted opaque secret: the value for the client, and what the store keeps. */
export interface MintedSecret {
  readonly value: string;
  readonly id: string;
  readonly secretHash: string;
}

/** A presented opaque secret split into the part that finds the row and the part that proves it. */
export interface SecretParts {
  readonly id: string;
  readonly secret: string;
}

const SHAPES: Readonly<Record<OpaquePrefix, RegExp>> = {
  tsr: REFRESH_TOKEN_PATTERN,
  tsp: /^tsp_([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/,
  tst: /^tst_([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/,
  tsv: /^tsv_([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/,
  tsf: /^tsf_([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/,
};

/**
 * Mints an opaque secret of a prefix; store `id` and `secretHash`, hand out `value`.
 *
 * @example
 * ```ts
 * import { mintSecret } from './opaque-secret.js';
 *
 * const ticket = mintSecret('tst', { pepper: undefined });
 * console.log(ticket.value.startsWith('tst_')); // true
 * ```
 */
export function mintSecret(
  prefix: OpaquePrefix,
  options: { pepper: Buffer | undefined },
): MintedSecret {
  const id = randomBytes(16).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  return { value: `${prefix}_${id}.${secret}`, id, secretHash: hashSecret(secret, options.pepper) };
}

/**
 * Splits a presented value of a prefix's shape, or undefined when it is not of that shape (the
 * caller names the failure in its own words).
 *
 * @example
 * ```ts
 * import { mintSecret, parseSecret } from './opaque-secret.js';
 *
 * const minted = mintSecret('tsp', { pepper: undefined });
 * console.log(parseSecret('tsp', minted.value)?.id === minted.id); // true
 * ```
 */
export function parseSecret(prefix: OpaquePrefix, value: unknown): SecretParts | undefined {
  if (typeof value !== 'string') return undefined;
  const match = SHAPES[prefix].exec(value);
  return match === null ? undefined : { id: match[1] as string, secret: match[2] as string };
}

/**
 * Hashes a secret for storage: SHA-256, or HMAC-SHA-256 with a server pepper. A slow password hash
 * would add nothing: the secret already has 256 random bits.
 *
 * @example
 * ```ts
 * import { hashSecret } from './opaque-secret.js';
 *
 * console.log(hashSecret('secret', undefined).length); // 43
 * ```
 */
export function hashSecret(secret: string, pepper: Buffer | undefined): string {
  const digest =
    pepper === undefined
      ? createHash('sha256').update(secret).digest()
      : createHmac('sha256', pepper).update(secret).digest();
  return digest.toString('base64url');
}

/**
 * Compares a presented secret with a stored hash in constant time.
 *
 * @example
 * ```ts
 * import { mintSecret, parseSecret, secretMatches } from './opaque-secret.js';
 *
 * const minted = mintSecret('tsr', { pepper: undefined });
 * const parts = parseSecret('tsr', minted.value);
 * console.log(parts !== undefined && secretMatches(parts.secret, minted.secretHash, undefined)); // true
 * ```
 */
export function secretMatches(
  secret: string,
  storedHash: string,
  pepper: Buffer | undefined,
): boolean {
  const presented = Buffer.from(hashSecret(secret, pepper), 'base64url');
  const stored = Buffer.from(storedHash, 'base64url');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
