import type { JWK } from 'jose';
import type { KeyMaterial } from '../keys/key-material.js';
import type { KeyStore } from '../keys/key-store.js';
import type { Keyring } from '../keys/keyring.js';
import { loadKeyring, type LoadKeyringOptions } from '../keys/load-keyring.js';

/**
 * A keyring that re-reads its store on an interval, so a `tessera keys rotate` run on any node reaches
 * every node before the new key starts signing (the pre-publication delay is longer than the interval).
 *
 * @example
 * ```ts
 * const keys = await createReloadingKeyring({ store, encryptionSecret, intervalMs: 60_000 });
 * ```
 */
export interface ReloadingKeyring {
  signingKey(): KeyMaterial;
  verificationKey(kid: string): KeyMaterial | undefined;
  jwks(): { keys: JWK[] };
  reload(): Promise<void>;
  stop(): void;
}

/**
 * Loads the keyring and starts reloading it.
 *
 * @example
 * ```ts
 * const keys = await createReloadingKeyring({ store, production: true, encryptionSecret });
 * ```
 */
export async function createReloadingKeyring(
  options: LoadKeyringOptions & { store: KeyStore; intervalMs?: number },
): Promise<ReloadingKeyring> {
  let current: Keyring = await loadKeyring(options);
  const timer = setInterval(() => {
    loadKeyring(options).then(
      (next) => {
        current = next;
      },
      () => undefined, // keep serving with the keys we have; the next interval tries again
    );
  }, options.intervalMs ?? 60_000);
  timer.unref();
  return {
    signingKey: () => current.signingKey(),
    verificationKey: (kid) => current.verificationKey(kid),
    jwks: () => current.jwks(),
    async reload() {
      current = await loadKeyring(options);
    },
    stop: () => clearInterval(timer),
  };
}
