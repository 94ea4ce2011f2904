import { freshToken, tabLogoutHeard, tabTokenHeard, type HeldToken } from './client-state.js';
import type { LogoutReason } from './logout-reason.js';
import type { SessionStore } from './session-store.js';
import type { TabMessage, TabSync } from './tab-sync.js';
import { remainingMs, startLifetime, type ClientClocks } from './token-clock.js';
import type { RefreshInfo } from './types.js';

/** How a session ends: its reason and explanation, and whether the other tabs must be told. */
export interface SessionEnding {
  /** Null when there was no session to end (a first visit): the tab just says signed out. */
  readonly reason: LogoutReason | null;
  readonly detail: string;
  /** False when the news came from another tab (it has told them) or concerns this device only. */
  readonly broadcast: boolean;
}

/** What a message from another tab can make this client do, beyond changing its state. */
export interface TabSession {
  /** A token from another tab is now held: tell the handlers, plan the next refresh. */
  signedIn(info: RefreshInfo): void;
  signOut(ending: SessionEnding): void;
}

/** This client's side of the conversation between tabs. */
export interface TabRelay {
  /** Announces the held token to the other tabs; `source` is how this tab got it. */
  tell(source: 'login' | 'refresh'): void;
  /** Asks the other tabs for their token; resolves when one arrives, the session ends, or after `ms`. */
  ask(ms: number): Promise<void>;
  /** Ends every wait of `ask`: with the token that arrived, or null once signed out. */
  settle(token: string | null): void;
  /** Acts on the other tabs' messages until the returned function is called. */
  listen(session: TabSession): () => void;
}

/**
 * Creates the relay over `tabs`; without tabs (`null`) it tells, asks and hears nothing.
 *
 * @example
 * ```ts
 * const relay = createTabRelay({ tabs, tabId: tabs.tabId, store, clocks, setTimer: startTimer });
 * await relay.ask(150);
 * ```
 */
export function createTabRelay(input: {
  tabs: TabSync | null;
  tabId: string;
  store: SessionStore;
  clocks: ClientClocks;
  setTimer: (task: () => void, ms: number) => () => void;
}): TabRelay {
  const { tabs, tabId, store, clocks } = input;
  const waiters = new Set<(token: string | null) => void>();

  const settle = (token: string | null): void => {
    for (const waiter of waiters) waiter(token);
  };

  const tell = (source: 'login' | 'refresh'): void => {
    const { held, gen, view } = store.get();
    if (tabs === null || held === null) return;
    const { info } = held;
    tabs.post({
      t: 'token',
      from: tabId,
      token: held.token,
      remainingMs: remainingMs(clocks, held.life),
      gen,
      sid: view.sessionId ?? '',
      ms: info.ms,
      grace: info.grace,
      source,
      by: info.tabId,
    });
  };

  const hear = (message: TabMessage, session: TabSession): void => {
    if (message.t === 'ask') {
      const state = store.get();
      if (freshToken(state, clocks) !== null)
        tell(state.held?.info.source === 'login' ? 'login' : 'refresh');
    } else if (message.t === 'logout') {
      store.update(tabLogoutHeard, { gen: message.gen });
      session.signOut({ reason: message.reason, detail: message.detail, broadcast: false });
    } else {
      const held: HeldToken | null =
        message.token === undefined
          ? null
          : {
              token: message.token,
              life: startLifetime(clocks, message.remainingMs),
              info: {
                source: 'tab',
                tabId: message.by,
                ms: message.ms,
                grace: message.grace,
                expiresInMs: message.remainingMs,
                at: clocks.now(),
              },
            };
      const next = store.update(tabTokenHeard, { gen: message.gen, held, sessionId: message.sid });
      if (held === null || next.held !== held) return;
      session.signedIn(held.info);
      settle(held.token);
    }
  };

  return {
    tell,
    settle,
    async ask(ms) {
      if (tabs === null) return;
      tabs.post({ t: 'ask', from: tabId });
      await new Promise<string | null>((resolve) => {
        const done = (token: string | null): void => {
          waiters.delete(done);
          cancel();
          resolve(token);
        };
        const cancel = input.setTimer(() => done(null), ms);
        waiters.add(done);
      });
    },
    listen: (session) => tabs?.onMessage((message) => hear(message, session)) ?? (() => undefined),
  };
}
