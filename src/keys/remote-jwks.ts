import { createJwksCache, type JwksCache, type RemoteJwksOptions } from './jwks-cache.js';
import { readJwksDocument } from './jwks-document.js';
import type { KeyMaterial } from './key-material.js';

export type { RemoteJwksOptions } from './jwks-cache.js';

/**
 * Verification keys fetched from an auth server's JWKS for resource servers that verify locally. Lookups
 * are synchronous from a cache; an unknown kid triggers one rate-limited re-fetch (a key rotation the
 * cache has not seen yet), never one fetch per forged token. A failed fetch keeps the keys already known
 * (a blip at the auth server must not log anyone out) and is what a token with an unseen kid is told:
 * JWKS_UNAVAILABLE or JWKS_INVALID, never "unknown key".
 *
 * @example
 * ```ts
 * import { createRemoteJwks } from 'tessera-auth';
 *
 * const keys = createRemoteJwks({ url: 'https://auth.example.com/.well-known/jwks.json' });
 * await keys.refresh();
 * ```
 */
export type RemoteJwks = JwksCache<KeyMaterial>;

/**
 * Creates a remote JWKS cache.
 *
 * @example
 * ```ts
 * import { createRemoteJwks } from 'tessera-auth';
 *
 * const keys = createRemoteJwks({
 *   url: 'https://auth.example.com/.well-known/jwks.json',
 *   cooldownSeconds: 30,
 *   timeoutSeconds: 5,
 * });
 * await keys.refresh();
 * ```
 */
export function createRemoteJwks(options: RemoteJwksOptions): RemoteJwks {
  return createJwksCache(options, readJwksDocument);
}
