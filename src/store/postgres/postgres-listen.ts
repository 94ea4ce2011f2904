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
