// tessera-auth/client: the browser, Node and React Native client. From the server's side it imports only
// the wire names (a leaf module) and the error codes' types.
export { createAuthClient } from './auth-client.js';
// The legacy readers are a separate entry (tessera-auth/client/legacy-readers): only apps adopting an old
// app's sessions pay for them, and only during the migration.
export type { LegacyTokenSource } from './legacy-readers.js';
export { AuthClientError, REFRESHABLE_CODES, isRefreshable, readProblem } from './problem.js';
export type { LogoutReason } from './logout-reason.js';
export type { ServerWarning } from '../wire/names.js';
export { createBrowserTabSync, type TabMessage, type TabSync } from './tab-sync.js';
export {
  refreshMarginMs,
  remainingMs,
  startLifetime,
  type ClientClocks,
  type TokenLifetime,
} from './token-clock.js';
export { createMemoryStorage, type TokenStorage } from './token-storage.js';
// Node's file adapter is a separate entry (tessera-auth/client/file-storage), kept out of the browser bundle.
export type {
  AuthClient,
  AuthClientOptions,
  AuthEvents,
  AuthState,
  AuthStatus,
  CookieReport,
  LifecycleTarget,
  RefreshInfo,
} from './types.js';
