import { randomBytes } from 'node:crypto';
import { TesseraError } from '../errors/tessera-error.js';
import { formatDuration, formatInstant } from '../errors/explain.js';
import type { AuditEvent, SessionRow, Transport } from '../store/session-store.js';
import {
  isRevocationReason,
  REVOCATION_WORDS,
  type AuditEventType,
  type RevocationReason,
} from '../store/vocabulary.js';
import { secretMatches } from '../secrets/opaque-secret.js';
import { parseRefreshToken } from '../wire/refresh-token.js';
import { mintRefreshToken } from './refresh-token.js';
import { openSuccessor, sealSuccessor } from './successor-seal.js';
import {
  resolveSessionOptions,
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
  readonly graceSeconds: number;
}

/**
 * Creates the session core over a store.
 *
 * @example
 * ```ts
 * const sessions = createSessionManager({ store, signAccessToken, graceSeconds: 30 });
 * ```
 */
export function createSessionManager(options: SessionManagerOptions): SessionManager {
  const settings = resolveSessionOptions(options);
  const { store, pepper, revocations } = options;
  const now = options.now ?? Date.now;
  const decideClaims = async (
    userId: string,
    session: SessionRow | undefined,
  ): Promise<SessionClaims> => (options.claims ? options.claims({ userId, session }) : {});

  const respond = (
    session: SessionRow,
    refreshToken: string,
    claims: SessionClaims,
    grace: boolean,
  ): TokenSet => {
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
  };

  const describeEvent = (
    type: AuditEventType,
    session: SessionRow | undefined,
    context: RequestContext,
    detail: Record<string, unknown> = {},
  ): AuditEvent => ({
    at: now(),
    type,
    userId: session?.userId ?? null,
    sessionId: session?.id ?? null,
    ip: context.ip ?? null,
    detail: JSON.stringify(detail),
  });
  const event = async (
    type: AuditEventType,
    session: SessionRow | undefined,
    context: RequestContext,
    detail: Record<string, unknown> = {},
  ): Promise<void> => {
    const described = describeEvent(type, session, context, detail);
    await store.appendEvent(described);
    options.onEvent?.(described);
  };

  const assertLive = (session: SessionRow, at: number): void => {
    if (session.revokedAt !== null) {
      const reason = session.revokedReason;
      const why =
        reason !== null && isRevocationReason(reason)
          ? REVOCATION_WORDS[reason]
          : `(${reason ?? 'revoked'})`;
      throw new TesseraError(
        'REFRESH_TOKEN_REVOKED',
        `This session was revoked at ${formatInstant(session.revokedAt / 1000)} ${why}.`,
        { reason: session.revokedReason },
      );
    }
    if (revocations?.revokesSession(session) === true) {
      throw new TesseraError(
        'REFRESH_TOKEN_REVOKED',
        'All sessions of this user created before a password change or logout-everywhere were revoked.',
        { reason: 'user-cut' },
      );
    }
    if (at >= session.absoluteExpiresAt) {
      throw new TesseraError(
        'SESSION_EXPIRED',
        `The session reached its absolute lifetime ${formatDuration((at - session.absoluteExpiresAt) / 1000)} ago (created ${formatInstant(session.createdAt / 1000)}). Sign in again.`,
        {
          absoluteExpiresAt: formatInstant(session.absoluteExpiresAt / 1000),
        },
      );
    }
    if (at >= session.idleExpiresAt) {
      throw new TesseraError(
        'REFRESH_TOKEN_EXPIRED',
        `The refresh token expired ${formatDuration((at - session.idleExpiresAt) / 1000)} ago: the session was idle since ${formatInstant(session.lastUsedAt / 1000)}.`,
        {
          idleExpiresAt: formatInstant(session.idleExpiresAt / 1000),
        },
      );
    }
  };

  const unknownToken = (): TesseraError =>
    new TesseraError(
      'REFRESH_TOKEN_UNKNOWN',
      'The refresh token is not known: it was never issued here, belongs to a session deleted after expiry, or to another deployment or database.',
    );

  return {
    graceSeconds: settings.graceSeconds,

    async issueSession(userId, context = {}) {
      const at = now();
      const minted = mintRefreshToken({ pepper });
      const claims = await decideClaims(userId, undefined);
      const session: SessionRow = {
        id: randomBytes(16).toString('base64url'),
        userId,
        clientId: context.clientId ?? 'tessera',
        transport: context.transport ?? 'cookie',
        claims: JSON.stringify(claims),
        createdAt: at,
        lastUsedAt: at,
        idleExpiresAt: at + Math.min(settings.idleMs, settings.absoluteMs),
        absoluteExpiresAt: at + settings.absoluteMs,
        userAgent: context.userAgent ?? null,
        ip: context.ip ?? null,
        generation: 0,
        rotatedAt: null,
        successorSealed: null,
        graceCount: 0,
        revokedAt: null,
        revokedReason: null,
      };
      // The login event is written in the session's own transaction: one commit per login.
      const loginEvent = describeEvent('login', session, context, { transport: session.transport });
      await store.createSession({
        session,
        token: { id: minted.id, secretHash: minted.secretHash, createdAt: at },
        event: loginEvent,
        ...(options.maxSessionsPerUser === undefined
          ? {}
          : { maxSessionsPerUser: options.maxSessionsPerUser }),
      });
      options.onEvent?.(loginEvent);
      return respond(session, minted.value, claims, false);
    },

    async refresh(value, context = {}) {
      const { id, secret } = parseRefreshToken(value);
      const found = await store.findRefreshToken(id);
      if (found === undefined || !secretMatches(secret, found.token.secretHash, pepper))
        throw unknownToken();
      const { token } = found;
      if (context.transport !== undefined && context.transport !== found.session.transport) {
        throw new TesseraError(
          'TRANSPORT_MISMATCH',
          `This session keeps its refresh token in ${found.session.transport === 'cookie' ? 'an httpOnly cookie' : 'the response body'}; it was sent ${context.transport === 'cookie' ? 'in a cookie' : 'in the request body'}. A session never switches transport.`,
        );
      }
      let session: SessionRow | undefined = found.session;
      // A lost compare-and-swap means another request rotated first; re-read once and decide again.
      for (let attempt = 0; attempt < 3 && session !== undefined; attempt++) {
        const at = now();
        assertLive(session, at);
        if (token.generation === session.generation) {
          await options.beforeRotate?.(session);
          const next = mintRefreshToken({ pepper });
          const claims = await decideClaims(session.userId, session);
          // Written with the rotation, in its transaction: a refresh is one commit, not two.
          const refreshEvent = describeEvent('refresh', session, context, {
            generation: session.generation + 1,
          });
          const rotated = await store.rotate({
            sessionId: session.id,
            expectedGeneration: session.generation,
            token: { id: next.id, secretHash: next.secretHash, createdAt: at },
            rotatedAt: at,
            successorSealed: sealSuccessor({
              previousSecret: secret,
              sessionId: session.id,
              generation: token.generation,
              successor: next.value,
            }),
            idleExpiresAt: Math.min(at + settings.idleMs, session.absoluteExpiresAt),
            claims: JSON.stringify(claims),
            event: refreshEvent,
          });
          if (rotated) {
            options.onEvent?.(refreshEvent);
            const idleExpiresAt = Math.min(at + settings.idleMs, session.absoluteExpiresAt);
            return respond(
              { ...session, generation: session.generation + 1, idleExpiresAt, lastUsedAt: at },
              next.value,
              claims,
              false,
            );
          }
          session = await store.findSession(session.id);
          continue;
        }
        const inWindow = session.rotatedAt !== null && at - session.rotatedAt <= settings.graceMs;
        if (
          token.generation === session.generation - 1 &&
          inWindow &&
          session.successorSealed !== null
        ) {
          const sealed = await store.takeGraceAnswer({
            sessionId: session.id,
            generation: session.generation,
            max: settings.maxGraceAnswers,
            usedAt: at,
          });
          const successor =
            sealed === undefined
              ? undefined
              : openSuccessor({
                  previousSecret: secret,
                  sessionId: session.id,
                  generation: token.generation,
                  sealed,
                });
          if (successor !== undefined) {
            await event('refresh.grace', session, context, {
              generation: session.generation,
              sinceRotationMs: at - (session.rotatedAt ?? at),
            });
            return respond(session, successor, JSON.parse(session.claims) as SessionClaims, true);
          }
          const fresh = await store.findSession(session.id);
          // Another rotation or a logout won the race: decide again on the fresh state (a logout must
          // read as REVOKED on the next pass, not as token theft).
          if (
            fresh !== undefined &&
            (fresh.generation !== session.generation || fresh.revokedAt !== null)
          ) {
            session = fresh;
            continue;
          }
        }
        const lateBy =
          session.rotatedAt === null ? null : Math.round((at - session.rotatedAt) / 1000);
        await store.revokeSession({ sessionId: session.id, at, reason: 'reuse' });
        await revocations?.sync();
        await event('refresh.reuse_detected', session, context, {
          presentedGeneration: token.generation,
          currentGeneration: session.generation,
          secondsSinceRotation: lateBy,
        });
        throw new TesseraError(
          'REFRESH_TOKEN_REUSED',
          `A refresh token was used again after it had been rotated (generation ${token.generation}, current ${session.generation}${lateBy === null ? '' : `, ${lateBy} s after the rotation; grace window ${settings.graceSeconds} s`}). The session is revoked: sign in again.`,
          {
            presentedGeneration: token.generation,
            currentGeneration: session.generation,
            graceSeconds: settings.graceSeconds,
          },
        );
      }
      throw unknownToken();
    },

    async revokeByRefreshToken(value, context = {}) {
      const { id, secret } = parseRefreshToken(value);
      const found = await store.findRefreshToken(id);
      if (found === undefined || !secretMatches(secret, found.token.secretHash, pepper))
        return undefined;
      const record = await store.revokeSession({
        sessionId: found.session.id,
        at: now(),
        reason: 'logout',
      });
      await revocations?.sync();
      if (record !== undefined) await event('logout', found.session, context);
      return found.session;
    },

    async revokeSession(sessionId, { reason, userId }) {
      const session = await store.findSession(sessionId);
      if (session === undefined || (userId !== undefined && session.userId !== userId))
        return false;
      const record = await store.revokeSession({ sessionId, at: now(), reason });
      await revocations?.sync();
      if (record !== undefined) await event('session.revoked', session, {}, { reason });
      return record !== undefined;
    },

    async revokeUserSessions(userId, { reason, exceptSessionId = null }) {
      const at = now();
      // Each live session gets its own feed record, so its access tokens are refused to the millisecond;
      // the user cut then catches any session a racing login created meanwhile.
      for (const session of await store.listSessions(userId)) {
        if (session.revokedAt === null && session.id !== exceptSessionId)
          await store.revokeSession({ sessionId: session.id, at, reason });
      }
      await store.revokeUser({ userId, at, reason, exceptSessionId });
      // This node sees its own revocations at once; other nodes within a poll interval or a NOTIFY.
      await revocations?.sync();
      const described: AuditEvent = {
        at: now(),
        type: 'user.revoked',
        userId,
        sessionId: exceptSessionId,
        ip: null,
        detail: JSON.stringify({ reason, keptSession: exceptSessionId !== null }),
      };
      await store.appendEvent(described);
      options.onEvent?.(described);
    },

    listSessions(userId) {
      return store.listSessions(userId);
    },
  };
}
