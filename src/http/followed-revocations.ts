import { TesseraError } from '../errors/tessera-error.js';
import { followRevocations, type RevocationFollowerOptions } from '../jwt/revocation-follower.js';
import type { RevocationCheck } from '../jwt/verify-access-token.js';

/**
 * How `requireAuth({ revocations })` follows the auth server's revocation feed: the credential from
 * `tessera feeds create <name>`, the feed URL (default `${issuer}/auth/revocations`), the staleness
 * bound and the polling mode of {@link RevocationFollowerOptions}.
 */
export type FollowSettings = Omit<
  RevocationFollowerOptions,
  'url' | 'now' | 'fetch' | 'horizonSeconds'
> & { readonly url?: string };

/**
 * What `revocations` accepts: a view or follower you built, `{ follow: settings }`, or `'follow'`, which
 * the Node adapters (Express, Fastify) turn into `{ follow: { credential: TESSERA_FEED_CREDENTIAL } }`.
 */
export type RevocationSource = RevocationCheck | 'follow' | { readonly follow: FollowSettings };

/**
 * The revocation check a guard uses, building a follower for `{ follow }`; `'follow'` that reached
 * here unresolved (no Node adapter read the environment) is a configuration error at start.
 *
 * @example
 * ```ts
 * const check = revocationCheckOf({ issuer, revocations: { follow: { credential } } });
 * ```
 */
export function revocationCheckOf(options: {
  readonly issuer: string;
  readonly revocations?: RevocationSource | undefined;
  readonly leewaySeconds?: number | undefined;
  readonly maxLifetimeSeconds?: number | undefined;
  readonly now?: (() => number) | undefined;
  readonly fetch?: typeof fetch | undefined;
}): RevocationCheck | undefined {
  const source = options.revocations;
  if (source === undefined) return undefined;
  if (source === 'follow')
    throw new TesseraError(
      'CONFIG_INVALID',
      "revocations: 'follow' reads TESSERA_FEED_CREDENTIAL in the Express and Fastify adapters only; elsewhere pass revocations: { follow: { credential } }.",
    );
  if (!('follow' in source)) return source;
  const { url, ...settings } = source.follow;
  return followRevocations({
    ...settings,
    url: url ?? `${options.issuer.replace(/\/$/, '')}/auth/revocations`,
    // Entries older than the longest token lifetime the verifier accepts can no longer refuse one.
    horizonSeconds: (options.maxLifetimeSeconds ?? 3600) + (options.leewaySeconds ?? 60),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
}
