/**
 * The SQLite store's `onRevocation`: SQLite has no NOTIFY, but `PRAGMA data_version` changes whenever
 * ANOTHER connection (another process on the same file, say) commits, and reading it costs no lock and no
 * page read. A short poll of that one pragma lets a second node learn a logout within ~200 ms instead of
 * the revocation view's 2 s feed poll, which stays as the safety net.
 */
import type { SqliteScope } from './sqlite-driver.js';

/**
 * Starts calling `tick` every `intervalMs` and returns the function that stops it. Injectable so tests drive
 * the ticks themselves instead of waiting on the wall clock.
 *
 * @example
 * ```ts
 * const ticks: (() => void)[] = [];
 * const schedule: PollScheduler = (tick) => (ticks.push(tick), () => undefined);
 * ```
 */
export type PollScheduler = (tick: () => void, intervalMs: number) => () => void;

/** How the SQLite store watches for other connections' revocations. */
export interface RevocationWakeOptions {
  /** Milliseconds between two `data_version` reads. Default 200. */
  readonly intervalMs?: number;
  /** The timer; default `setInterval`, unref'd so it never keeps a process alive. */
  readonly schedule?: PollScheduler;
}

/** The `onRevocation` of the SQLite store and the switch that stops every subscription at `close()`. */
export interface SqliteRevocationWake {
  onRevocation(listener: () => void): Promise<() => Promise<void>>;
  /** Stops every subscription, before the connection closes (a tick on a closed database would throw). */
  stopAll(): void;
}

/** The default {@link PollScheduler}: an unref'd interval. */
const intervalScheduler: PollScheduler = (tick, intervalMs) => {
  const timer = setInterval(tick, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
};

/**
 * Creates the data_version watcher over one connection. Each tick reads `PRAGMA data_version`; only when it
 * changed (another connection committed) does it read the feed head, `max(seq)`, and only when that moved
 * (the commit was a revocation, not a login or a rotation) does it wake the listener, which then pulls the
 * feed. A wake-up carries no data: a spurious one costs one feed read, a missed one the view's next poll.
 *
 * @example
 * ```ts
 * const wake = createSqliteRevocationWake({ db, sql: createStatementCache(db) });
 * const unsubscribe = await wake.onRevocation(() => void view.sync());
 * await unsubscribe();
 * ```
 */
export function createSqliteRevocationWake(
  { db, sql }: SqliteScope,
  options: RevocationWakeOptions = {},
): SqliteRevocationWake {
  const intervalMs = options.intervalMs ?? 200;
  const schedule = options.schedule ?? intervalScheduler;
  const active = new Set<() => void>();
  const readVersion = (): number => Number(db.pragma('data_version', { simple: true }));
  const readHead = (): number =>
    Number((sql('SELECT max(seq) AS seq FROM revocations').get() as { seq: number | null }).seq);

  return {
    async onRevocation(listener) {
      // NaN when the first read fails (a file not migrated yet): the first tick that can read then wakes.
      let version = Number.NaN;
      let head = Number.NaN;
      try {
        version = readVersion();
        head = readHead();
      } catch {
        // Left NaN on purpose, see above.
      }
      let subscribed = true;
      const tick = (): void => {
        if (!subscribed) return;
        try {
          const nextVersion = readVersion();
          if (nextVersion === version) return;
          version = nextVersion;
          const nextHead = readHead();
          if (nextHead === head) return;
          head = nextHead;
        } catch {
          return; // a busy or closing database: the view's own feed poll covers this tick
        }
        try {
          listener();
        } catch {
          // A listener's failure must not stop the watch; the next revocation wakes it again.
        }
      };
      const cancel = schedule(tick, intervalMs);
      const stop = (): void => {
        if (!subscribed) return;
        subscribed = false;
        active.delete(stop);
        cancel();
      };
      active.add(stop);
      return async () => stop();
    },
    stopAll() {
      for (const stop of [...active]) stop();
    },
  };
}
