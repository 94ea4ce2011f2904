import type { SessionRow } from '../store/session-store.js';
import type { RevocationReason } from '../store/vocabulary.js';
import { secretMatches } from '../secrets/opaque-secret.js';
import { parseRefreshToken } from '../wire/refresh-token.js';
import type { RequestContext, SessionCore } from './session-core.js';

// Revocation, three ways: one session by its refresh token (logout), one by id (the session list,
// an administrator), every session of a user (logout everywhere, a password change). Each writes
// the feed, then syncs this node's view, so this node refuses the access tokens at once.

/**
 * Logout: revokes the session of a presented refresh token; an unknown token is a no-op, so a
 * second logout answers like the first.
 *
 * @example
 * ```ts
 * const session = await revokeByRefreshToken(core, request.cookies[REFRESH_COOKIE], { ip });
 * ```
 */
export async function revokeByRefreshToken(
  core: SessionCore,
  value: unknown,
  context: RequestContext = {},
): Promise<SessionRow | undefined> {
  const { store, pepper, revocations } = core.options;
  const { id, secret } = parseRefreshToken(value);
  const found = await store.findRefreshToken(id);
  if (found === undefined || !secretMatches(secret, found.token.secretHash, pepper))
    return undefined;
  const record = await store.revokeSession({
    sessionId: found.session.id,
    at: core.now(),
    reason: 'logout',
  });
  await revocations?.sync();
  // Only the logout that revoked writes an event: a repeated logout leaves the trail as it was.
  if (record !== undefined) await core.events.append('logout', found.session, context);
  return found.session;
}

/**
 * Revokes one session; with `userId`, only when it belongs to that user (a user's own session
 * list).
 *
 * @example
 * ```ts
 * const revoked = await revokeSession(core, sessionId, { reason: 'revoked-by-user', userId });
 * ```
 */
export async function revokeSession(
  core: SessionCore,
  sessionId: string,
  { reason, userId }: { reason: RevocationReason; userId?: string },
): Promise<boolean> {
  const { store, revocations } = core.options;
  const session = await store.findSession(sessionId);
  if (session === undefined || (userId !== undefined && session.userId !== userId)) return false;
  const record = await store.revokeSession({ sessionId, at: core.now(), reason });
  await revocations?.sync();
  if (record !== undefined) await core.events.append('session.revoked', session, {}, { reason });
  return record !== undefined;
}

/**
 * Logout everywhere or a password change: revokes every session of the user, optionally but one.
 *
 * @example
 * ```ts
 * await revokeUserSessions(core, userId, { reason: 'password-change', exceptSessionId: current });
 * ```
 */
export async function revokeUserSessions(
  core: SessionCore,
  userId: string,
  { reason, exceptSessionId = null }: { reason: RevocationReason; exceptSessionId?: string | null },
): Promise<void> {
  const { store, revocations } = core.options;
  const at = core.now();
  // Each live session gets its own feed record, so its access tokens are refused to the
  // millisecond; the user cut then catches any session a racing login created meanwhile.
  for (const session of await store.listSessions(userId)) {
    if (session.revokedAt === null && session.id !== exceptSessionId)
      await store.revokeSession({ sessionId: session.id, at, reason });
  }
  await store.revokeUser({ userId, at, reason, exceptSessionId });
  // This node sees its own revocations at once; other nodes within a poll interval or a NOTIFY.
  await revocations?.sync();
  await core.events.record({
    at: core.now(),
    type: 'user.revoked',
    userId,
    sessionId: exceptSessionId,
    ip: null,
    detail: JSON.stringify({ reason, keptSession: exceptSessionId !== null }),
  });
}
