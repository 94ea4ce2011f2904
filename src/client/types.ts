import type { ServerWarning, Transport } from '../wire/names.js';
import type { LegacyTokenSource } from './legacy-readers.js';
import type { LogoutReason } from './logout-reason.js';
import type { AuthClientError } from './problem.js';
import type { TabSync } from './tab-sync.js';
import type { ClientClocks } from './token-clock.js';
import type { TokenStorage } from './token-storage.js';

/**
 * Where the session stands, as this tab knows it. `reconnecting`: the server is out of reach or failing
 * (network, 5xx, 408, 429). `misconfigured`: the server refused the refresh for a reason of the set-up
 * (CSRF or origin, a wrong URL, a proxy: `lastError` and `lastErrorDetail` say which). Both keep the
 * session and retry with backoff; neither is a logout.
 */
export type AuthStatus =
  'unknown' | 'signed-in' | 'refreshing' | 'reconnecting' | 'misconfigured' | 'signed-out';

/** One new access token: who got it, how long the call took, and whether it was a grace answer. */
export interface RefreshInfo {
  /** `login`, `refresh` (this tab called the server) or `tab` (another tab did and told this one). */
  readonly source: 'login' | 'refresh' | 'tab';
  /** The tab that called the server. */
  readonly tabId: string;
  readonly ms: number;
  /** True when the server answered from its grace window (a retried or concurrent refresh). */
  readonly grace: boolean;
  readonly expiresInMs: number;
  /** Wall-clock time it arrived here, for display only. */
  readonly at: number;
}

/** A snapshot of the client's state; a new object on every change (for `useSyncExternalStore`). */
export interface AuthState {
  readonly status: AuthStatus;
  readonly sessionId: string | null;
  readonly tabId: string;
  readonly lastRefresh: RefreshInfo | null;
  /** Why the last session ended (`REFRESH_TOKEN_REUSED`, `LOGGED_OUT`, ...); null when none did here. */
  readonly loggedOutReason: LogoutReason | null;
  /** The code of the last refresh failure that kept the session (`NETWORK`, `CSRF_FAILED`, ...). */
  readonly lastError: string | null;
  /** The server's explanation of `lastError` (its problem+json `detail`). */
  readonly lastErrorDetail: string | null;
  /** The server's warning about this app's set-up, from its last login or refresh answer, and the fix. */
  readonly warning: { readonly code: ServerWarning; readonly fix: string } | null;
  /** Server clock minus device clock, measured by `measureClockOffset()`; shown, never used for validity. */
  readonly clockOffsetMs: number | null;
}

/** Where a `COOKIE_NOT_SENT` logout happened: the two origins, whether they are one site, and the fix. */
export interface CookieReport {
  /** The page's origin (`location.origin`). */
  readonly appOrigin: string;
  /** The auth server's origin (from `baseUrl`). */
  readonly authOrigin: string;
  /** Same registrable domain and scheme (approximated: the last two labels; IPs and localhost exact). */
  readonly sameSite: boolean;
  readonly fix: string;
}

/** The events and their payloads. */
export interface AuthEvents {
  tokenRefreshed: RefreshInfo;
  loggedOut: {
    readonly reason: LogoutReason;
    readonly detail: string;
    /** Only with `COOKIE_NOT_SENT`. */
    readonly cookie?: CookieReport;
  };
  error: AuthClientError;
}

/** Something that emits page lifecycle events (`window` in browsers; an AppState bridge in React Native). */
export interface LifecycleTarget {
  addEventListener(name: string, listener: () => void): void;
  removeEventListener(name: string, listener: () => void): void;
}

/** Options of createAuthClient. */
export interface AuthClientOptions {
  /** The auth server's origin (and path prefix, if any), e.g. `https://auth.example.com`. */
  readonly baseUrl: string;
  /** `cookie` (browsers: refresh token in the httpOnly cookie) or `body` (native: kept in `storage`). */
  readonly transport?: Transport;
  /** Where the body transport keeps the refresh token. Default: memory. */
  readonly storage?: TokenStorage;
  readonly fetch?: (request: Request) => Promise<Response>;
  readonly clocks?: Partial<ClientClocks>;
  /** Schedules a task; returns its cancel function. Default: setTimeout. */
  readonly setTimer?: (task: () => void, ms: number) => () => void;
  /** Cross-tab coordination; `null` for none. Default: Web Locks + BroadcastChannel in browsers. */
  readonly tabs?: TabSync | null;
  /** Refresh before expiry. Default true. */
  readonly proactiveRefresh?: boolean;
  /** Origins `fetch()` sends the access token to. Default: the baseUrl's origin only. */
  readonly tokenOrigins?: readonly string[];
  /** Where resume/online/visibility events come from. Default: `globalThis` in browsers. */
  readonly lifecycle?: LifecycleTarget | null;
  /**
   * Adopts the old app's session once, before the first restore: reads its JWT (see `legacyTokenAt`,
   * `legacyTokenInJson`), exchanges it for a Tessera session under the cross-tab lock, then removes the
   * old copies. `clientId` is for the body transport's RFC 8693 exchange (default `tessera`).
   */
  readonly adoptLegacy?: LegacyTokenSource & { readonly clientId?: string };
}

/** The client. */
export interface AuthClient {
  login(email: string, password: string): Promise<void>;
  signup(email: string, password: string): Promise<void>;
  /** Ends this session on the server and in every tab. Rejects (after signing out locally) if the server was not told. */
  logout(): Promise<void>;
  /** Ends every session of the user. */
  logoutEverywhere(): Promise<void>;
  /** A drop-in `fetch` that adds the access token (to `tokenOrigins` only) and recovers once from an expired one. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** A fresh access token, refreshing first if needed; null when signed out. */
  getAccessToken(): Promise<string | null>;
  /** After a 401 for `usedToken`: a newer token (another request or tab may already have one) or null. */
  recover(usedToken: string | null): Promise<string | null>;
  /** Picks up an existing session: asks the other tabs, then the server. */
  restore(): Promise<void>;
  /** Refreshes now (once for all tabs). */
  refresh(): Promise<string | null>;
  /** Milliseconds the current access token has left by this device's elapsed-time measure, or null. */
  remainingMs(): number | null;
  /** Measures the server clock minus the device clock (round trip halved); for display. */
  measureClockOffset(): Promise<number>;
  getState(): AuthState;
  subscribe(listener: () => void): () => void;
  on<K extends keyof AuthEvents>(name: K, handler: (event: AuthEvents[K]) => void): () => void;
  close(): void;
}
