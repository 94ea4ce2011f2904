import type { ClientState } from './client-state.js';
import type { AuthClient, AuthEvents } from './types.js';

/**
 * Holds a client's {@link ClientState} and tells its observers: state subscribers, event handlers, and
 * (once per kind of trouble) the developer's console.
 */
export interface SessionStore {
  /** The current state; read it again after every await, other tabs and requests change it meanwhile. */
  get(): ClientState;
  /** Applies one transition; subscribers hear of it when the public snapshot changed. */
  update(transition: (state: ClientState) => ClientState): ClientState;
  /** Applies one transition with its event. */
  update<E>(transition: (state: ClientState, event: E) => ClientState, event: E): ClientState;
  emit<K extends keyof AuthEvents>(name: K, event: AuthEvents[K]): void;
  /** Writes `message` to the console the first time `key` comes up: a set-up problem, not every retry of it. */
  warnOnce(key: string, message: string): void;
  readonly on: AuthClient['on'];
  readonly subscribe: AuthClient['subscribe'];
}

type Handlers = { [K in keyof AuthEvents]: Set<(event: AuthEvents[K]) => void> };

/**
 * Creates the store, starting from `initial`.
 *
 * @example
 * ```ts
 * const store = createSessionStore(initialClientState({ tabId: 'tab1', gen: 0 }));
 * store.update(signedOut, { reason: 'LOGGED_OUT' });
 * ```
 */
export function createSessionStore(initial: ClientState): SessionStore {
  let state = initial;
  const listeners = new Set<() => void>();
  const handlers: Handlers = { tokenRefreshed: new Set(), loggedOut: new Set(), error: new Set() };
  const warned = new Set<string>();
  return {
    get: () => state,
    update<E>(transition: (state: ClientState, event?: E) => ClientState, event?: E) {
      const before = state.view;
      state = transition(state, event);
      if (state.view !== before) for (const listener of listeners) listener();
      return state;
    },
    emit(name, event) {
      for (const handler of handlers[name]) handler(event);
    },
    warnOnce(key, message) {
      if (warned.has(key)) return;
      warned.add(key);
      // eslint-disable-next-line no-console -- the one place the client speaks to the developer: a set-up problem and its fix, never a token
      console.warn(`tessera: ${message}`);
    },
    on(name, handler) {
      handlers[name].add(handler);
      return () => handlers[name].delete(handler);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
