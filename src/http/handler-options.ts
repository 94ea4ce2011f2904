import type { Accounts } from '../accounts/accounts.js';
import type { AccessTokenClaims } from '../jwt/claims.js';
import type { LegacyExchange } from '../sessions/legacy-exchange.js';
import type { SessionManager, TokenSet } from '../sessions/session-manager.js';
import type { OriginPolicy } from './origin-policy.js';
import type { RateLimiter } from './rate-limit.js';
import type { FeedCredentials } from '../sessions/feed-credentials.js';
import type { SessionStore } from '../store/session-store.js';
import type { ServerWarning } from '../wire/names.js';
import type { JWK } from 'jose';
import type { RequestFacts } from './request-facts.js';

/** The smallest logger the handlers need; pino satisfies it. Never given a token. */
export interface LoggerLike {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

/** What the auth handler needs to serve the revocation feed (http/revocation-feed.ts). */
export interface RevocationFeedOptions {
  readonly credentials: FeedCredentials;
  readonly store: Pick<SessionStore, 'listRevocations'>;
}

/** Options of createAuthHandler. */
export interface AuthHandlerOptions {
  readonly sessions: SessionManager;
  /** Tessera's own accounts; without them signup, login, password and reset routes answer 404. */
  readonly accounts?: Accounts;
  readonly verifyAccessToken: (token: string) => AccessTokenClaims;
  readonly jwks: () => { keys: JWK[] };
  readonly issuer: string;
  readonly audience: string;
  readonly leewaySeconds: number;
  readonly accessTtlSeconds: number;
  readonly allowedOrigins: readonly string[];
  /** Public OAuth client ids accepted at /oauth/token. Default `['tessera']`. */
  readonly clientIds?: readonly string[];
  readonly cookieSameSite?: 'Lax' | 'Strict' | 'None';
  readonly signupEnabled?: boolean;
  readonly trustProxy?: boolean;
  readonly rateLimiter?: RateLimiter;
  /**
   * Server secret material the device cookie's MAC key is derived from (http/device-cookie.ts); the
   * server passes TESSERA_KEY_SECRET. Without it the key is random per handler, so device cookies
   * prove nothing after a restart or on another node (those logins just take the ordinary path).
   */
  readonly deviceSecret?: string;
  readonly logger?: LoggerLike;
  readonly now?: () => number;
  /**
   * Serves `GET /auth/revocations` to resource servers holding a feed credential (README, "Revocation
   * at remote APIs"); without it the route answers 404.
   */
  readonly revocationFeed?: RevocationFeedOptions;
  /** Serves a page at GET / (the demo). */
  readonly homePage?: () => Response;
  /**
   * Adopts an old app's sessions (issue 14): `POST /auth/adopt` for browsers and the RFC 8693 token
   * exchange at `/oauth/token`. Without it both answer LEGACY_NOT_CONFIGURED.
   */
  readonly legacy?: LegacyExchange;
}

/** Everything a route needs, resolved once. */
export interface RouteDeps {
  readonly options: AuthHandlerOptions;
  readonly origins: OriginPolicy;
  readonly limiter: RateLimiter;
  readonly now: () => number;
  readonly tokenBody: (tokens: TokenSet) => Response;
}

/** One request as a route sees it. */
export interface RouteInput {
  readonly request: RequestFacts;
  readonly ip: string | null;
  readonly params: Readonly<Record<string, string>>;
  /**
   * Adds a set-up warning to this request's answer, success or problem alike, as the `Tessera-Warning`
   * header (fixed codes only: nothing from the request ever reaches a header).
   */
  readonly warn: (warning: ServerWarning) => void;
}

/** A route: request in, response out. Throw a TesseraError for any failure. */
export type Route = (input: RouteInput, deps: RouteDeps) => Promise<Response>;
