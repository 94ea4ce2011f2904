import type { ResourceGuardOptions } from '../http/require-auth.js';

/**
 * Resolves `revocations: 'follow'` for the Node adapters: the credential comes from the
 * TESSERA_FEED_CREDENTIAL environment variable (a secret, so it stays out of source), the feed URL
 * from the issuer. Any other `revocations` passes through unchanged.
 *
 * @example
 * ```ts
 * const guard = createResourceGuard(withFeedEnvironment({ issuer, audience, jwksUrl, revocations: 'follow' }));
 * ```
 */
export function withFeedEnvironment(
  options: ResourceGuardOptions,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ResourceGuardOptions {
  if (options.revocations !== 'follow') return options;
  // An unset variable becomes '' and is refused as CONFIG_INVALID by the follower, naming the variable.
  return { ...options, revocations: { follow: { credential: env.TESSERA_FEED_CREDENTIAL ?? '' } } };
}
