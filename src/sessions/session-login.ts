import { randomBytes } from 'node:crypto';
import type { SessionRow, Transport } from '../store/session-store.js';
import { mintRefreshToken } from './refresh-token.js';
import type { RequestContext, SessionCore, TokenSet } from './session-core.js';

/** What a login may say about the new session besides the request it came by. */
export interface LoginContext extends RequestContext {
  /** Where the refresh token will travel for the session's whole life. Default `cookie`. */
  readonly transport?: Transport;
  /** The client the session belongs to. Default `tessera`. */
  readonly clientId?: string;
}

/**
 * Starts a session for a user: generation 0, its first refresh token, and the login event, all in
 * one store transaction.
 *
 * @example
 * ```ts
 * const login = await issueSession(core, 'user-1', { transport: 'cookie', ip: '203.0.113.7' });
 * ```
 */
export async function issueSession(
  core: SessionCore,
  userId: string,
  context: LoginContext = {},
): Promise<TokenSet> {
  const { options, settings, events } = core;
  const at = core.now();
  const minted = mintRefreshToken({ pepper: options.pepper });
  const claims = await core.decideClaims(userId, undefined);
  const session = newSessionRow({
    userId,
    claims,
    context,
    at,
    idleExpiresAt: at + Math.min(settings.idleMs, settings.absoluteMs),
    absoluteExpiresAt: at + settings.absoluteMs,
  });
  // The login event is written in the session's own transaction: one commit per login.
  const loginEvent = events.describe('login', session, context, { transport: session.transport });
  await options.store.createSession({
    session,
    token: { id: minted.id, secretHash: minted.secretHash, createdAt: at },
    event: loginEvent,
    ...(options.maxSessionsPerUser === undefined
      ? {}
      : { maxSessionsPerUser: options.maxSessionsPerUser }),
  });
  events.publish(loginEvent);
  return core.respond(session, minted.value, claims, false);
}

/**
 * A session's first row, generation 0, never rotated: the one shape a login and an adoption both write.
 *
 * @example
 * ```ts
 * const row = newSessionRow({ userId: 'u1', claims: {}, context: {}, at, idleExpiresAt, absoluteExpiresAt });
 * ```
 */
export function newSessionRow(input: {
  readonly userId: string;
  readonly claims: unknown;
  readonly context: LoginContext;
  readonly at: number;
  readonly idleExpiresAt: number;
  readonly absoluteExpiresAt: number;
}): SessionRow {
  const { context, at } = input;
  return {
    id: randomBytes(16).toString('base64url'),
    userId: input.userId,
    clientId: context.clientId ?? 'tessera',
    transport: context.transport ?? 'cookie',
    claims: JSON.stringify(input.claims),
    createdAt: at,
    lastUsedAt: at,
    idleExpiresAt: input.idleExpiresAt,
    absoluteExpiresAt: input.absoluteExpiresAt,
    userAgent: context.userAgent ?? null,
    ip: context.ip ?? null,
    generation: 0,
    rotatedAt: null,
    successorSealed: null,
    graceCount: 0,
    revokedAt: null,
    revokedReason: null,
    rotationWindowStart: null,
    rotationCount: 0,
  };
}
