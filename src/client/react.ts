// tessera-auth/react: hooks over the client's external store. React is passed in rather than imported,
// so this entry has no dependency (not even types) on a React version; any React 18+ works.
import type { AuthClient, AuthState } from './types.js';

/** The one React API the hooks use. `import * as React from 'react'` satisfies it. */
export interface ReactLike {
  useSyncExternalStore<T>(
    subscribe: (onChange: () => void) => () => void,
    getSnapshot: () => T,
    getServerSnapshot?: () => T,
  ): T;
}

/** What `useAuth()` returns: the session state and the client's actions. */
export interface UseAuthResult extends AuthState {
  readonly client: AuthClient;
  readonly login: AuthClient['login'];
  readonly signup: AuthClient['signup'];
  readonly logout: AuthClient['logout'];
  readonly logoutEverywhere: AuthClient['logoutEverywhere'];
  readonly fetch: AuthClient['fetch'];
}

/** The hooks bound to one client. */
export interface AuthHooks {
  /** The session state plus the actions; re-renders on every state change (sign-in, refresh, logout). */
  useAuth(): UseAuthResult;
  /** The session state only. */
  useSession(): AuthState;
}

/**
 * Creates `useAuth()` and `useSession()` for a client, built on `useSyncExternalStore` so every component
 * sees the same state in the same render, including tokens and logouts that arrive from other tabs.
 *
 * @example
 * ```tsx
 * import * as React from 'react';
 * import { createAuthClient } from 'tessera-auth/client';
 * import { createAuthHooks } from 'tessera-auth/react';
 * export const auth = createAuthClient({ baseUrl: 'https://auth.example.com' });
 * export const { useAuth, useSession } = createAuthHooks(React, auth);
 * function Header() {
 *   const { status, logout } = useAuth();
 *   return status === 'signed-in' ? <button onClick={() => logout()}>Sign out</button> : <SignIn />;
 * }
 * ```
 */
export function createAuthHooks(react: ReactLike, client: AuthClient): AuthHooks {
  const useSession = (): AuthState =>
    react.useSyncExternalStore(client.subscribe, client.getState, client.getState);
  return {
    useSession,
    useAuth() {
      const state = useSession();
      return {
        ...state,
        client,
        login: client.login,
        signup: client.signup,
        logout: client.logout,
        logoutEverywhere: client.logoutEverywhere,
        fetch: client.fetch,
      };
    },
  };
}
