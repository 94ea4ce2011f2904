import { CSRF_HEADER } from '../wire/names.js';
import { postToAuth } from './auth-request.js';
import {
  clockOffsetMeasured,
  freshToken,
  initialClientState,
  tokenRejected,
} from './client-state.js';
import { AuthClientError, isRefreshable, readProblem } from './problem.js';
import { createRefreshFlow } from './refresh-flow.js';
import { resumed } from './refresh-state.js';
import { createSessionStore } from './session-store.js';
import { createTabRelay } from './tab-relay.js';
import { createBrowserTabSync, type TabSync } from './tab-sync.js';
import { remainingMs, startTimer, type ClientClocks } from './token-clock.js';
import { createMemoryStorage } from './token-storage.js';
import type { AuthClient, AuthClientOptions, AuthStatus } from './types.js';

const AUTH_CALL = /\/auth\/(refresh|login|signup|logout)$/;
const WAKE_EVENTS = ['visibilitychange', 'online', 'pageshow', 'focus'];

/**
 * Creates the client: keeps the access token in memory, refreshes it once for all tabs before it ends,
 * and turns an expired-token 401 into one refresh and one retry.
 *
 * @example
 * ```ts
 * import { createAuthClient, type LogoutReason } from 'tessera-auth/client';
 *
 * declare function showSignIn(reason: LogoutReason): void;
 *
 * const auth = createAuthClient({ baseUrl: 'https://auth.example.com' });
 * auth.on('loggedOut', ({ reason }) => showSignIn(reason));
 *
 * async function main(): Promise<void> {
 *   await auth.login('ada@example.com', 'correct horse battery');
 *   const response = await auth.fetch('https://auth.example.com/demo/api/hello');
 *   console.log(response.status, auth.getState().status);
 * }
 * void main();
 * ```
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  const base = options.baseUrl.replace(/\/$/, '');
  const inBrowser = typeof document !== 'undefined';
  const transport = options.transport ?? (inBrowser ? 'cookie' : 'body');
  const storage = options.storage ?? createMemoryStorage();
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
  const call = (path: string, json?: unknown): Promise<Response> =>
    postToAuth({ base, path, json, transport, fetch: fetchImpl });

  const store = createSessionStore(
    initialClientState({ tabId, gen: tabs?.sharedGeneration() ?? 0 }),
  );
  const relay = createTabRelay({ tabs, tabId, store, clocks, setTimer });
  const flow = createRefreshFlow({
    store,
    relay,
    tabs,
    tabId,
    transport,
    base,
    storage,
    clocks,
    setTimer,
    proactive: options.proactiveRefresh !== false,
    call,
  });
  const stopTabs = relay.listen(flow);
  // An old app's JWT left in storage becomes this session once, before the first restore. Loaded only
  // when asked for (its own chunk), so apps that adopt nothing do not carry it (legacy-adoption.ts).
  const adoptLegacy = options.adoptLegacy;
  const adoption =
    adoptLegacy === undefined
      ? undefined
      : import('./legacy-adoption.js').then(({ createLegacyAdoption }) =>
          createLegacyAdoption({
            source: adoptLegacy,
            tabs,
            transport,
            base,
            fetch: fetchImpl,
            call,
            accept: (response) => flow.accept(response, 'login', clocks.monotonic()),
          }),
        );
  const restore = async (): Promise<void> =>
    adoption === undefined
      ? flow.restore()
      : (await adoption).restore(
          () => flow.restore(),
          () => status() === 'signed-in',
        );

  // Functions, not inline checks: awaits in between change the state, and narrowing would not see it.
  const usable = (): string | null => freshToken(store.get(), clocks);
  const status = (): AuthStatus => store.get().view.status;

  const getAccessToken = async (): Promise<string | null> => {
    if (usable() !== null) return usable();
    if (status() === 'signed-out') return null;
    if (status() === 'unknown' && store.get().held === null) {
      await restore();
      if (usable() !== null || status() === 'signed-out') return usable();
    }
    return flow.refresh();
  };

  const recover = async (used: string | null): Promise<string | null> => {
    const token = usable();
    // eslint-disable-next-line tessera/timing-safe-compare -- identity of this tab's own in-memory token, not a check of an untrusted secret
    if (token !== null && token !== used) return token;
    if (status() === 'signed-out') return null;
    store.update(tokenRejected, { token: used });
    return flow.refresh();
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
    const token = await getAccessToken().catch(() => store.get().held?.token ?? null);
    const first = await send(request, token);
    if (!(await isRefreshable(first))) return first;
    if (token === null && status() === 'signed-out') return first;
    // One refresh, one retry: a second 401 goes back to the caller, so nothing here can loop. A refresh the
    // network prevented rejects (REFRESH_UNAVAILABLE) rather than passing off the 401 as a logout.
    const next = await recover(token);
    return next === null ? first : send(request, next);
  };

  const wake = async (): Promise<void> => {
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    if (status() === 'signed-out') return;
    if (status() === 'unknown') return restore();
    store.update(resumed);
    if (usable() !== null) return flow.schedule();
    // Asleep, this tab may have missed a refresh by another: ask before rotating again.
    await relay.ask(100);
    if (usable() === null) await flow.refresh().catch(() => undefined);
  };
  const lifecycle =
    options.lifecycle !== undefined ? options.lifecycle : inBrowser ? globalThis : null;
  const onWake = (): void => void wake();
  for (const name of WAKE_EVENTS) lifecycle?.addEventListener(name, onWake);

  const signIn = async (
    mode: 'login' | 'signup',
    email: string,
    password: string,
  ): Promise<void> => {
    const started = clocks.monotonic();
    const response = await call(`/auth/${mode}`, { email, password });
    if (!response.ok) throw await readProblem(response);
    await flow.accept(response, 'login', started);
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
        flow.signOut({ reason: 'LOGGED_OUT', detail: 'You signed out.', broadcast: true });
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
        headers: { 'content-type': 'application/json', [CSRF_HEADER]: '1' },
        body: '{}',
        credentials: 'include',
      });
      if (!response.ok) throw await readProblem(response);
      flow.signOut({
        reason: 'LOGGED_OUT_EVERYWHERE',
        detail: 'You signed out on every device.',
        broadcast: true,
      });
    },
    fetch: authFetch,
    getAccessToken,
    recover,
    restore,
    refresh: flow.refresh,
    remainingMs() {
      const { held } = store.get();
      return held === null ? null : remainingMs(clocks, held.life);
    },
    async measureClockOffset() {
      const wall = clocks.now();
      const mono = clocks.monotonic();
      const response = await fetchImpl(new Request(`${base}/auth/time`));
      const { epoch_ms } = (await response.json()) as { epoch_ms: number };
      const offsetMs = Math.round(epoch_ms - (wall + (clocks.monotonic() - mono) / 2));
      store.update(clockOffsetMeasured, { offsetMs });
      return offsetMs;
    },
    getState: () => store.get().view,
    subscribe: store.subscribe,
    on: store.on,
    close() {
      flow.stop();
      stopTabs();
      tabs?.close();
      for (const name of WAKE_EVENTS) lifecycle?.removeEventListener(name, onWake);
    },
  };
}
