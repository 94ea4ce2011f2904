/**
 * Tries the well-known example secrets against an HS256 token. Anyone who read the same tutorial can
 * forge tokens for a deployment that signs with one of them, so the doctor checks even without a key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WELL_KNOWN_SECRETS } from '../../keys/secret-strength.js';

/**
 * Returns the well-known secret that produced this HS256 token's signature, or undefined.
 * Each candidate is also tried with a trailing newline, as secrets read from files often carry one.
 *
 * @example
 * ```ts
 * guessWeakSecret(token); // 'your-256-bit-secret'
 * ```
 */
export function guessWeakSecret(
  token: string,
  candidates: readonly string[] = WELL_KNOWN_SECRETS,
): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const signature = Buffer.from(parts[2] as string, 'base64url');
  if (signature.length !== 32) return undefined;
  const input = Buffer.from(`${parts[0]}.${parts[1]}`, 'latin1');
  for (const candidate of candidates) {
    for (const secret of [candidate, `${candidate}\n`]) {
      const mac = createHmac('sha256', secret).update(input).digest();
      if (timingSafeEqual(mac, signature)) return secret;
    }
  }
  return undefined;
}
