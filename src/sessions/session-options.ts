import { TesseraError } from '../errors/tessera-error.js';
import type { SignedAccessToken, AccessTokenInput } from '../jwt/sign-access-token.js';
import type { AuditEvent, SessionRow, SessionStore } from '../store/session-store.js';
import type { RevocationView } from './revocation-view.js';
import { resolveRotationsPerMinute } from './rotation-budget.js';
import type { RotationLimit } from './rotation-limit.js';

/** What the claims hook decides for a session, at login and again at every refresh. */
export interface SessionClaims {
  readonly roles?: readonly string[];
  readonly scope?: string;
}

/** Options of {@link createSessionManager}. */
export interface SessionManagerOptions {
  readonly store: SessionStore;
  /** Signs access tokens; see createAccessTokenSigner. */
  readonly signAccessToken: (input: AccessTokenInput) => SignedAccessToken;
  /** Needed for per-user cuts (password change) and revocation of sessions that race them. */
  readonly revocations?: RevocationView;
  readonly now?: () => number;
  /** Grace window for the immediately previous refresh token, 0 to 600 s. Default 30. */
  readonly graceSeconds?: number;
  /** Most grace answers one rotation may give. Default 1000. */
  readonly maxGraceAnswers?: number;
  /** A session unused this long ends. Default 14 days. */
  readonly idleTimeoutSeconds?: number;
  /** A session ends this long after login, used or not. Default 30 days. */
  readonly absoluteLifetimeSeconds?: number;
  /** Oldest sessions beyond this count are revoked at login. Default unlimited. */
  readonly maxSessionsPerUser?: number;
  /** Optional server pepper: refresh-token secrets are stored as HMAC-SHA-256 under it. */
  readonly pepper?: Buffer;
  /**
   * The per-session rotation budget, 1 to 10 000 per fixed 60 s window, held by the store in the
   * compare-and-swap itself (rotation-budget.ts), so a refresh stays one store round trip; grace
   * answers never count. Shared by every node on the same store. Default: no budget.
   */
  readonly rotationsPerMinute?: number;
  /**
   * A per-session limit of rotations of your own: checked (not counted) after the rotate decision,
   * charged once the swap commits; grace answers never touch it. It must be asked between the read
   * and the swap, so a refresh under it takes two store round trips; prefer `rotationsPerMinute`.
   * Default: no limit.
   */
  readonly rotationLimit?: RotationLimit;
  /** Sees every audit event as it is written (the server sends them to its structured log). */
  readonly onEvent?: (event: AuditEvent) => void;
  /** Decides roles and scope at login and at each refresh. */
  readonly claims?: (input: {
    userId: string;
    session: SessionRow | undefined;
  }) => SessionClaims | Promise<SessionClaims>;
}

/** Settings after validation, in milliseconds. */
export interface ResolvedSessionOptions {
  readonly graceMs: number;
  readonly graceSeconds: number;
  readonly maxGraceAnswers: number;
  readonly idleMs: number;
  readonly absoluteMs: number;
  /** The store-held rotation budget, when one is set. */
  readonly rotationsPerMinute: number | undefined;
}

/** Longest grace window accepted. */
export const MAX_GRACE_SECONDS = 600;

/**
 * Validates session settings and applies the defaults (grace 30 s, idle 14 d, absolute 30 d).
 *
 * @example
 * ```ts
 * resolveSessionOptions({ graceSeconds: 30 }).graceMs; // 30000
 * ```
 */
export function resolveSessionOptions(
  options: Pick<
    SessionManagerOptions,
    | 'graceSeconds'
    | 'maxGraceAnswers'
    | 'idleTimeoutSeconds'
    | 'absoluteLifetimeSeconds'
    | 'rotationsPerMinute'
  >,
): ResolvedSessionOptions {
  const graceSeconds = options.graceSeconds ?? 30;
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_GRACE_SECONDS) {
    throw new TesseraError(
      'CONFIG_INVALID',
      `graceSeconds must be a whole number from 0 to ${MAX_GRACE_SECONDS}; got ${String(graceSeconds)}. A long window lets a replayed stolen token ride along.`,
    );
  }
  const idle = options.idleTimeoutSeconds ?? 14 * 86_400;
  const absolute = options.absoluteLifetimeSeconds ?? 30 * 86_400;
  for (const [name, value] of [
    ['idleTimeoutSeconds', idle],
    ['absoluteLifetimeSeconds', absolute],
    ['maxGraceAnswers', options.maxGraceAnswers ?? 1000],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0)
      throw new TesseraError(
        'CONFIG_INVALID',
        `${name} must be a positive whole number; got ${String(value)}.`,
      );
  }
  if (idle > absolute)
    throw new TesseraError(
      'CONFIG_INVALID',
      `idleTimeoutSeconds (${idle}) cannot exceed absoluteLifetimeSeconds (${absolute}).`,
    );
  return {
    graceMs: graceSeconds * 1000,
    graceSeconds,
    maxGraceAnswers: options.maxGraceAnswers ?? 1000,
    idleMs: idle * 1000,
    absoluteMs: absolute * 1000,
    rotationsPerMinute: resolveRotationsPerMinute(options.rotationsPerMinute),
  };
}
