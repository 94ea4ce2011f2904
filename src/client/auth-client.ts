import { postToAuth } from './auth-request.js';
import { AuthClientError, isRefreshable, readProblem } from './problem.js';
import { createBrowserTabSync, type TabMessage, type TabSync } from './tab-sync.js';
import {
  refreshMarginMs,
  remainingMs,
  startLifetime,
  startTimer,
  type ClientClocks,
  type TokenLifetime,
} from './token-clock.js';
import { createMemoryStorage, type TokenStorage } from './token-storage.js';
import type { AuthClient, AuthClientOptions, AuthEvents, AuthState, RefreshInfo } from './types.js';

interface TokenBody {
  access_token: string;
  expires_in: number;
  refresh_grace_s: number;
  session_id: string;
  grace: boolean;
  refresh_token?: string;
}

interface Held {
  readonly token: string;
  readonly life: TokenLifetime;
  readonly info: RefreshInfo;
}

type Handlers = { [K in keyof AuthEvents]: Set<(event: AuthEvents[K]) => void> };

const AUTH_CALL = /\/auth\/(refresh|login|signup|logout)$/;

/**
 * Creates the client: keeps the access token in memory, refreshes it once for all tabs before it ends,
 * and turns an expired-token 401 into one refresh and one retry.
 *
 * @example
 * ```ts
 * const auth = createAuthClient({ baseUrl: 'https://auth.example.com' });
 * await auth.login('ada@example.com', 'correct horse battery');
 * const response = await auth.fetch('https://auth.example.com/demo/api/hello');
 * auth.on('loggedOut', ({ reason }) => showSignIn(reason));
 * ```
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  const base = options.baseUrl.replace(/\/$/, '');
  const inBrowser = typeof document !== 'undefined';
  const transport = options.transport ?? (inBrowser ? 'cookie' : 'body');
  const storage: TokenStorage = options.storage ?? createMemoryStorage();
  const fetchImpl = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const clocks: ClientClocks = {
    now: options.clocks?.now ?? Date.now,
    monotonic: options.clocks?.monotonic ?? (() => performance.now()),
  };
  const setTimer = options.setTimer ?? startTimer;
  const tabs: TabSync | null =
    options.tabs !== undefined
      ? options.tabs
      : inBrowser && transport === 'cookie'
        ? createBrowserTabSync({ name: base })
        : null;
  const tabId = tabs?.tabId ?? 'this';
  const origins = new Set((options.tokenOrigins ?? [base]).map((url) => new URL(url).origin));
  const proactive = options.proactiveRefresh !== false;
  const handlers: Handlers = { tokenRefreshed: new Set(), loggedOut: new Set(), error: new Set() };
  const listeners = new Set<() => void>();
  const waiters = new Set<(token: string | null) => void>();

  let state: AuthState = {
    status: 'unknown',
    sessionId: null,
    tabId,
    lastRefresh: null,
    loggedOutReason: null,
    lastError: null,
    clockOffsetMs: null,
  };
  let held: Held | null = null;
  let gen = tabs?.sharedGeneration() ?? 0;
  let graceMs = 30_000;
  let inflight: Promise<string | null> | null = null;
  let restoring: Promise<void> | null = null;
  let cancelTimer = (): void => undefined;
  let retryDelay = 1_000;
  const jitter = Math.random();

  const emit = <K extends keyof AuthEvents>(name: K, event: AuthEvents[K]): void => {
    for (const handler of handlers[name]) handler(event);
  };
  const setState = (patch: Partial<AuthState>): void => {
    state = { ...state, ...patch };
    for (const listener of listeners) listener();
  };
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimer(resolve, ms));
  const fresh = (): boolean =>
    held !== null && remainingMs(clocks, held.life) > refreshMarginMs(held.life);

  const schedule = (): void => {
    cancelTimer();
    if (!proactive || held === null) return;
    const { life } = held;
    // Each tab aims a little earlier or later, so one refreshes and the others just hear about it.
    const due = remainingMs(clocks, life) - refreshMarginMs(life) * (1 - jitter / 2);
    // Re-evaluated at least every 30 s: a wall clock that jumps or a machine that slept shows up here.
    cancelTimer = setTimer(
      () => (due <= 30_000 ? void refreshShared().catch(() => undefined) : schedule()),
      Math.max(0, Math.min(due, 30_000)),
    );
  };

  const adopt = (token: string, lifetimeMs: number, info: RefreshInfo, sessionId: string): void => {
    held = { token, life: startLifetime(clocks, lifetimeMs), info };
    retryDelay = 1_000;
    setState({
      status: 'signed-in',
      sessionId,
      lastRefresh: info,
      loggedOutReason: null,
      lastError: null,
    });
    emit('tokenRefreshed', info);
    schedule();
  };

  const tell = (source: 'login' | 'refresh'): void => {
    if (tabs === null || held === null) return;
    const { info } = held;
    tabs.post({
      t: 'token',
      from: tabId,
      token: held.token,
      remainingMs: remainingMs(clocks, held.life),
      gen,
      sid: state.sessionId ?? '',
      ms: info.ms,
      grace: info.grace,
      source,
      by: info.tabId,
    });
  };

  const signOut = (reason: string, detail: string, broadcast: boolean): void => {
    // A first visit with no cookie ends in REFRESH_TOKEN_MISSING: that is not a logout worth announcing.
    const was = state.sessionId === null ? 'unknown' : state.status;
    held = null;
    cancelTimer();
    if (transport === 'body') void Promise.resolve(storage.remove()).catch(() => undefined);
    setState({ status: 'signed-out', sessionId: null, loggedOutReason: reason });
    if (broadcast && tabs !== null) {
      // A logout outranks every token announced before it: tabs drop token messages of an older generation.
      gen = Math.max(gen, tabs.sharedGeneration()) + 1;
      tabs.publishGeneration(gen);
      tabs.post({ t: 'logout', from: tabId, reason, detail, gen });
    }
    for (const waiter of waiters) waiter(null);
    if (was !== 'signed-out' && was !== 'unknown') emit('loggedOut', { reason, detail });
  };

  const call = (path: string, json?: unknown): Promise<Response> =>
    postToAuth({ base, path, json, transport, fetch: fetchImpl });

  const accept = async (
    response: Response,
    source: 'login' | 'refresh',
    startedMono: number,
  ): Promise<string> => {
    const body = (await response.json()) as TokenBody;
    if (transport === 'body' && body.refresh_token !== undefined)
      await storage.set(body.refresh_token);
    gen = Math.max(gen, tabs?.sharedGeneration() ?? 0) + 1;
    tabs?.publishGeneration(gen);
    graceMs = body.refresh_grace_s * 1000;
    const info: RefreshInfo = {
      source,
      tabId,
      ms: Math.round(clocks.monotonic() - startedMono),
      grace: body.grace === true,
      expiresInMs: body.expires_in * 1000,
      at: clocks.now(),
    };
    adopt(body.access_token, body.expires_in * 1000, info, body.session_id);
    tell(source);
    return body.access_token;
  };

  const retryLater = (): void => {
    cancelTimer();
    cancelTimer = setTimer(() => void refreshShared().catch(() => undefined), retryDelay);
    retryDelay = Math.min(retryDelay * 2, 60_000);
  };

  const rotate = async (): Promise<string | null> => {
    const started = clocks.monotonic();
    let delay = 200;
    if (state.status !== 'reconnecting') setState({ status: 'refreshing' });
    for (;;) {
      const stored = transport === 'body' ? await storage.get() : undefined;
      if (stored === null) {
        signOut('REFRESH_TOKEN_MISSING', 'No refresh token is stored on this device.', false);
        return null;
      }
      let response: Response | undefined;
      try {
        response = await call(
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
        signOut(problem.code, problem.message, true);
        return null;
      }
      // The answer was lost or the server is struggling; the rotation may even have happened. A retry inside
      // the grace window gets the same successor, so retry promptly there, then back off and say so.
      const error =
        response === undefined
          ? new AuthClientError('NETWORK', 'The auth server could not be reached.', 0)
          : await readProblem(response);
      const reconnecting = state.status === 'reconnecting';
      if (reconnecting || clocks.monotonic() - started + delay > graceMs / 2) {
        setState({ status: 'reconnecting', lastError: error.code });
        if (!reconnecting) emit('error', error);
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

  const waitForToken = (ms: number): Promise<string | null> =>
    new Promise((resolve) => {
      const done = (token: string | null): void => {
        waiters.delete(done);
        cancel();
        resolve(token);
      };
      const cancel = setTimer(() => done(null), ms);
      waiters.add(done);
    });

  const refreshShared = (): Promise<string | null> => {
    if (inflight !== null) return inflight;
    const seen = gen;
    const task = async (contended = false): Promise<string | null> => {
      // Another tab refreshed while this one waited for the lock: use its token instead of rotating again.
      // Its broadcast can arrive after the lock does (separate channels), so a tab that waited asks first;
      // the refreshing tab answers at once.
      if (!(gen > seen && fresh()) && (contended || (tabs?.sharedGeneration() ?? 0) > seen))
        await askTabs(150);
      return gen > seen && fresh() ? (held as Held).token : rotate();
    };
    inflight = (tabs === null ? task() : tabs.withLock(task)).finally(() => {
      inflight = null;
    });
    return inflight;
  };

  const askTabs = async (ms: number): Promise<void> => {
    if (tabs === null) return;
    tabs.post({ t: 'ask', from: tabId });
    await waitForToken(ms);
  };

  const restore = (): Promise<void> =>
    (restoring ??= (async () => {
      await askTabs(150);
      if (held === null && state.status !== 'signed-out')
        await refreshShared().catch(() => undefined);
    })().finally(() => {
      restoring = null;
    }));

  // Functions, not inline checks: awaits in between change both, and narrowing would not see it.
  const usable = (): string | null => (held !== null && fresh() ? held.token : null);
  const signedOut = (): boolean => state.status === 'signed-out';

  const getAccessToken = async (): Promise<string | null> => {
    if (usable() !== null) return usable();
    if (signedOut()) return null;
    if (state.status === 'unknown' && held === null) {
      await restore();
      if (usable() !== null || signedOut()) return usable();
    }
    return refreshShared();
  };

  const recover = async (used: string | null): Promise<string | null> => {
    // eslint-disable-next-line tessera/timing-safe-compare -- identity of this tab's own in-memory token, not a check of an untrusted secret
    if (held !== null && held.token !== used && fresh()) return held.token;
    if (state.status === 'signed-out') return null;
    // The server's 401 outranks our clock: never send this token again.
    // eslint-disable-next-line tessera/timing-safe-compare -- identity of this tab's own in-memory token, not a check of an untrusted secret
    if (held?.token === used) held = null;
    return refreshShared();
  };

  const send = (request: Request, token: string | null): Promise<Response> => {
    const copy = request.clone();
    const headers = new Headers(copy.headers);
    if (token !== null) headers.set('authorization', `Bearer ${token}`);
    return fetchImpl(new Request(copy, { headers }));
  };

  const authFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    if (!origins.has(new URL(request.url).origin) || AUTH_CALL.test(new URL(request.url).pathname))
      return fetchImpl(request);
    const token = await getAccessToken().catch(() => (held === null ? null : held.token));
    const first = await send(request, token);
    if (!(await isRefreshable(first))) return first;
    if (token === null && state.status === 'signed-out') return first;
    // One refresh, one retry: a second 401 goes back to the caller, so nothing here can loop. A refresh the
    // network prevented rejects (REFRESH_UNAVAILABLE) rather than passing off the 401 as a logout.
    const next = await recover(token);
    return next === null ? first : send(request, next);
  };

  const onTab = (message: TabMessage): void => {
    if (message.t === 'ask') {
      if (fresh()) tell(held?.info.source === 'login' ? 'login' : 'refresh');
    } else if (message.t === 'logout') {
      gen = Math.max(gen, message.gen);
      signOut(message.reason, message.detail, false);
      // eslint-disable-next-line tessera/timing-safe-compare -- identity of this tab's own in-memory token, not a check of an untrusted secret
    } else if (message.gen >= gen && message.token !== held?.token) {
      gen = message.gen;
      if (message.token === undefined) {
        // The fallback channel carries no token: the cookie already holds the new refresh token, fetch our own.
        held = null;
        return;
      }
      adopt(
        message.token,
        message.remainingMs,
        {
          source: 'tab',
          tabId: message.by,
          ms: message.ms,
          grace: message.grace,
          expiresInMs: message.remainingMs,
          at: clocks.now(),
        },
        message.sid,
      );
      for (const waiter of waiters) waiter(message.token);
    }
  };
  const stopTabs = tabs?.onMessage(onTab);

  const wake = async (): Promise<void> => {
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    if (state.status === 'signed-out') return;
    if (state.status === 'unknown') return restore();
    if (state.status === 'reconnecting') retryDelay = 1_000;
    if (fresh()) return schedule();
    // Asleep, this tab may have missed a refresh by another: ask before rotating again.
    await askTabs(100);
    if (!fresh()) await refreshShared().catch(() => undefined);
  };
  const lifecycle =
    options.lifecycle !== undefined ? options.lifecycle : inBrowser ? globalThis : null;
  const onWake = (): void => void wake();
  for (const name of ['visibilitychange', 'online', 'pageshow', 'focus'])
    lifecycle?.addEventListener(name, onWake);

  const signIn = async (
    mode: 'login' | 'signup',
    email: string,
    password: string,
  ): Promise<void> => {
    const started = clocks.monotonic();
    const response = await call(`/auth/${mode}`, { email, password });
    if (!response.ok) throw await readProblem(response);
    await accept(response, 'login', started);
  };

  return {
    login: (email, password) => signIn('login', email, password),
    signup: (email, password) => signIn('signup', email, password),
    async logout() {
      // Under the refresh lock, so no tab's refresh can land after the logout and sign the browser back in.
      const leave = async (): Promise<Response | undefined> => {
        const stored = transport === 'body' ? await storage.get() : null;
        const request = call(
          '/auth/logout',
          stored === null ? undefined : { refresh_token: stored },
        );
        signOut('LOGGED_OUT', 'You signed out.', true);
        return request.catch(() => undefined);
      };
      // Signed out here at once; an unreachable server is reported so the caller can say the session may live on.
      const response = await (tabs === null ? leave() : tabs.withLock(leave));
      if (response === undefined || !response.ok)
        throw response === undefined
          ? new AuthClientError('NETWORK', 'Signed out here, but the server could not be told.', 0)
          : await readProblem(response);
    },
    async logoutEverywhere() {
      const response = await authFetch(`${base}/auth/logout-all`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'tessera-csrf': '1' },
        body: '{}',
        credentials: 'include',
      });
      if (!response.ok) throw await readProblem(response);
      signOut('LOGGED_OUT_EVERYWHERE', 'You signed out on every device.', true);
    },
    fetch: authFetch,
    getAccessToken,
    recover,
    restore,
    refresh: refreshShared,
    remainingMs: () => (held === null ? null : remainingMs(clocks, held.life)),
    async measureClockOffset() {
      const wall = clocks.now();
      const mono = clocks.monotonic();
      const response = await fetchImpl(new Request(`${base}/auth/time`));
      const { epoch_ms } = (await response.json()) as { epoch_ms: number };
      const offset = Math.round(epoch_ms - (wall + (clocks.monotonic() - mono) / 2));
      setState({ clockOffsetMs: offset });
      return offset;
    },
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    on(name, handler) {
      handlers[name].add(handler);
      return () => handlers[name].delete(handler);
    },
    close() {
      cancelTimer();
      stopTabs?.();
      tabs?.close();
      for (const name of ['visibilitychange', 'online', 'pageshow', 'focus'])
        lifecycle?.removeEventListener(name, onWake);
    },
  };
}
