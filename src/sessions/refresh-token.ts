import type { MintedSecret } from '../secrets/opaque-secret.js';
import { hashSecret } from '../secrets/opaque-secret.js';
import { drawRandomBytes } from './random-pool.js';

/**
 * Mints a refresh token (`tsr_<id>.<secret>`, the pattern is REFRESH_TOKEN_PATTERN in `wire/`): a
 * 128-bit id and a 256-bit secret, as `mintSecret` makes them, drawn in one go from the random pool
 * (one draw per rotation instead of two calls into OpenSSL). Only `id` and `secretHash` are ever stored.
 *
 * @example
 * ```ts
 * const { value, id, secretHash } = mintRefreshToken({ pepper: undefined });
 * ```
 */
export function mintRefreshToken(options: { pepper?: Buffer | undefined }): MintedSecret {
  const bytes = drawRandomBytes(48);
  const id = bytes.subarray(0, 16).toString('base64url');
  const secret = bytes.subarray(16).toString('base64url');
  return { value: `tsr_${id}.${secret}`, id, secretHash: hashSecret(secret, options.pepper) };
}
