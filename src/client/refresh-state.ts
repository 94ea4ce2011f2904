// Transitions of the refresh machinery's part of ClientState: the shared refresh and restore, the
// reconnecting status and its backoff. Pure, like the rest of client-state.
import { FIRST_RETRY_MS, type ClientState } from './client-state.js';

/**
 * This tab calls the server for a new token. Ignored while reconnecting: that status stays until a
 * refresh succeeds, so the page keeps saying the server is out of reach.
 *
 * @example
 * ```ts
 * state = refreshStarted(state);
 * ```
 */
export function refreshStarted(state: ClientState): ClientState {
  if (state.view.status === 'reconnecting') return state;
  return { ...state, view: { ...state.view, status: 'refreshing' } };
}

/**
 * The refresh could not reach the server, or the server could not answer: the session is kept and
 * retried in the background.
 *
 * @example
 * ```ts
 * state = refreshUnavailable(state, { code: 'NETWORK' });
 * ```
 */
export function refreshUnavailable(state: ClientState, event: { code: string }): ClientState {
  return { ...state, view: { ...state.view, status: 'reconnecting', lastError: event.code } };
}

/**
 * A background retry was scheduled with `retryDelayMs`: the one after it waits twice as long, at most
 * a minute.
 *
 * @example
 * ```ts
 * setTimer(retry, state.retryDelayMs);
 * state = retryScheduled(state);
 * ```
 */
export function retryScheduled(state: ClientState): ClientState {
  return { ...state, retryDelayMs: Math.min(state.retryDelayMs * 2, 60_000) };
}

/**
 * The page came back (visible, online, resumed): a reconnecting client retries soon again rather than
 * after its backed-off delay. Ignored in every other status.
 *
 * @example
 * ```ts
 * state = resumed(state);
 * ```
 */
export function resumed(state: ClientState): ClientState {
  if (state.view.status !== 'reconnecting') return state;
  return { ...state, retryDelayMs: FIRST_RETRY_MS };
}

/**
 * A shared refresh started. Ignored while another runs: callers join that one instead.
 *
 * @example
 * ```ts
 * state = refreshBegan(state, { task });
 * ```
 */
export function refreshBegan(
  state: ClientState,
  event: { task: Promise<string | null> },
): ClientState {
  return state.inflight === null ? { ...state, inflight: event.task } : state;
}

/**
 * A shared refresh settled; the next caller starts a new one. Ignored for a task that is not the
 * running one.
 *
 * @example
 * ```ts
 * state = refreshSettled(state, { task });
 * ```
 */
export function refreshSettled(
  state: ClientState,
  event: { task: Promise<string | null> },
): ClientState {
  return state.inflight === event.task ? { ...state, inflight: null } : state;
}

/**
 * A shared restore started. Ignored while another runs.
 *
 * @example
 * ```ts
 * state = restoreBegan(state, { task });
 * ```
 */
export function restoreBegan(state: ClientState, event: { task: Promise<void> }): ClientState {
  return state.restoring === null ? { ...state, restoring: event.task } : state;
}

/**
 * A shared restore settled. Ignored for a task that is not the running one.
 *
 * @example
 * ```ts
 * state = restoreSettled(state, { task });
 * ```
 */
export function restoreSettled(state: ClientState, event: { task: Promise<void> }): ClientState {
  return state.restoring === event.task ? { ...state, restoring: null } : state;
}
