import type { ErrorCode } from '../errors/codes.js';
import { formatInstant } from '../errors/explain.js';
import type { ErrorFacts } from '../errors/tessera-error.js';
import type { RefreshTokenRow, SessionRow, Transport } from '../store/session-store.js';
import type { ResolvedSessionOptions } from './session-options.js';

// The refresh rules, and nothing else: which answer a presented refresh token gets, given the
// session as last read. No store, no clock, no crypto, so every boundary can be tested to the
// millisecond and the manager's loops (retry after a lost compare-and-swap, re-read after a refused
// grace answer) can call it again on fresh state without any rule living twice.

/** Why a refresh is refused without touching the session (no revocation, no event). */
export type DeadCause =
  'transport-mismatch' | 'revoked' | 'user-cut' | 'absolute-expiry' | 'idle-expiry';

/** The error code of each dead cause; keyed by the union, so a new cause needs a code. */
export const DEAD_CODES = {
  'transport-mismatch': 'TRANSPORT_MISMATCH',
  revoked: 'REFRESH_TOKEN_REVOKED',
  'user-cut': 'REFRESH_TOKEN_REVOKED',
  'absolute-expiry': 'SESSION_EXPIRED',
  'idle-expiry': 'REFRESH_TOKEN_EXPIRED',
} as const satisfies Readonly<Record<DeadCause, ErrorCode>>;

/** The codes a dead refresh is thrown with. */
export type DeadCode = (typeof DEAD_CODES)[DeadCause];

/** The fields of a session the rules read: a whole {@link SessionRow} fits. */
export type DecisionSession = Pick<
  SessionRow,
  | 'transport'
  | 'createdAt'
  | 'lastUsedAt'
  | 'idleExpiresAt'
  | 'absoluteExpiresAt'
  | 'generation'
  | 'rotatedAt'
  | 'successorSealed'
  | 'revokedAt'
  | 'revokedReason'
>;

/** Everything a refresh decision depends on; the caller reads the store, the clock and the view. */
export interface RefreshDecisionInput {
  readonly session: DecisionSession;
  /** The presented token's row; its secret has already been matched. */
  readonly token: Pick<RefreshTokenRow, 'generation'>;
  /** How the token arrived; undefined when the caller does not say (no transport rule then). */
  readonly transport: Transport | undefined;
  /** The instant of this decision, epoch milliseconds. */
  readonly now: number;
  /** The revocation view's verdict: a user cut (password change, logout everywhere) covers it. */
  readonly userCut: boolean;
  readonly settings: Pick<ResolvedSessionOptions, 'graceMs' | 'graceSeconds' | 'idleMs'>;
}

/** The presented token is the current one: swap in a successor. */
export interface RotateDecision {
  readonly kind: 'rotate';
  /** The generation the compare-and-swap expects: the presented token's, also the seal's. */
  readonly expectedGeneration: number;
  readonly nextGeneration: number;
  /** When the successor is created: the decision's instant. */
  readonly rotatedAt: number;
  /** The rotated session's idle expiry: the idle window from now, capped by the absolute one. */
  readonly idleExpiresAt: number;
}

/** An old refresh token came back outside the grace rules: revoke the session, it may be stolen. */
export interface ReuseDecision {
  readonly kind: 'reuse';
  readonly presentedGeneration: number;
  readonly currentGeneration: number;
  /** Whole seconds since the current generation was rotated in; null before the first rotation. */
  readonly secondsSinceRotation: number | null;
  /** The window the token missed, for the error's words. */
  readonly graceSeconds: number;
}

/** A retry of the previous token inside the window: answer with the sealed successor. */
export interface GraceDecision {
  readonly kind: 'grace';
  /** The presented token's generation: the sealed successor opens only under it and its secret. */
  readonly presentedGeneration: number;
  /** The generation whose grace answers are counted (the successor's). */
  readonly currentGeneration: number;
  readonly sinceRotationMs: number;
  /**
   * The answer when the sealed successor cannot be taken (answer cap, erased seal) and a re-read
   * shows the session unchanged; when it changed, the manager decides again on the fresh row.
   */
  readonly refused: ReuseDecision;
}

/** The numbers each dead cause is explained with. */
export interface DeadDetails {
  readonly 'transport-mismatch': {
    readonly sessionTransport: Transport;
    readonly presentedTransport: Transport;
  };
  readonly revoked: { readonly revokedAt: number; readonly reason: string | null };
  readonly 'user-cut': { readonly createdAt: number };
  readonly 'absolute-expiry': {
    readonly overByMs: number;
    readonly createdAt: number;
    readonly absoluteExpiresAt: number;
  };
  readonly 'idle-expiry': {
    readonly overByMs: number;
    readonly lastUsedAt: number;
    readonly idleExpiresAt: number;
  };
}

/** The session cannot answer: refuse with the cause's code and facts, change nothing. */
export type DeadDecision = {
  readonly [C in DeadCause]: {
    readonly kind: 'dead';
    readonly cause: C;
    readonly code: (typeof DEAD_CODES)[C];
    /** The error's facts, exactly as thrown. */
    readonly facts: ErrorFacts;
  } & DeadDetails[C];
}[DeadCause];

/** What a refresh does, decided from the session as last read. */
export type RefreshDecision = RotateDecision | GraceDecision | ReuseDecision | DeadDecision;

/** The four answers a refresh can get, named by what the manager then does. */
export type RefreshDecisionKind = RefreshDecision['kind'];

/**
 * Decides a refresh: dead (transport, revoked, user cut, absolute then idle expiry, in that order),
 * else rotate when the presented token is current, grace when it is the previous one inside the
 * window with its successor still sealed, else reuse. Pure: the same input always gives the same
 * decision.
 *
 * @example
 * ```ts
 * const userCut = view.revokesSession(session);
 * const decision = decideRefresh({ session, token, transport: 'cookie', now: at, userCut, settings });
 * if (decision.kind === 'dead') throw refusalError(decision);
 * ```
 */
export function decideRefresh(input: RefreshDecisionInput): RefreshDecision {
  const { session, token, now: at, settings } = input;
  if (input.transport !== undefined && input.transport !== session.transport) {
    return {
      kind: 'dead',
      cause: 'transport-mismatch',
      code: DEAD_CODES['transport-mismatch'],
      facts: {},
      sessionTransport: session.transport,
      presentedTransport: input.transport,
    };
  }
  if (session.revokedAt !== null) {
    return {
      kind: 'dead',
      cause: 'revoked',
      code: DEAD_CODES.revoked,
      facts: { reason: session.revokedReason },
      revokedAt: session.revokedAt,
      reason: session.revokedReason,
    };
  }
  if (input.userCut) {
    return {
      kind: 'dead',
      cause: 'user-cut',
      code: DEAD_CODES['user-cut'],
      facts: { reason: 'user-cut' },
      createdAt: session.createdAt,
    };
  }
  // Absolute before idle: past its lifetime a session says "sign in again", idle or not.
  if (at >= session.absoluteExpiresAt) {
    return {
      kind: 'dead',
      cause: 'absolute-expiry',
      code: DEAD_CODES['absolute-expiry'],
      facts: { absoluteExpiresAt: formatEpochMs(session.absoluteExpiresAt) },
      overByMs: at - session.absoluteExpiresAt,
      createdAt: session.createdAt,
      absoluteExpiresAt: session.absoluteExpiresAt,
    };
  }
  if (at >= session.idleExpiresAt) {
    return {
      kind: 'dead',
      cause: 'idle-expiry',
      code: DEAD_CODES['idle-expiry'],
      facts: { idleExpiresAt: formatEpochMs(session.idleExpiresAt) },
      overByMs: at - session.idleExpiresAt,
      lastUsedAt: session.lastUsedAt,
      idleExpiresAt: session.idleExpiresAt,
    };
  }
  if (token.generation === session.generation) {
    return {
      kind: 'rotate',
      expectedGeneration: session.generation,
      nextGeneration: session.generation + 1,
      rotatedAt: at,
      idleExpiresAt: Math.min(at + settings.idleMs, session.absoluteExpiresAt),
    };
  }
  const reuse: ReuseDecision = {
    kind: 'reuse',
    presentedGeneration: token.generation,
    currentGeneration: session.generation,
    secondsSinceRotation:
      session.rotatedAt === null ? null : Math.round((at - session.rotatedAt) / 1000),
    graceSeconds: settings.graceSeconds,
  };
  // The window is closed at its end: a retry exactly graceMs after the rotation is still answered.
  if (
    token.generation === session.generation - 1 &&
    session.rotatedAt !== null &&
    at - session.rotatedAt <= settings.graceMs &&
    session.successorSealed !== null
  ) {
    return {
      kind: 'grace',
      presentedGeneration: token.generation,
      currentGeneration: session.generation,
      sinceRotationMs: at - session.rotatedAt,
      refused: reuse,
    };
  }
  return reuse;
}

// The facts name instants the way the errors always have: ISO-8601 UTC of the epoch seconds.
function formatEpochMs(ms: number): string {
  return formatInstant(ms / 1000);
}
