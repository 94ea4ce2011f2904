'use client';
// tessera-auth/next/client: the App Router's client wiring over tessera-auth/client. A 'use client'
// entry of its own, so that no server module (next/headers) reaches the browser bundle.
import { useRouter } from 'next/navigation.js';
import {
  createContext,
  createElement,
  useContext,
  useEffect,
  useState,
  useSyncExternalStore,
  type ReactElement,
  type ReactNode,
} from 'react';
import { createAuthClient } from '../client/auth-client.js';
import type { AuthClient, AuthClientOptions, AuthState } from '../client/types.js';

/** What {@link useTessera} returns: the session state, the client, and its actions. */
export interface TesseraClientState extends AuthState {
  /** Null until the provider has mounted in the browser (the server render has no client). */
  readonly client: AuthClient | null;
  readonly login: (email: string, password: string) => Promise<void>;
  readonly signup: (email: string, password: string) => Promise<void>;
  readonly logout: () => Promise<void>;
  readonly fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
}

/** Props of {@link TesseraProvider}. */
export interface TesseraProviderProps {
  readonly children?: ReactNode;
  /** Client options beyond the base URL, which is this page's origin (the app serves `/auth`). */
  readonly options?: Omit<AuthClientOptions, 'baseUrl'>;
}

const BEFORE_MOUNT: AuthState = Object.freeze({
  status: 'unknown',
  sessionId: null,
  tabId: '',
  lastRefresh: null,
  loggedOutReason: null,
  lastError: null,
  lastErrorDetail: null,
  warning: null,
  clockOffsetMs: null,
});
const noSubscription = (): (() => void) => () => undefined;
const ClientContext = createContext<AuthClient | null>(null);

/**
 * Holds this tab's Tessera client (access token in memory, refresh through the httpOnly cookie, tabs
 * kept in step) and keeps the server's view in line: when the session ends here or in another tab,
 * it re-renders the route (`router.refresh()`), so the proxy sends a protected page to the sign-in page.
 *
 * @example
 * ```tsx
 * // app/layout.tsx
 * import { TesseraProvider } from 'tessera-auth/next/client';
 * export default function RootLayout({ children }: { children: React.ReactNode }) {
 *   return <html lang="en"><body><TesseraProvider>{children}</TesseraProvider></body></html>;
 * }
 * ```
 */
export function TesseraProvider(props: TesseraProviderProps): ReactElement {
  const router = useRouter();
  const [client, setClient] = useState<AuthClient | null>(null);
  const { options } = props;
  useEffect(() => {
    const created = createAuthClient({ ...options, baseUrl: window.location.origin });
    setClient(created);
    let previous = created.getState().status;
    const stop = created.subscribe(() => {
      const status = created.getState().status;
      // Signed in, then not: the server's cookies are gone too, so the rendered page is stale.
      if (status === 'signed-out' && previous !== 'signed-out' && previous !== 'unknown')
        router.refresh();
      previous = status;
    });
    void created.restore().catch(() => undefined);
    return () => {
      stop();
      created.close();
    };
    // The client lives as long as the page: options are read once, as createAuthClient reads them.
  }, []);
  return createElement(ClientContext.Provider, { value: client }, props.children);
}

/**
 * The session state and actions of the nearest {@link TesseraProvider}; re-renders on every change.
 *
 * @example
 * ```tsx
 * 'use client';
 * import { useTessera } from 'tessera-auth/next/client';
 * export function SignOut() {
 *   const { status, logout } = useTessera();
 *   return status === 'signed-in' ? <button onClick={() => void logout()}>Sign out</button> : null;
 * }
 * ```
 */
export function useTessera(): TesseraClientState {
  const client = useContext(ClientContext);
  const state = useSyncExternalStore(
    client?.subscribe ?? noSubscription,
    client?.getState ?? (() => BEFORE_MOUNT),
    () => BEFORE_MOUNT,
  );
  const ready = (): AuthClient => {
    if (client === null)
      throw new Error(
        'tessera-auth/next/client: the client is not mounted yet (no TesseraProvider above, or before hydration).',
      );
    return client;
  };
  return {
    ...state,
    client,
    login: (email, password) => ready().login(email, password),
    signup: (email, password) => ready().signup(email, password),
    logout: () => ready().logout(),
    fetch: (input, init) => ready().fetch(input, init),
  };
}
