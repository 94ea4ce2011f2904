import type { LogoutReason } from './logout-reason.js';

/** What one tab tells the others. Access tokens travel only in memory (BroadcastChannel), never in storage. */
export type TabMessage =
  | {
      readonly t: 'token';
      readonly from: string;
      readonly token?: string;
      readonly remainingMs: number;
      readonly gen: number;
      readonly sid: string;
      readonly ms: number;
      readonly grace: boolean;
      readonly source: 'login' | 'refresh';
      readonly by: string;
    }
  | {
      readonly t: 'logout';
      readonly from: string;
      readonly reason: LogoutReason;
      readonly detail: string;
      readonly gen: number;
    }
  | { readonly t: 'ask'; readonly from: string };

/**
 * Cross-tab coordination: one refresh lock for the whole browser and a channel every tab listens to.
 * Inject your own for tests or for platforms with other primitives.
 */
export interface TabSync {
  readonly tabId: string;
  /**
   * Runs `task` while holding the browser-wide refresh lock (a Web Lock; an in-tab queue without one).
   * `contended` says it had to wait: another tab held the lock and has probably just refreshed.
   */
  withLock<T>(task: (contended: boolean) => Promise<T>): Promise<T>;
  /** The refresh counter as last published by any tab (0 when unknown). */
  sharedGeneration(): number;
  /** Publishes the counter; call while holding the lock, before broadcasting the token. */
  publishGeneration(gen: number): void;
  post(message: TabMessage): void;
  onMessage(handler: (message: TabMessage) => void): () => void;
  close(): void;
}

interface LockManagerLike {
  request<T>(name: string, task: (lock: unknown) => Promise<T>): Promise<T>;
  request<T>(
    name: string,
    options: { ifAvailable: true },
    task: (lock: unknown) => Promise<T>,
  ): Promise<T>;
}

type Scope = {
  navigator?: { locks?: LockManagerLike };
  BroadcastChannel?: new (name: string) => {
    postMessage(m: unknown): void;
    close(): void;
    onmessage: ((event: { data: unknown }) => void) | null;
  };
  localStorage?: Storage;
  addEventListener?: (
    type: 'storage',
    listener: (event: { key: string | null; newValue: string | null }) => void,
  ) => void;
};

/**
 * Browser coordination for the client of one auth server: a Web Lock (or an in-tab queue where there is
 * none: then two tabs may both refresh, and the server's grace window hands both the same successor), a
 * BroadcastChannel (or `storage` events carrying no token: a tab told "refreshed" without a token fetches
 * its own), and a refresh counter mirrored in localStorage (a number, never a token).
 *
 * @example
 * ```ts
 * const tabs = createBrowserTabSync({ name: 'https://auth.example.com' });
 * ```
 */
export function createBrowserTabSync(options: {
  name: string;
  tabId?: string;
  scope?: Scope;
}): TabSync {
  const scope = options.scope ?? (globalThis as Scope);
  const tabId = options.tabId ?? Math.random().toString(36).slice(2, 8);
  const key = `tessera:${options.name}`;
  const handlers = new Set<(message: TabMessage) => void>();
  const deliver = (data: unknown): void => {
    if (typeof data === 'object' && data !== null && (data as TabMessage).from !== tabId)
      for (const handler of handlers) handler(data as TabMessage);
  };
  let queue: Promise<unknown> = Promise.resolve();
  let queued = 0;
  const locks = scope.navigator?.locks;
  const storage = safeStorage(scope);
  let post: (message: TabMessage) => void = () => undefined;
  let close = (): void => undefined;
  if (scope.BroadcastChannel !== undefined) {
    const channel = new scope.BroadcastChannel(key);
    channel.onmessage = (event) => deliver(event.data);
    post = (message) => channel.postMessage(message);
    close = () => channel.close();
  } else if (storage !== undefined && scope.addEventListener !== undefined) {
    scope.addEventListener('storage', (event) => {
      if (event.key === `${key}:msg` && event.newValue !== null)
        deliver(JSON.parse(event.newValue));
    });
    post = (message) => {
      // A storage event carries no token: storage is readable by any script on the origin and outlives the tab.
      storage.setItem(
        `${key}:msg`,
        JSON.stringify({ ...message, token: undefined, nonce: Math.random() }),
      );
    };
  }
  return {
    tabId,
    withLock(task) {
      const name = `${key}:refresh`;
      if (locks !== undefined)
        return locks.request(name, { ifAvailable: true }, (lock) =>
          lock !== null ? task(false) : locks.request(name, () => task(true)),
        );
      const contended = queued++ > 0;
      const run = queue.then(() => task(contended)).finally(() => queued--);
      queue = run.catch(() => undefined);
      return run;
    },
    sharedGeneration: () => Number(storage?.getItem(`${key}:gen`) ?? 0) || 0,
    publishGeneration: (gen) => storage?.setItem(`${key}:gen`, String(gen)),
    post: (message) => post(message),
    onMessage(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    close: () => close(),
  };
}

function safeStorage(scope: Scope): Storage | undefined {
  try {
    return scope.localStorage ?? undefined;
  } catch {
    // Sandboxed iframes and some privacy modes throw on access.
    return undefined;
  }
}
