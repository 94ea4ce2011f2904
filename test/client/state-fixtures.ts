// Known client states for the transition tests, built with the transitions themselves; clocks are passed in.
import {
  initialClientState,
  tokenAdopted,
  type ClientState,
  type HeldToken,
} from '../../src/client/client-state.js';
import type { ClientClocks } from '../../src/client/token-clock.js';
import type { AuthStatus, RefreshInfo } from '../../src/client/types.js';

/** What a refresh by this tab reports. */
export const INFO: RefreshInfo = {
  source: 'refresh',
  tabId: 'tab1',
  ms: 12,
  grace: false,
  expiresInMs: 60_000,
  at: 1_000,
};

/** A token received at wall 0 / monotonic 0 that lives `lifetimeMs`. */
export const heldToken = (token: string, lifetimeMs = 60_000): HeldToken => ({
  token,
  life: { lifetimeMs, receivedWall: 0, receivedMono: 0 },
  info: { ...INFO, expiresInMs: lifetimeMs },
});

/** Clocks that read `wall` and `mono` (the same unless given). */
export const clocksAt = (wall: number, mono = wall): ClientClocks => ({
  now: () => wall,
  monotonic: () => mono,
});

/** A tab that knows nothing yet, at generation 3. */
export const fresh = (): ClientState => initialClientState({ tabId: 'tab1', gen: 3 });

/** A tab signed in to session s-1, holding `token` (60 s, received at 0). */
export const signedIn = (token = 'at-1', gen = 3): ClientState =>
  tokenAdopted({ ...fresh(), gen }, { held: heldToken(token), sessionId: 's-1' });

/** `state` with another status, for transitions that depend on it. */
export const withStatus = (state: ClientState, status: AuthStatus): ClientState => ({
  ...state,
  view: { ...state.view, status },
});

/** Deep-frozen, so a transition that mutated its input would throw. */
export function frozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !(value instanceof Promise)) {
    for (const inner of Object.values(value)) frozen(inner);
    Object.freeze(value);
  }
  return value;
}
