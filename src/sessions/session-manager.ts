import type { SessionRow, Transport } from '../store/session-store.js';
import type { RevocationReason } from '../store/vocabulary.js';
import { inspectRefreshTokens, type RefreshCandidate } from './refresh-candidates.js';
import { createSessionCore, type RequestContext, type TokenSet } from './session-core.js';
import { issueSession } from './session-login.js';
import { refreshSession } from './session-refresh.js';
import { revokeByRefreshToken, revokeSession, revokeUserSessions } from './session-revocation.js';
import type { SessionManagerOptions } from './session-options.js';

// The session core's public face. The work is split by what it is about: the shared core (settings,
// clock, events, token response) in session-core, login, refresh (its rules in refresh-decision)
// and revocation in their own files; this one only composes them.

/** The token response and the request context: declared with the core, still exported here. */
export type { RequestContext, TokenSet } from './session-core.js';

/**
 * The session core: login, rotation with reuse detection and an idempotent grace window, revocation.
 *
 * @example
 * ```ts
 * const sessions = createSessionManager({ store, signAccessToken: sign, revocations: view });
 * const login = await sessions.issueSession('user-1', { transport: 'cookie' });
 * const next = await sessions.refresh(login.refreshToken);
 * ```
 */
export interface SessionManager {
  issueSession(
    userId: string,
    options?: RequestContext & { transport?: Transport; clientId?: string },
  ): Promise<TokenSet>;
  refresh(refreshToken: unknown, context?: RequestContext): Promise<TokenSet>;
  /** Logout: revokes the session of a presented refresh token; unknown tokens are a no-op (idempotent). */
  revokeByRefreshToken(
    refreshToken: unknown,
    context?: RequestContext,
  ): Promise<SessionRow | undefined>;
  /** Revokes one session; with `userId`, only when it belongs to that user. */
  revokeSession(
    sessionId: string,
    options: { reason: RevocationReason; userId?: string },
  ): Promise<boolean>;
  /** Logout everywhere or a password change: every session of the user, optionally but one. */
  revokeUserSessions(
    userId: string,
    options: { reason: RevocationReason; exceptSessionId?: string | null },
  ): Promise<void>;
  listSessions(userId: string): Promise<SessionRow[]>;
  /**
   * Judges several presented refresh tokens (two refresh cookies on one request) without any effect,
   * so the route can refresh or log out the live one and ignore the rest. Optional for other
   * implementations: without it the route uses the first well-formed value.
   */
  inspectRefreshTokens?(
    values: readonly string[],
    context: { transport?: Transport },
  ): Promise<RefreshCandidate[]>;
  readonly graceSeconds: number;
}

/**
 * Creates the session core over a store; throws CONFIG_INVALID on out-of-range settings.
 *
 * @example
 * ```ts
 * import { Keyring, createAccessTokenSigner, createSessionManager } from 'tessera-auth';
 * import { generateKeyMaterial, openSqliteStore } from 'tessera-auth';
 *
 * const store = await openSqliteStore({ path: '.tessera/sessions.db' });
 * const key = await generateKeyMaterial({ alg: 'EdDSA' });
 * const keys = new Keyring({ entries: [{ key, createdAt: 0, activatesAt: 0 }] });
 * const sign = createAccessTokenSigner({ keys, issuer: 'https://auth.example', audience: 'api' });
 * const sessions = createSessionManager({ store, signAccessToken: sign, graceSeconds: 30 });
 * const login = await sessions.issueSession('user-1', { transport: 'cookie' });
 * const next = await sessions.refresh(login.refreshToken, { transport: 'cookie' });
 * console.log(next.refreshToken !== login.refreshToken); // true: every refresh rotates
 * await store.close();
 * ```
 */
export function createSessionManager(options: SessionManagerOptions): SessionManager {
  const core = createSessionCore(options);
  return {
    graceSeconds: core.settings.graceSeconds,
    issueSession: (userId, context) => issueSession(core, userId, context),
    refresh: (value, context) => refreshSession(core, value, context),
    revokeByRefreshToken: (value, context) => revokeByRefreshToken(core, value, context),
    revokeSession: (sessionId, revocation) => revokeSession(core, sessionId, revocation),
    revokeUserSessions: (userId, revocation) => revokeUserSessions(core, userId, revocation),
    listSessions: (userId) => options.store.listSessions(userId),
    inspectRefreshTokens: (values, context) => inspectRefreshTokens(core, values, context),
  };
}
