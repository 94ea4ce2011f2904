import type { CryptoBackend, VerificationKey } from './crypto-backend.js';
import { screenJwks } from './jwk-fit.js';

/**
 * A JWKS as one backend's keys, with the reason for every refused kid.
 *
 * @example
 * ```ts
 * const document: BackendJwks<CryptoKey> = await importJwks(webCryptoBackend, body, url);
 * ```
 */
export interface BackendJwks<K> {
  readonly keys: ReadonlyMap<string, VerificationKey<K>>;
  readonly refused: ReadonlyMap<string, string>;
}

/**
 * Screens a parsed JWKS (the same screen as the node:crypto reader: `keys/jwk-fit.ts`) and imports each
 * fit key with the given backend. A key the backend cannot import is refused alone.
 *
 * @example
 * ```ts
 * const { keys, refused } = await importJwks(webCryptoBackend, await response.json(), url);
 * ```
 */
export async function importJwks<K>(
  backend: CryptoBackend<K>,
  body: unknown,
  url: string,
): Promise<BackendJwks<K>> {
  const { candidates, refused } = screenJwks(body, url);
  const keys = new Map<string, VerificationKey<K>>();
  const imported = await Promise.all(
    candidates.map(async (candidate) => ({
      candidate,
      key: await backend.importPublicJwk(candidate.alg, candidate.jwk),
    })),
  );
  for (const { candidate, key } of imported) {
    if (typeof key === 'string') refused.set(candidate.kid, key);
    else keys.set(candidate.kid, { kid: candidate.kid, alg: candidate.alg, publicKey: key });
  }
  return { keys, refused };
}
