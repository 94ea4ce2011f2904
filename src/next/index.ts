// tessera-auth/next: the App Router integration (server side). The client provider is its own entry,
// tessera-auth/next/client, because a 'use client' module must not carry next/headers.
export {
  createTesseraNext,
  type TesseraBackend,
  type TesseraNext,
  type TesseraNextOptions,
} from './tessera-next.js';
export {
  createTesseraRoutes,
  returnPath,
  RESUME_PATH,
  type RouteHandler,
  type TesseraRouteHandlers,
  type TesseraRoutesOptions,
} from './auth-routes.js';
export {
  createProxyGuard,
  isProtected,
  proxyDecision,
  type ProxyDecision,
  type ProxyGuardOptions,
} from './proxy-guard.js';
export {
  createRequestAuthenticator,
  sessionOf,
  type RequestAuthenticatorOptions,
  type SessionResult,
  type TesseraSession,
  type VerifyAccessToken,
} from './request-session.js';
export {
  ACCESS_COOKIE,
  accessCookieChange,
  accessTokenFromCookies,
  changesAccessCookie,
  serializeAccessCookie,
  type AccessCookieChange,
  type AuthAnswer,
} from './access-cookie.js';
