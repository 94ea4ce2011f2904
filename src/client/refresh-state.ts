// Transitions of the refresh machinery's part of ClientState: the shared refresh and restore, the
// reconnecting and misconfigured statuses and their backoff, the server's warning. Pure, like client-state.
import type { ServerWarning } from '../wire/names.js';
import { WARNING_FIXES } from './client-advice.js';
import { FIRST_RETRY_MS, isDegraded, type ClientState } from './client-state.js';

/**
 * This tab calls the server for a new token. Ignored while reconnecting or misconfigured: that status
 * stays until a refresh succeeds, so the page keeps saying what is wrong.
 *
 * @example
 * ```ts
 * state = refreshStarted(state);
 * ```
 */
export function refreshStarted(state: ClientState): ClientState {
  if (isDegraded(state.view.status)) return state;
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
export function refreshUnavailable(
  state: ClientState,
  event: { code: string; detail?: string },
): ClientState {
  return degraded(state, 'reconnecting', event);
}

/**
 * The server refused the refresh for a reason of the set-up (CSRF or origin, a wrong URL, a proxy): the
 * session is kept (token and cookie), and retried in the background in case the set-up is fixed.
 *
 * @example
 * ```ts
 * state = refreshMisconfigured(state, { code: 'CSRF_FAILED', detail: problem.message });
 * ```
 */
export function refreshMisconfigured(
  state: ClientState,
  event: { code: string; detail: string },
): ClientState {
  return degraded(state, 'misconfigured', event);
}

function degraded(
  state: ClientState,
  status: 'reconnecting' | 'misconfigured',
  event: { code: string; detail?: string },
): ClientState {
  const view = {
    ...state.view,
    status,
    lastError: event.code,
    lastErrorDetail: event.detail ?? null,
  };
  return { ...state, view };
}

/**
 * A login or refresh answer came with the server's `Tessera-Warning` (or without: null clears it).
 * Ignored when it says what the state already says.
 *
 * @example
 * ```ts
 * state = serverWarned(state, { code: response.headers.get(WARNING_HEADER) as ServerWarning | null });
 * ```
 */
export function serverWarned(
  state: ClientState,
  event: { code: ServerWarning | null },
): ClientState {
  if ((state.view.warning?.code ?? null) === event.code) return state;
  const warning = event.code === null ? null : { code: event.code, fix: WARNING_FIXES[event.code] };
  return { ...state, view: { ...state.view, warning } };
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
 * The page came back (visible, online, resumed): a reconnecting or misconfigured client retries soon
 * again rather than after its backed-off delay. Ignored in every other status.
 *
 * @example
 * ```ts
 * state = resumed(state);
 * ```
 */
export function resumed(state: ClientState): ClientState {
  if (!isDegraded(state.view.status)) return state;
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
