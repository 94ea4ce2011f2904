import { randomBytes } from 'node:crypto';
import { TesseraError } from '../errors/tessera-error.js';
import type { LegacyExchangeRow, LegacyExchangeStore } from '../store/legacy-exchange-store.js';
import type { SessionRow, SessionStore } from '../store/session-store.js';
import { adoptedExpiry, judgeLegacyClaims, readLegacyCheck } from './legacy-decision.js';
import type { LegacyOptions } from './legacy-options.js';
import { verifyLegacyToken, type VerifiedLegacyToken } from './legacy-token.js';
import { mintRefreshToken } from './refresh-token.js';
import { createSessionCore, type SessionCore, type TokenSet } from './session-core.js';
import type { LoginContext } from './session-login.js';
import type { SessionManagerOptions } from './session-options.js';

/** Options of {@link createLegacyExchange}: the session manager's, a store that records exchanges, the legacy settings. */
export interface LegacyExchangeOptions extends SessionManagerOptions {
  readonly store: SessionStore & LegacyExchangeStore;
  readonly legacy: LegacyOptions;
}

/** Exchanges an old app's token for a Tessera session, once. */
export interface LegacyExchange {
  /**
   * Verifies the legacy token, asks the old app's store, and starts a session capped by what the old
   * sign-in had left. A token already exchanged revokes the session it became and is refused with
   * `LEGACY_TOKEN_REPLAYED`.
   */
  exchange(token: unknown, context?: LoginContext): Promise<TokenSet>;
}

/**
 * Creates the legacy exchange over the same options as the session manager (same store, signer,
 * clock, claims hook and lifetimes), plus the legacy settings.
 *
 * @example
 * ```ts
 * const adopt = createLegacyExchange({ store, signAccessToken, revocations, legacy });
 * const tokens = await adopt.exchange(oldJwt, { transport: 'body', ip: '203.0.113.7' });
 * ```
 */
export function createLegacyExchange(options: LegacyExchangeOptions): LegacyExchange {
  const core = createSessionCore(options);
  return {
    exchange: (token, context = {}) => exchangeLegacyToken(core, options, token, context),
  };
}

async function exchangeLegacyToken(
  core: SessionCore,
  options: LegacyExchangeOptions,
  token: unknown,
  context: LoginContext,
): Promise<TokenSet> {
  const { legacy, store } = options;
  const at = core.now();
  if (at >= legacy.windowEndsAt)
    throw new TesseraError(
      'LEGACY_WINDOW_CLOSED',
      `The migration window for legacy tokens closed at ${new Date(legacy.windowEndsAt).toISOString()}; sign in again.`,
    );
  const verified = await verifyLegacyToken(token, legacy);
  // Before the claims: an exchanged token presented again is theft even once it has expired.
  const earlier = await store.findLegacyExchange(verified.key);
  if (earlier !== undefined) return replayed(core, store, earlier, context);
  const claimsVerdict = judgeLegacyClaims(verified.claims, { now: at, options: legacy });
  if (claimsVerdict.kind === 'refuse')
    throw new TesseraError(claimsVerdict.code, claimsVerdict.message);
  const answer = await legacy.checkLegacyToken?.(verified.claims, {
    signatureId: verified.key,
    token: token as string,
    legacyUserId: claimsVerdict.legacyUserId,
  });
  const check = readLegacyCheck(answer, { legacyUserId: claimsVerdict.legacyUserId, now: at });
  if (check.kind === 'refuse') throw new TesseraError(check.code, check.message);
  const absoluteExpiresAt = adoptedExpiry({
    now: at,
    legacyEndsAt: check.refreshExpiresAt ?? claimsVerdict.expiresAt,
    maxLifetimeMs: legacy.maxLifetimeSeconds * 1000,
    sessionLifetimeMs: core.settings.absoluteMs,
  });
  return adopt(core, options, verified, {
    userId: check.userId,
    absoluteExpiresAt,
    legacyExpiresAt: claimsVerdict.expiresAt,
    context,
  });
}

async function adopt(
  core: SessionCore,
  options: LegacyExchangeOptions,
  verified: VerifiedLegacyToken,
  input: {
    userId: string;
    absoluteExpiresAt: number;
    legacyExpiresAt: number;
    context: LoginContext;
  },
): Promise<TokenSet> {
  const { context } = input;
  const at = core.now();
  const minted = mintRefreshToken({ pepper: options.pepper });
  const claims = await core.decideClaims(input.userId, undefined);
  const session: SessionRow = {
    id: randomBytes(16).toString('base64url'),
    userId: input.userId,
    clientId: context.clientId ?? 'tessera',
    transport: context.transport ?? 'cookie',
    claims: JSON.stringify(claims),
    createdAt: at,
    lastUsedAt: at,
    idleExpiresAt: Math.min(at + core.settings.idleMs, input.absoluteExpiresAt),
    absoluteExpiresAt: input.absoluteExpiresAt,
    userAgent: context.userAgent ?? null,
    ip: context.ip ?? null,
    generation: 0,
    rotatedAt: null,
    successorSealed: null,
    graceCount: 0,
    revokedAt: null,
    revokedReason: null,
  };
  const event = core.events.describe('legacy.exchanged', session, context, {
    transport: session.transport,
    alg: verified.alg,
    keyKind: verified.key.slice(0, 3),
    absoluteExpiresAt: input.absoluteExpiresAt,
  });
  const result = await options.store.createLegacySession({
    session,
    token: { id: minted.id, secretHash: minted.secretHash, createdAt: at },
    event,
    legacyKey: verified.key,
    legacyExpiresAt: input.legacyExpiresAt,
    ...(options.maxSessionsPerUser === undefined
      ? {}
      : { maxSessionsPerUser: options.maxSessionsPerUser }),
  });
  // Another exchange of the same token committed first: this one is the second presentation.
  if (!result.created) return replayed(core, options.store, result.exchange, context);
  core.events.publish(event);
  return core.respond(session, minted.value, claims, false);
}

async function replayed(
  core: SessionCore,
  store: SessionStore & LegacyExchangeStore,
  earlier: LegacyExchangeRow,
  context: LoginContext,
): Promise<never> {
  const record = await store.revokeSession({
    sessionId: earlier.sessionId,
    at: core.now(),
    reason: 'legacy-replay',
  });
  await core.options.revocations?.sync();
  const session = await store.findSession(earlier.sessionId);
  await core.events.record({
    ...core.events.describe('legacy.replay_detected', session, context, {
      revoked: record !== undefined,
      exchangedAt: earlier.exchangedAt,
    }),
    userId: earlier.userId,
    sessionId: earlier.sessionId,
  });
  throw new TesseraError(
    'LEGACY_TOKEN_REPLAYED',
    'This legacy token was already exchanged for a session; presenting it again ends that session (possible theft). Sign in again.',
  );
}
