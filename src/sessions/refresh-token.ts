import { mintSecret, type MintedSecret } from '../secrets/opaque-secret.js';

/**
 * Mints a refresh token (`tsr_<id>.<secret>`, the pattern is REFRESH_TOKEN_PATTERN in `wire/`). Only
 * `id` and `secretHash` are ever stored.
 *
 * @example
 * ```ts
 * const { value, id, secretHash } = mintRefreshToken({ pepper: undefined });
 * ```
 */
export function mintRefreshToken(options: { pepper?: Buffer | undefined }): MintedSecret {
  return mintSecret('tsr', { pepper: options.pepper });
}
