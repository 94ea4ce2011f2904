import type { ServerConfig } from './config.js';
import type { ReloadingKeyring } from './reloading-keyring.js';

/**
 * Says when the keyring signs with another algorithm than `--alg`. The setting only chooses a new
 * keyring's first key: a stored keyring keeps signing with its own, so that changing the setting (or
 * Tessera's default) logs nobody out. The message says how to change it for real; it is a warning only
 * when `--alg` was set explicitly.
 *
 * @example
 * ```ts
 * warnAboutKeptAlgorithm(config, keyring, logger); // logs once at start, or nothing
 * ```
 */
export function warnAboutKeptAlgorithm(
  config: Pick<ServerConfig, 'alg' | 'sources'>,
  keyring: Pick<ReloadingKeyring, 'signingKey'>,
  logger: {
    info(fields: object, message: string): void;
    warn(fields: object, message: string): void;
  },
): void {
  let active: string;
  try {
    active = keyring.signingKey().alg;
  } catch {
    // A node whose clock is behind the newest key's activation cannot sign yet, but it may still
    // start and verify: the time checks and the doctor explain the skew, not a failed start.
    return;
  }
  if (active === config.alg) return;
  const message = `the keyring signs with ${active}, not ${config.alg}: --alg only chooses a new keyring's first key; run \`tessera keys rotate --alg ${config.alg}\` to switch without logging anyone out`;
  if (config.sources.alg === undefined) logger.info({ alg: active }, message);
  else logger.warn({ alg: active, configured: config.alg }, message);
}
