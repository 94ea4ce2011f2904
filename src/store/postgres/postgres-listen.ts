import type { PgClient, PgNotification, PgPool } from './postgres-driver.js';

/** Options of {@link listenForRevocations}. */
export interface RevocationListenOptions {
  readonly pool: PgPool;
  /** The NOTIFY channel; a fixed plain identifier, since LISTEN cannot take it as a parameter. */
  readonly channel: string;
  /** Only notifications whose payload is this schema wake the listener, so stores in other schemas ignore them. */
  readonly schemaName: string;
  /** Called on each matching notification and once after every reconnect; what it throws is swallowed. */
  readonly listener: () => void;
}

/**
 * Subscribes `listener` to revocation notifications on a dedicated pooled connection, the `onRevocation`
 * of the PostgreSQL store. Resolves once LISTEN is in place (rejects when the first attempt fails) with an
 * unsubscribe function that UNLISTENs and releases the connection.
 *
 * @example
 * ```ts
 * const unsubscribe = await listenForRevocations({ pool, channel: 'tessera_revocations', schemaName: 'public', listener: () => void pullFeed() });
 * await unsubscribe();
 * ```
 */
export async function listenForRevocations(
  options: RevocationListenOptions,
): Promise<() => Promise<void>> {
  const { pool, channel, schemaName, listener } = options;
  const wake = (): void => {
    try {
      listener();
    } catch {
      // A listener's failure must not break the connection's event emitter; polling still runs.
    }
  };
  let client: PgClient | undefined;
  let subscribed = true;
  let detachCurrent: ((error?: Error) => void) | undefined;
  // LISTEN on a dedicated connection. When that connection dies (a restart, a failover, a terminated
  // backend), reconnect with backoff and wake the listener once so it pulls what NOTIFY lost meanwhile.
  const connect = async (): Promise<void> => {
    const next = await pool.connect();
    const onNotification = (message: PgNotification): void => {
      if (message.channel === channel && message.payload === schemaName) wake();
    };
    const onLost = (): void => {
      if (detachCurrent === undefined) return;
      detachCurrent(new Error('LISTEN connection lost'));
      if (subscribed) void reconnect();
    };
    next.on('notification', onNotification);
    next.on('error', onLost);
    next.on('end', onLost);
    detachCurrent = (error?: Error): void => {
      detachCurrent = undefined;
      next.removeListener('notification', onNotification);
      next.removeListener('error', onLost);
      next.removeListener('end', onLost);
      next.release(error);
      if (client === next) client = undefined;
    };
    client = next;
    try {
      await next.query(`LISTEN ${channel}`);
    } catch (error) {
      detachCurrent?.(error instanceof Error ? error : new Error('LISTEN failed'));
      throw error;
    }
  };
  const reconnect = async (): Promise<void> => {
    for (let attempt = 0; subscribed; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** attempt)));
      if (!subscribed) return;
      try {
        await connect();
        wake();
        return;
      } catch {
        // Try again after the next backoff step; polling covers the gap.
      }
    }
  };
  await connect();
  return async () => {
    if (!subscribed) return;
    subscribed = false;
    const current = client;
    if (current === undefined) return;
    try {
      await current.query(`UNLISTEN ${channel}`);
      detachCurrent?.();
    } catch (error) {
      detachCurrent?.(error instanceof Error ? error : new Error('UNLISTEN failed'));
    }
  };
}

/** Options of {@link pollForRevocations}. */
export interface RevocationPollOptions {
  readonly pool: PgPool;
  /** The schema-qualified, quoted revocations table, e.g. `"tessera".revocations`. */
  readonly table: string;
  /** Called whenever the feed's highest `seq` has moved since the last poll; what it throws is swallowed. */
  readonly listener: () => void;
  /** Time between two polls. Default 500 ms: a revocation reaches every node within about a second. */
  readonly intervalMs?: number;
}

/**
 * The `onRevocation` of the PostgreSQL store behind a transaction-mode pooler, where LISTEN cannot work
 * (its server connection goes back to the pool after the statement, and the notification to whoever has
 * it next). Reads the feed's highest `seq`, one index probe on any pooled connection, every
 * `intervalMs`, and wakes `listener` when it moved. Feed inserts are serialised by the feed lock, so
 * `seq` order is commit order: a moved maximum means a committed record nobody here has read yet.
 * A failed poll is retried at the next tick (the view's staleness bound covers a long outage).
 *
 * @example
 * ```ts
 * const unsubscribe = await pollForRevocations({ pool, table: '"public".revocations', listener: () => void view.sync() });
 * await unsubscribe();
 * ```
 */
export async function pollForRevocations(
  options: RevocationPollOptions,
): Promise<() => Promise<void>> {
  const { pool, table, listener } = options;
  const intervalMs = options.intervalMs ?? 500;
  const readHead = async (): Promise<number> => {
    const { rows } = await pool.query(
      `SELECT coalesce(max(seq), 0)::float8 AS seq FROM ${table}`,
      [],
    );
    return (rows[0] as { seq: number }).seq;
  };
  // The first read must succeed, as the first LISTEN must: a store that cannot be read is not subscribed.
  let head = await readHead();
  let subscribed = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let polling: Promise<void> | undefined;
  const poll = async (): Promise<void> => {
    try {
      const next = await readHead();
      if (next === head) return;
      head = next;
      listener();
    } catch {
      // A lost connection or a listener's failure: the next tick tries again.
    }
  };
  const schedule = (): void => {
    if (!subscribed) return;
    timer = setTimeout(() => {
      polling = poll().finally(() => {
        polling = undefined;
        schedule();
      });
    }, intervalMs);
    timer.unref?.();
  };
  schedule();
  return async () => {
    subscribed = false;
    if (timer !== undefined) clearTimeout(timer);
    await polling;
  };
}
