import type { Transport } from '../wire/names.js';
import {
  announcesLogout,
  freshToken,
  logoutAnnounced,
  refreshDueMs,
  signedOut,
  tokenAdopted,
  tokenIssued,
} from './client-state.js';
import type { LogoutReason } from './logout-reason.js';
import { AuthClientError, readProblem } from './problem.js';
import {
  refreshBegan,
  refreshSettled,
  refreshStarted,
  refreshUnavailable,
  restoreBegan,
  restoreSettled,
  retryScheduled,
} from './refresh-state.js';
import type { SessionStore } from './session-store.js';
import type { SessionEnding, TabRelay } from './tab-relay.js';
import type { TabSync } from './tab-sync.js';
import { startLifetime, type ClientClocks } from './token-clock.js';
import type { TokenStorage } from './token-storage.js';
import type { RefreshInfo } from './types.js';

interface TokenBody {
  access_token: string;
  expires_in: number;
  refresh_grace_s: number;
  session_id: string;
  grace: boolean;
  refresh_token?: string;
}

/** What the refresh flow works with: the client's state and its edges to the server, timers and tabs. */
export interface RefreshFlowOptions {
  readonly store: SessionStore;
  readonly relay: TabRelay;
  readonly tabs: TabSync | null;
  readonly tabId: string;
  readonly transport: Transport;
  readonly storage: TokenStorage;
  readonly clocks: ClientClocks;
  readonly setTimer: (task: () => void, ms: number) => () => void;
  /** Refresh before expiry rather than on the first 401 after it. */
  readonly proactive: boolean;
  /** POSTs to the auth server (`/auth/refresh`, ...) the way the client does. */
  readonly call: (path: string, json?: unknown) => Promise<Response>;
}

/** How sessions begin, renew and end: one refresh at a time for all tabs, retried while the server is away. */
export interface RefreshFlow {
  /** A new access token, refreshed once for this tab and every other; null when the session ended. */
  refresh(): Promise<string | null>;
  /** Picks up an existing session: asks the other tabs, then the server. */
  restore(): Promise<void>;
  /** Takes a login or refresh answer: stores the refresh token, holds the access token, tells the tabs. */
  accept(response: Response, source: 'login' | 'refresh', startedMono: number): Promise<string>;
  /** A token is now held: tells the handlers and plans the next refresh. */
  signedIn(info: RefreshInfo): void;
  /** Ends the session here (and, with `broadcast`, in every tab). */
  signOut(ending: SessionEnding): void;
  /** Plans the proactive refresh of the held token again (the clocks may have jumped). */
  schedule(): void;
  /** Cancels the planned refresh or retry. */
  stop(): void;
}

/**
 * Creates the refresh flow of one client.
 *
 * @example
 * ```ts
 * const flow = createRefreshFlow({
 *   ...{ store, relay, tabs, tabId, storage, clocks, setTimer, call },
 *   transport: 'body',
 *   proactive: true,
 * });
 * const token = await flow.refresh();
 * ```
 */
export function createRefreshFlow(options: RefreshFlowOptions): RefreshFlow {
  const { store, relay, tabs, transport, storage, clocks, setTimer } = options;
  let cancelTimer = (): void => undefined;
  const jitter = Math.random();
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimer(resolve, ms));
  const refreshLater = (): void => void refresh().catch(() => undefined);

  const schedule = (): void => {
    cancelTimer();
    const due = refreshDueMs(store.get(), clocks, jitter);
    if (!options.proactive || due === null) return;
    // Re-evaluated at least every 30 s: a wall clock that jumps or a machine that slept shows up here.
    cancelTimer = setTimer(
      () => (due <= 30_000 ? refreshLater() : schedule()),
      Math.max(0, Math.min(due, 30_000)),
    );
  };

  const retryLater = (): void => {
    cancelTimer();
    cancelTimer = setTimer(refreshLater, store.get().retryDelayMs);
    store.update(retryScheduled);
  };

  const signedIn = (info: RefreshInfo): void => {
    store.emit('tokenRefreshed', info);
    schedule();
  };

  const signOut = ({ reason, detail, broadcast }: SessionEnding): void => {
    // A first visit with no cookie ends in REFRESH_TOKEN_MISSING: that is not a logout worth announcing.
    const announce = announcesLogout(store.get());
    cancelTimer();
    if (transport === 'body') void Promise.resolve(storage.remove()).catch(() => undefined);
    store.update(signedOut, { reason });
    if (broadcast && tabs !== null) {
      // A logout outranks every token announced before it: tabs drop token messages of an older generation.
      const { gen } = store.update(logoutAnnounced, { sharedGen: tabs.sharedGeneration() });
      tabs.publishGeneration(gen);
      tabs.post({ t: 'logout', from: options.tabId, reason, detail, gen });
    }
    relay.settle(null);
    if (announce) store.emit('loggedOut', { reason, detail });
  };

  const accept = async (
    response: Response,
    source: 'login' | 'refresh',
    startedMono: number,
  ): Promise<string> => {
    const body = (await response.json()) as TokenBody;
    if (transport === 'body' && body.refresh_token !== undefined)
      await storage.set(body.refresh_token);
    const { gen } = store.update(tokenIssued, {
      sharedGen: tabs?.sharedGeneration() ?? 0,
      graceMs: body.refresh_grace_s * 1000,
    });
    tabs?.publishGeneration(gen);
    const info: RefreshInfo = {
      source,
      tabId: options.tabId,
      ms: Math.round(clocks.monotonic() - startedMono),
      grace: body.grace === true,
      expiresInMs: body.expires_in * 1000,
      at: clocks.now(),
    };
    const held = {
      token: body.access_token,
      life: startLifetime(clocks, body.expires_in * 1000),
      info,
    };
    store.update(tokenAdopted, { held, sessionId: body.session_id });
    signedIn(info);
    relay.tell(source);
    return body.access_token;
  };

  const rotate = async (): Promise<string | null> => {
    const started = clocks.monotonic();
    let delay = 200;
    store.update(refreshStarted);
    for (;;) {
      const stored = transport === 'body' ? await storage.get() : undefined;
      if (stored === null) {
        signOut({
          reason: 'REFRESH_TOKEN_MISSING',
          detail: 'No refresh token is stored on this device.',
          broadcast: false,
        });
        return null;
      }
      let response: Response | undefined;
      try {
        response = await options.call(
          '/auth/refresh',
          stored === undefined ? undefined : { refresh_token: stored },
        );
      } catch {
        response = undefined;
      }
      if (response?.ok === true) return accept(response, 'refresh', started);
      if (
        response !== undefined &&
        response.status < 500 &&
        response.status !== 408 &&
        response.status !== 429
      ) {
        const problem = await readProblem(response);
        // The refresh endpoint refuses only with the codes LogoutReason lists (HTTP_<status> when the
        // answer is not Tessera's); the code is passed on unchanged, as apps match on it.
        signOut({ reason: problem.code as LogoutReason, detail: problem.message, broadcast: true });
        return null;
      }
      // The answer was lost or the server is struggling; the rotation may even have happened. A retry inside
      // the grace window gets the same successor, so retry promptly there, then back off and say so.
      const error =
        response === undefined
          ? new AuthClientError('NETWORK', 'The auth server could not be reached.', 0)
          : await readProblem(response);
      const reconnecting = store.get().view.status === 'reconnecting';
      if (reconnecting || clocks.monotonic() - started + delay > store.get().graceMs / 2) {
        store.update(refreshUnavailable, { code: error.code });
        if (!reconnecting) store.emit('error', error);
        retryLater();
        throw new AuthClientError(
          'REFRESH_UNAVAILABLE',
          `The session could not be refreshed (${error.code}); retrying in the background.`,
          error.status,
        );
      }
      await sleep(delay);
      delay *= 2;
    }
  };

  const refresh = (): Promise<string | null> => {
    const running = store.get().inflight;
    if (running !== null) return running;
    const seen = store.get().gen;
    const newer = (): string | null =>
      store.get().gen > seen ? freshToken(store.get(), clocks) : null;
    const task = async (contended = false): Promise<string | null> => {
      // Another tab refreshed while this one waited for the lock: use its token instead of rotating again.
      // Its broadcast can arrive after the lock does (separate channels), so a tab that waited asks first;
      // the refreshing tab answers at once.
      if (newer() === null && (contended || (tabs?.sharedGeneration() ?? 0) > seen))
        await relay.ask(150);
      return newer() ?? rotate();
    };
    const shared = (tabs === null ? task() : tabs.withLock(task)).finally(() =>
      store.update(refreshSettled, { task: shared }),
    );
    store.update(refreshBegan, { task: shared });
    return shared;
  };

  const restore = (): Promise<void> => {
    const running = store.get().restoring;
    if (running !== null) return running;
    const shared = (async () => {
      await relay.ask(150);
      const { held, view } = store.get();
      if (held === null && view.status !== 'signed-out') await refresh().catch(() => undefined);
    })().finally(() => store.update(restoreSettled, { task: shared }));
    store.update(restoreBegan, { task: shared });
    return shared;
  };

  return {
    refresh,
    restore,
    accept,
    signedIn,
    signOut,
    schedule,
    stop: () => cancelTimer(),
  };
}
