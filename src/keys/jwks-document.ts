import type { KeyMaterial } from './key-material.js';
import { screenJwks } from './jwk-fit.js';
import { nodeCryptoBackend } from './node-crypto-backend.js';

export { MAX_JWKS_KEYS } from './jwk-fit.js';

/**
 * A JWKS read key by key: the keys fit to verify with, and for every published kid that was refused,
 * the reason, so that a token naming it is told why instead of "unknown key".
 *
 * @example
 * ```ts
 * const { keys, refused } = readJwksDocument({ keys: [] }, 'https://auth.example.com/jwks');
 * console.log(keys.size, refused.size); // 0 0
 * ```
 */
export interface JwksDocument {
  readonly keys: ReadonlyMap<string, KeyMaterial>;
  readonly refused: ReadonlyMap<string, string>;
}

/**
 * Checks every key of a parsed JWKS as strictly as a local key (kty, crv and alg agree, RSA of at least
 * 2048 bits, `use` of `sig`, no private members) and refuses kids published twice. A set that is not a
 * JWKS at all throws JWKS_INVALID; a key that is unfit is refused alone, so one bad entry never takes the
 * good keys (and the sessions signed with them) down with it. The node:crypto reading, synchronous; the
 * screen is shared with the Web Crypto one (`keys/jwks-import.ts`).
 *
 * @example
 * ```ts
 * const response = await fetch('https://auth.example.com/.well-known/jwks.json');
 * const { keys, refused } = readJwksDocument(await response.json(), response.url);
 * for (const [kid, reason] of refused) console.warn(`kid ${kid} refused: ${reason}`);
 * console.log(`${keys.size} keys usable`);
 * ```
 */
export function readJwksDocument(body: unknown, url: string): JwksDocument {
  const { candidates, refused } = screenJwks(body, url);
  const keys = new Map<string, KeyMaterial>();
  for (const { kid, alg, jwk } of candidates) {
    const publicKey = nodeCryptoBackend.importPublicJwk(alg, jwk);
    if (typeof publicKey === 'string') refused.set(kid, publicKey);
    else keys.set(kid, { kid, alg, publicKey, privateKey: publicKey });
  }
  return { keys, refused };
}
