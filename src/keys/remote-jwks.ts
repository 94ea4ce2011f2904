import { createPublicKey } from 'node:crypto';
import type { JWK } from 'jose';
import { isAlgorithm } from '../jwa/algorithms.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { KeyMaterial } from './key-material.js';

/** Options of {@link createRemoteJwks}. */
export interface RemoteJwksOptions {
  readonly url: string;
  /** Re-fetch at most this often when a token names an unknown kid. Default 30 s. */
  readonly cooldownSeconds?: number;
  /** Re-fetch in the background this often. Default 5 min. */
  readonly maxAgeSeconds?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

/**
 * Verification keys fetched from an auth server's JWKS for resource servers that verify locally. Lookups
 * are synchronous from a cache; an unknown kid triggers one rate-limited re-fetch (a key rotation the
 * cache has not seen yet), never one fetch per forged token.
 *
 * @example
 * ```ts
 * const keys = createRemoteJwks({ url: 'https://auth.example.com/.well-known/jwks.json' });
 * await keys.refresh();
 * ```
 */
export interface RemoteJwks {
  verificationKey(kid: string): KeyMaterial | undefined;
  /** Fetches now (shared by concurrent callers). */
  refresh(): Promise<void>;
  /** Re-fetches when the kid is unknown and the cooldown allows; resolves true when it now knows the kid. */
  learn(kid: string): Promise<boolean>;
}

/**
 * Creates a remote JWKS cache.
 *
 * @example
 * ```ts
 * const keys = createRemoteJwks({ url, cooldownSeconds: 30 });
 * ```
 */
export function createRemoteJwks(options: RemoteJwksOptions): RemoteJwks {
  const now = options.now ?? Date.now;
  const fetcher = options.fetch ?? fetch;
  const cooldownMs = (options.cooldownSeconds ?? 30) * 1000;
  const maxAgeMs = (options.maxAgeSeconds ?? 300) * 1000;
  let keys = new Map<string, KeyMaterial>();
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;

  const load = async (): Promise<void> => {
    fetchedAt = now();
    const response = await fetcher(options.url, {
      headers: { accept: 'application/jwk-set+json, application/json' },
      redirect: 'error',
    });
    if (!response.ok)
      throw new TesseraError(
        'KEY_INVALID',
        `The JWKS at ${options.url} answered HTTP ${response.status}.`,
      );
    const body = (await response.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys))
      throw new TesseraError('KEY_INVALID', `The JWKS at ${options.url} has no "keys" array.`);
    const next = new Map<string, KeyMaterial>();
    for (const jwk of body.keys as JWK[]) {
      // Keys without kid or alg, or private keys, are not ours to guess about: skip them.
      if (typeof jwk.kid !== 'string' || !isAlgorithm(jwk.alg) || jwk.alg === 'HS256' || 'd' in jwk)
        continue;
      try {
        const publicKey = createPublicKey({ key: jwk as never, format: 'jwk' });
        next.set(jwk.kid, { kid: jwk.kid, alg: jwk.alg, publicKey, privateKey: publicKey });
      } catch {
        continue;
      }
    }
    keys = next;
  };

  const refresh = (): Promise<void> => {
    inFlight ??= load().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  return {
    verificationKey(kid) {
      if (now() - fetchedAt > maxAgeMs) refresh().catch(() => undefined);
      return keys.get(kid);
    },
    refresh,
    async learn(kid) {
      if (inFlight !== undefined) await inFlight.catch(() => undefined);
      if (keys.has(kid)) return true;
      if (now() - fetchedAt < cooldownMs) return false;
      await refresh().catch(() => undefined);
      return keys.has(kid);
    },
  };
}
