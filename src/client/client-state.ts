// The client's one state value and its session transitions (refresh-state.ts has those of the refresh
// machinery). Pure: no I/O, no timers, no clock reads (the queries take the clocks as an argument). The
// effects live at the edges (refresh-flow, tab-relay, session-store), which apply a transition, then act.
import type { LogoutReason } from './logout-reason.js';
import {
  refreshMarginMs,
  remainingMs,
  type ClientClocks,
  type TokenLifetime,
} from './token-clock.js';
import type { AuthState, AuthStatus, RefreshInfo } from './types.js';

/** The access token a tab holds in memory, when it got it, and who got it. */
export interface HeldToken {
  readonly token: string;
  readonly life: TokenLifetime;
  readonly info: RefreshInfo;
}

/** Everything the parts of one client share, as one immutable value. */
export interface ClientState {
  /** What `getState()` returns: a new object exactly when subscribers must be told. */
  readonly view: AuthState;
  /** The access token in memory; null before the first, after a 401 rejected it, and once signed out. */
  readonly held: HeldToken | null;
  /**
   * The refresh counter shared by the tabs: a token or logout announced with an older generation lost a
   * race to a newer one and is ignored.
   */
  readonly gen: number;
  /** The server's refresh grace window: quick retries of a lost refresh answer stay within half of it. */
  readonly graceMs: number;
  /** Delay of the next background refresh while the server is unreachable (doubles up to a minute). */
  readonly retryDelayMs: number;
  /** The refresh every caller in this tab joins while it runs. */
  readonly inflight: Promise<string | null> | null;
  /** The restore (ask the tabs, then the server) every caller joins while it runs. */
  readonly restoring: Promise<void> | null;
}

/** The first background retry's delay, and the one a new token or a resumed page starts again from. */
export const FIRST_RETRY_MS = 1_000;

/**
 * The state of a client that has not yet learned whether a session exists.
 *
 * @example
 * ```ts
 * const state = initialClientState({ tabId: 'tab1', gen: tabs.sharedGeneration() });
 * ```
 */
export function initialClientState(input: { tabId: string; gen: number }): ClientState {
  return {
    view: {
      status: 'unknown',
      sessionId: null,
      tabId: input.tabId,
      lastRefresh: null,
      loggedOutReason: null,
      lastError: null,
      lastErrorDetail: null,
      warning: null,
      clockOffsetMs: null,
    },
    held: null,
    gen: input.gen,
    // Until the server names its window: the server's default.
    graceMs: 30_000,
    retryDelayMs: FIRST_RETRY_MS,
    inflight: null,
    restoring: null,
  };
}

/**
 * The server issued a token (login or refresh): it outranks everything any tab announced before, and
 * its answer names the grace window.
 *
 * @example
 * ```ts
 * state = tokenIssued(state, { sharedGen: tabs.sharedGeneration(), graceMs: 30_000 });
 * ```
 */
export function tokenIssued(
  state: ClientState,
  event: { sharedGen: number; graceMs: number },
): ClientState {
  return { ...state, gen: Math.max(state.gen, event.sharedGen) + 1, graceMs: event.graceMs };
}

/**
 * This tab is about to announce a logout: it outranks every token announced before it.
 *
 * @example
 * ```ts
 * state = logoutAnnounced(state, { sharedGen: tabs.sharedGeneration() });
 * ```
 */
export function logoutAnnounced(state: ClientState, event: { sharedGen: number }): ClientState {
  return { ...state, gen: Math.max(state.gen, event.sharedGen) + 1 };
}

/**
 * A new access token is held (from the server or from another tab): signed in, and any earlier
 * logout reason or refresh error is over.
 *
 * @example
 * ```ts
 * state = tokenAdopted(state, { held: { token, life, info }, sessionId: 's-1' });
 * ```
 */
export function tokenAdopted(
  state: ClientState,
  event: { held: HeldToken; sessionId: string },
): ClientState {
  return {
    ...state,
    held: event.held,
    retryDelayMs: FIRST_RETRY_MS,
    view: {
      ...state.view,
      status: 'signed-in',
      sessionId: event.sessionId,
      lastRefresh: event.held.info,
      loggedOutReason: null,
      lastError: null,
      lastErrorDetail: null,
    },
  };
}

/**
 * Another tab announced a token. Ignored when its generation is older or it is the token already
 * held; without a token (the storage-event channel carries none) the held one is dropped, so the next
 * request fetches its own.
 *
 * @example
 * ```ts
 * state = tabTokenHeard(state, { gen: message.gen, held, sessionId: message.sid });
 * ```
 */
export function tabTokenHeard(
  state: ClientState,
  event: { gen: number; held: HeldToken | null; sessionId: string },
): ClientState {
  // eslint-disable-next-line tessera/timing-safe-compare -- identity of this tab's own in-memory token, not a check of an untrusted secret
  if (event.gen < state.gen || event.held?.token === state.held?.token) return state;
  const next = { ...state, gen: event.gen };
  return event.held === null
    ? { ...next, held: null }
    : tokenAdopted(next, { held: event.held, sessionId: event.sessionId });
}

/**
 * Another tab announced a logout: its generation is the newest this tab has seen (the sign-out itself
 * is {@link signedOut}).
 *
 * @example
 * ```ts
 * state = signedOut(tabLogoutHeard(state, { gen: message.gen }), { reason: message.reason });
 * ```
 */
export function tabLogoutHeard(state: ClientState, event: { gen: number }): ClientState {
  return { ...state, gen: Math.max(state.gen, event.gen) };
}

/**
 * The session ended here: no token, no session, and the reason (null: there was none, a first visit).
 * Applied even when already signed out, since subscribers are told every sign-out.
 *
 * @example
 * ```ts
 * state = signedOut(state, { reason: 'LOGGED_OUT' });
 * ```
 */
export function signedOut(state: ClientState, event: { reason: LogoutReason | null }): ClientState {
  return {
    ...state,
    held: null,
    view: { ...state.view, status: 'signed-out', sessionId: null, loggedOutReason: event.reason },
  };
}

/**
 * An API answered 401 to `token`: the server outranks this tab's clock, so it is never sent again.
 * Ignored when a newer token is already held.
 *
 * @example
 * ```ts
 * state = tokenRejected(state, { token: usedToken });
 * ```
 */
export function tokenRejected(state: ClientState, event: { token: string | null }): ClientState {
  // eslint-disable-next-line tessera/timing-safe-compare -- identity of this tab's own in-memory token, not a check of an untrusted secret
  if (state.held === null || state.held.token !== event.token) return state;
  return { ...state, held: null };
}

/**
 * The server clock minus the device clock was measured (shown, never used for validity).
 *
 * @example
 * ```ts
 * state = clockOffsetMeasured(state, { offsetMs: 600_000 });
 * ```
 */
export function clockOffsetMeasured(state: ClientState, event: { offsetMs: number }): ClientState {
  return { ...state, view: { ...state.view, clockOffsetMs: event.offsetMs } };
}

/**
 * Whether a refresh failed and is being retried in the background, the session kept.
 *
 * @example
 * ```ts
 * if (isDegraded(state.view.status)) showBanner(state.view.lastError);
 * ```
 */
export function isDegraded(status: AuthStatus): boolean {
  return status === 'reconnecting' || status === 'misconfigured';
}

/**
 * The held token if it is worth sending: more than its refresh margin left by the clocks given. While
 * degraded, until its very end: refreshing early failed and is retried in the background, and every
 * request refreshing again would bypass that backoff.
 *
 * @example
 * ```ts
 * const token = freshToken(state, clocks) ?? (await refresh());
 * ```
 */
export function freshToken(state: ClientState, clocks: ClientClocks): string | null {
  const { held } = state;
  if (held === null) return null;
  const margin = isDegraded(state.view.status) ? 0 : refreshMarginMs(held.life);
  return remainingMs(clocks, held.life) > margin ? held.token : null;
}

/**
 * Milliseconds until the proactive refresh of the held token (null without one). `jitter` (0 to 1)
 * spreads the tabs: each aims a little earlier or later, so one refreshes and the others hear of it.
 *
 * @example
 * ```ts
 * const due = refreshDueMs(state, clocks, Math.random());
 * ```
 */
export function refreshDueMs(
  state: ClientState,
  clocks: ClientClocks,
  jitter: number,
): number | null {
  const life = state.held?.life;
  if (life === undefined) return null;
  return remainingMs(clocks, life) - refreshMarginMs(life) * (1 - jitter / 2);
}

/**
 * Whether signing out from this state is a logout worth announcing (`loggedOut`): a first visit that
 * finds no session, or a second sign-out, is not. `held`: this device had a session this tab has not
 * seen yet (a start-up that cannot restore it).
 *
 * @example
 * ```ts
 * if (announcesLogout(before, sessionMarked())) emit('loggedOut', { reason, detail });
 * ```
 */
export function announcesLogout(state: ClientState, held = false): boolean {
  const { status, sessionId } = state.view;
  return status !== 'signed-out' && (held || (sessionId !== null && status !== 'unknown'));
}
