import { randomBytes } from 'node:crypto';
import { hashSecret, secretMatches } from '../sessions/refresh-token.js';

/** Prefixes of Tessera's single-use secrets, so a leaked one says what it is. */
export type OneTimePrefix = 'tsp' | 'tst';

/**
 * Mints a single-use secret `<prefix>_<id>.<secret>`; only id and hash are stored.
 *
 * @example
 * ```ts
 * const { value, id, secretHash } = mintOneTimeToken('tsp');
 * ```
 */
export function mintOneTimeToken(prefix: OneTimePrefix): {
  value: string;
  id: string;
  secretHash: string;
} {
  const id = randomBytes(16).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  return { value: `${prefix}_${id}.${secret}`, id, secretHash: hashSecret(secret, undefined) };
}

/**
 * Splits a presented single-use secret, or undefined when it is not of this prefix's shape.
 *
 * @example
 * ```ts
 * const parts = parseOneTimeToken('tst', ticket);
 * ```
 */
export function parseOneTimeToken(
  prefix: OneTimePrefix,
  value: unknown,
): { id: string; secret: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = new RegExp(`^${prefix}_([A-Za-z0-9_-]{22})\\.([A-Za-z0-9_-]{43})$`).exec(value);
  return match === null ? undefined : { id: match[1] as string, secret: match[2] as string };
}

/**
 * Compares a presented single-use secret with its stored hash in constant time.
 *
 * @example
 * ```ts
 * if (!oneTimeSecretMatches(parts.secret, row.secretHash)) throw invalid();
 * ```
 */
export function oneTimeSecretMatches(secret: string, storedHash: string): boolean {
  return secretMatches(secret, storedHash, undefined);
}
