import type { JWK } from 'jose';
import { isTesseraError } from '../errors/tessera-error.js';
import type { KeyMaterial } from '../keys/key-material.js';
import type { KeyStore } from '../keys/key-store.js';
import type { Keyring } from '../keys/keyring.js';
import { loadKeyring, type KeyringWarning, type LoadKeyringOptions } from '../keys/load-keyring.js';

/**
 * The state of the keyring's reloads, for `/healthz`: `ok`, or `reload-failing` with the error code of
 * the failure and since when (epoch ms). The keys already loaded keep serving meanwhile.
 *
 * @example
 * ```ts
 * const health: KeyringHealth = keys.health(); // { status: 'ok' }
 * ```
 */
export type KeyringHealth =
  | { readonly status: 'ok' }
  | {
      readonly status: 'reload-failing';
      readonly code: string;
      readonly since: number;
      readonly failures: number;
    };

/** Where the reloading keyring reports: the server passes its logger. */
export interface KeyringReporter {
  warn(facts: Record<string, unknown>, message: string): void;
  info(facts: Record<string, unknown>, message: string): void;
}

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
  /** Whether the last reload worked; a failure stays reported until a reload succeeds. */
  health(): KeyringHealth;
  stop(): void;
}

/**
 * Loads the keyring and starts reloading it. A failed reload is logged once (not once a minute) and
 * reported by {@link ReloadingKeyring.health} until a reload succeeds, which is logged too.
 *
 * @example
 * ```ts
 * const keys = await createReloadingKeyring({ store, production: true, encryptionSecret });
 * ```
 */
export async function createReloadingKeyring(
  options: LoadKeyringOptions & {
    store: KeyStore;
    intervalMs?: number;
    reporter?: KeyringReporter;
  },
): Promise<ReloadingKeyring> {
  const now = options.now ?? Date.now;
  const warned = new Set<string>();
  // The same warning comes with every reload: log each one once per process.
  const onWarning = (warning: KeyringWarning): void => {
    if (warned.has(warning.code)) return;
    warned.add(warning.code);
    options.onWarning?.(warning);
    options.reporter?.warn({ code: warning.code }, warning.message);
  };
  const load = (): Promise<Keyring> => loadKeyring({ ...options, onWarning });
  let current: Keyring = await load();
  let health: KeyringHealth = { status: 'ok' };
  const reload = async (): Promise<void> => {
    try {
      current = await load();
    } catch (error) {
      const code = isTesseraError(error) ? error.code : 'STORE_UNAVAILABLE';
      if (health.status === 'ok') {
        health = { status: 'reload-failing', code, since: now(), failures: 1 };
        options.reporter?.warn(
          { code, detail: error instanceof Error ? error.message : String(error) },
          'keyring reload failed; still serving the keys loaded before (reported by /healthz until a reload succeeds)',
        );
      } else {
        health = { ...health, code, failures: health.failures + 1 };
      }
      throw error;
    }
    if (health.status !== 'ok') {
      options.reporter?.info(
        { failures: health.failures, since: health.since },
        'keyring reload recovered',
      );
      health = { status: 'ok' };
    }
  };
  const timer = setInterval(() => {
    // Keep serving with the keys we have; the failure is in health() and the log.
    reload().catch(() => undefined);
  }, options.intervalMs ?? 60_000);
  timer.unref();
  return {
    signingKey: () => current.signingKey(),
    verificationKey: (kid) => current.verificationKey(kid),
    jwks: () => current.jwks(),
    reload,
    health: () => health,
    stop: () => clearInterval(timer),
  };
}
