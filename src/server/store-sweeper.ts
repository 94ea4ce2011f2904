import type { SessionStore } from '../store/session-store.js';

/** Options of {@link startStoreSweeper}. */
export interface StoreSweeperOptions {
  readonly store: Pick<SessionStore, 'sweep'>;
  /** Sealed grace successors older than this are dropped (the grace window, in seconds). */
  readonly graceSeconds: number;
  /** Events and revocation records older than this are dropped (seconds). */
  readonly retentionSeconds: number;
  readonly logger: { warn(fields: object, message: string): void };
  readonly now: () => number;
  /** Default 600 000 (ten minutes). */
  readonly intervalMs?: number;
}

/**
 * Sweeps the store every ten minutes: expired sealed successors, and events and revocation records
 * past the retention. A failed sweep is logged and tried again next time; it never stops the server.
 * The timer does not hold the process open. Returns the function that stops it.
 *
 * @example
 * ```ts
 * const stop = startStoreSweeper({ store, graceSeconds: 30, retentionSeconds: 90 * 86_400, logger, now: Date.now });
 * ```
 */
export function startStoreSweeper(options: StoreSweeperOptions): () => void {
  const { store, logger, now } = options;
  const sweeper = setInterval(() => {
    const at = now();
    store
      .sweep({
        now: at,
        sealedBefore: at - options.graceSeconds * 1000,
        retainAfter: at - options.retentionSeconds * 1000,
      })
      .catch((error: unknown) => logger.warn({ err: String(error) }, 'sweep failed'));
  }, options.intervalMs ?? 600_000);
  sweeper.unref();
  return () => clearInterval(sweeper);
}
