/**
 * The /auth routes by `METHOD path` (`:id` marks a parameter), apart from their implementations: the
 * handler matches paths with these at once, while the implementations (and zod, which validates
 * their bodies) load on the first request that needs one. `AUTH_ROUTES` is typed by this list, so
 * the two cannot drift.
 */
export const AUTH_ROUTE_KEYS = [
  'POST /auth/signup',
  'POST /auth/login',
  'POST /auth/refresh',
  'POST /auth/logout',
  'POST /auth/logout-all',
  'POST /auth/password',
  'POST /auth/password-reset',
  'POST /auth/password-reset/confirm',
  'POST /auth/verify-email',
  'POST /auth/ticket',
  'GET /auth/me',
  'GET /auth/sessions',
  'DELETE /auth/sessions/:id',
  'POST /auth/adopt',
] as const;

/** One /auth route key. */
export type AuthRouteKey = (typeof AUTH_ROUTE_KEYS)[number];
