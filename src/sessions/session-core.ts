import type { SessionRow, Transport } from '../store/session-store.js';
import { createSessionEvents, type SessionEvents } from './session-events.js';
import {
  resolveSessionOptions,
  type ResolvedSessionOptions,
  type SessionClaims,
  type SessionManagerOptions,
} from './session-options.js';

/** What login and refresh hand back: the body of an RFC 6749 token response, plus context. */
export interface TokenSet {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly refreshToken: string;
  /** The grace window, published so clients can plan retries (`refresh_grace_s`). */
  readonly refreshGraceSeconds: number;
  /** Seconds until the refresh token idles out: the cookie's Max-Age. */
  readonly refreshExpiresIn: number;
  readonly sessionId: string;
  readonly userId: string;
  readonly transport: Transport;
  /** True when this answer is a grace replay of the successor already issued. */
  readonly grace: boolean;
}

/** Request context recorded on sessions and events. */
export interface RequestContext {
  readonly ip?: string | null;
  readonly userAgent?: string | null;
  /** How the refresh token arrived; a session answers only on the transport it was created with. */
  readonly transport?: Transport;
}

/**
 * What every session operation shares: the options as given, the validated settings, one clock, the
 * audit trail, the claims hook and the token response. Built once per manager so that login,
 * refresh and revocation cannot disagree on any of them.
 */
export interface SessionCore {
  readonly options: SessionManagerOptions;
  readonly settings: ResolvedSessionOptions;
  readonly now: () => number;
  readonly events: SessionEvents;
  /** Runs the claims hook (roles, scope), or decides none. */
  decideClaims(userId: string, session: SessionRow | undefined): Promise<SessionClaims>;
  /** Signs an access token for the session and builds the token response around a refresh token. */
  respond(
    session: SessionRow,
    refreshToken: string,
    claims: SessionClaims,
    grace: boolean,
  ): TokenSet;
}

/**
 * Validates the options and builds the shared core; throws CONFIG_INVALID on out-of-range settings.
 *
 * @example
 * ```ts
 * const core = createSessionCore({ store, signAccessToken, graceSeconds: 30 });
 * const claims = await core.decideClaims(session.userId, session);
 * const tokens = core.respond(session, refreshToken, claims, false);
 * ```
 */
export function createSessionCore(options: SessionManagerOptions): SessionCore {
  const settings = resolveSessionOptions(options);
  const now = options.now ?? Date.now;
  return {
    options,
    settings,
    now,
    events: createSessionEvents({ store: options.store, now, onEvent: options.onEvent }),
    decideClaims: async (userId, session) =>
      options.claims ? options.claims({ userId, session }) : {},
    respond(session, refreshToken, claims, grace) {
      // Counted from this answer, so the cookie's Max-Age ends when the session idles out.
      const refreshExpiresIn = Math.max(0, Math.floor((session.idleExpiresAt - now()) / 1000));
      const access = options.signAccessToken({
        sub: session.userId,
        sid: session.id,
        clientId: session.clientId,
        ...(claims.scope === undefined ? {} : { scope: claims.scope }),
        ...(claims.roles === undefined ? {} : { claims: { roles: claims.roles } }),
      });
      return {
        accessToken: access.token,
        expiresIn: access.expiresIn,
        refreshToken,
        refreshGraceSeconds: settings.graceSeconds,
        refreshExpiresIn,
        sessionId: session.id,
        userId: session.userId,
        transport: session.transport,
        grace,
      };
    },
  };
}
