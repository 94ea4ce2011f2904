import { WARNING_HEADER, type Transport } from '../wire/names.js';
import {
  WARNING_FIXES,
  cookieDetail,
  cookieReport,
  readWarning,
  refreshFix,
} from './client-advice.js';
import {
  announcesLogout,
  freshToken,
  isDegraded,
  logoutAnnounced,
  refreshDueMs,
  signedOut,
  tokenAdopted,
  tokenIssued,
} from './client-state.js';
import { AuthClientError, readProblem } from './problem.js';
import { endingReason, refreshOutcome } from './refresh-outcome.js';
import {
  refreshBegan,
  refreshMisconfigured,
  refreshSettled,
  refreshStarted,
  refreshUnavailable,
  restoreBegan,
  restoreSettled,
  retryScheduled,
  serverWarned,
} from './refresh-state.js';
import { markSession, pageOrigin, sessionMarked } from './session-marker.js';
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
  /** The auth server's base URL (no trailing slash), for the diagnoses. */
  readonly base: string;
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
 *   ...{ store, relay, tabs, tabId, base, storage, clocks, setTimer, call },
 *   transport: 'body',
 *   proactive: true,
 * });
 * const token = await flow.refresh();
 * ```
 */
export function createRefreshFlow(options: RefreshFlowOptions): RefreshFlow {
  const { store, relay, tabs, transport, storage, clocks, setTimer, base } = options;
  const cookies = transport === 'cookie';
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

  const signOut = ({ reason, detail, broadcast }: SessionEnding, held = false): void => {
    // A first visit with no session is no logout worth announcing; a session this device held is.
    const announce = announcesLogout(store.get(), held);
    cancelTimer();
    if (cookies) markSession(false);
    else void Promise.resolve(storage.remove()).catch(() => undefined);
    store.update(signedOut, { reason });
    if (broadcast && tabs !== null && reason !== null) {
      // A logout outranks every token announced before it: tabs drop token messages of an older generation.
      const { gen } = store.update(logoutAnnounced, { sharedGen: tabs.sharedGeneration() });
      tabs.publishGeneration(gen);
      tabs.post({ t: 'logout', from: options.tabId, reason, detail, gen });
    }
    relay.settle(null);
    if (!announce || reason === null) return;
    // Judged here also for another tab's COOKIE_NOT_SENT: its message has only the text, the origins are ours.
    const cookie =
      reason === 'COOKIE_NOT_SENT' ? cookieReport(pageOrigin(), new URL(base).origin) : undefined;
    const event =
      cookie === undefined ? { reason, detail } : { reason, cookie, detail: cookieDetail(cookie) };
    // These end a session because of the set-up, not the session's life: the tab they happened in says so.
    if (broadcast && /COOKIE|MALFORMED|MISMATCH/.test(reason))
      store.warnOnce(reason, `session ended: ${reason}. ${event.detail}`);
    store.emit('loggedOut', event);
  };

  // A refresh the server refused for good: the session ends, or (a first visit, reason null) there was none.
  const end = (code: string, detail: string, held: boolean, broadcast = true): null => {
    held ||= cookies && sessionMarked();
    const live = held || store.get().view.sessionId !== null;
    signOut({ reason: endingReason(code, { held: live, transport }), detail, broadcast }, held);
    return null;
  };

  // A refresh that failed for a reason retrying may cure: the session stays, the status says why.
  const degrade = (status: 'misconfigured' | 'reconnecting', error: AuthClientError): never => {
    const { view } = store.get();
    const { code, message } = error;
    store.update(status === 'misconfigured' ? refreshMisconfigured : refreshUnavailable, {
      code,
      detail: message,
    });
    if (!isDegraded(view.status) || view.lastError !== code) store.emit('error', error);
    store.warnOnce(
      code,
      `refresh failed: ${code} (${message}); the session is kept, retrying. Fix: ${refreshFix(code, status, pageOrigin(), base)}.`,
    );
    retryLater();
    throw new AuthClientError(
      'REFRESH_UNAVAILABLE',
      `The session could not be refreshed (${code}); retrying in the background.`,
      error.status,
    );
  };

  const accept = async (
    response: Response,
    source: 'login' | 'refresh',
    startedMono: number,
  ): Promise<string> => {
    const body = (await response.json()) as TokenBody;
    if (cookies) markSession(true);
    else if (body.refresh_token !== undefined) await storage.set(body.refresh_token);
    const warning = readWarning(response.headers.get(WARNING_HEADER));
    store.update(serverWarned, { code: warning });
    if (warning !== null)
      store.warnOnce(warning, `the server warns ${warning}. Fix: ${WARNING_FIXES[warning]}.`);
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
      const stored = cookies ? undefined : await storage.get();
      if (stored === null)
        return end('REFRESH_TOKEN_MISSING', 'No refresh token is stored here.', false, false);
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
      const error =
        response === undefined
          ? new AuthClientError('NETWORK', 'The auth server could not be reached.', 0)
          : await readProblem(response);
      const outcome = refreshOutcome(error.status, error.code);
      // The code is passed on unchanged (apps match on it); a body-transport refusal answered a stored token.
      if (outcome === 'ended') return end(error.code, error.message, !cookies);
      // A set-up problem will not pass in milliseconds. A lost answer or a struggling server may: the
      // rotation may even have happened, and a retry inside the grace window gets the same successor, so
      // retry promptly there, then back off and say so.
      if (
        outcome === 'misconfigured' ||
        isDegraded(store.get().view.status) ||
        clocks.monotonic() - started + delay > store.get().graceMs / 2
      )
        return degrade(outcome, error);
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
