import type { KeyStore } from '../keys/key-store.js';
import type { Transport } from '../wire/names.js';
import type { AuditEventType, RevocationReason } from './vocabulary.js';

export type { Transport } from '../wire/names.js';

/**
 * The persistence a session core needs, shaped by the domain, not by SQL. Implementations only persist
 * and swap atomically; every rule (grace, reuse, expiry) lives in the session core. The store never reads
 * a clock: every instant comes in as an argument (epoch milliseconds), so tests can skew and jump time.
 */

/** One login on one device: a chain of refresh tokens. */
export interface SessionRow {
  readonly id: string;
  readonly userId: string;
  readonly clientId: string;
  readonly transport: Transport;
  /** App claims (roles, scope) decided by the claims hook, as JSON text. */
  readonly claims: string;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  readonly idleExpiresAt: number;
  readonly absoluteExpiresAt: number;
  readonly userAgent: string | null;
  readonly ip: string | null;
  /** Generation of the current refresh token; each rotation adds one. */
  readonly generation: number;
  /** When the current generation was created by a rotation (null before the first rotation). */
  readonly rotatedAt: number | null;
  /** The current refresh token sealed under a key only the previous token's secret derives; null outside the grace window. */
  readonly successorSealed: string | null;
  /** How many grace answers the current rotation has given. */
  readonly graceCount: number;
  readonly revokedAt: number | null;
  readonly revokedReason: RevocationReason | null;
  /** When the session's rotation window opened (a swap after it had run 60 s opens the next); null before any rotation. */
  readonly rotationWindowStart: number | null;
  /** Rotations committed in that window: what a swap with `rotationsPerMinute` is held under. */
  readonly rotationCount: number;
}

/** One refresh token of a chain: only its id and the hash of its secret are stored. */
export interface RefreshTokenRow {
  readonly id: string;
  readonly sessionId: string;
  readonly generation: number;
  readonly secretHash: string;
  readonly createdAt: number;
}

/** A new session with its first refresh token (generation 0). */
export interface NewSession {
  readonly session: Omit<
    SessionRow,
    | 'generation'
    | 'rotatedAt'
    | 'successorSealed'
    | 'graceCount'
    | 'revokedAt'
    | 'revokedReason'
    | 'rotationWindowStart'
    | 'rotationCount'
  >;
  readonly token: Omit<RefreshTokenRow, 'sessionId' | 'generation'>;
  /** When set, the user's oldest live sessions beyond this count are revoked in the same transaction. */
  readonly maxSessionsPerUser?: number;
  /** The login's audit event, written in the same transaction (one commit per login, not two). */
  readonly event?: AuditEvent;
}

/** A compare-and-swap rotation from `expectedGeneration` to `expectedGeneration + 1`. */
export interface Rotation {
  readonly sessionId: string;
  readonly expectedGeneration: number;
  readonly token: Omit<RefreshTokenRow, 'sessionId' | 'generation'>;
  readonly rotatedAt: number;
  readonly successorSealed: string;
  readonly idleExpiresAt: number;
  readonly claims: string;
  /**
   * The session's rotation budget: when set, the swap also requires that its window has run 60 s
   * (`rotationWindowStart + 60 000 <= rotatedAt`, or no window yet) or holds fewer rotations than this.
   * Every swap, budget or not, opens a new window at `rotatedAt` (count 1) when the old one has run
   * out, else counts one more in it, in the same UPDATE.
   */
  readonly rotationsPerMinute?: number;
  /** The refresh's audit event, written only when the swap happens and in the same transaction. */
  readonly event?: AuditEvent;
}

/**
 * A rotation named by the presented refresh token alone: the lookup and the compare-and-swap in one store
 * call (one statement on PostgreSQL, one transaction on SQLite). The swap happens only when every
 * precondition of a rotate decision holds on the row it reads: the token exists and is the session's
 * current one, `secretHash` is the stored hash, the session is not revoked, has the transport (when
 * given), is neither absolutely nor idly expired at `rotatedAt`, and (when `rotationsPerMinute` is
 * given) has budget left in its rotation window.
 */
export interface TokenRotation {
  readonly tokenId: string;
  /** The presented secret's hash; the swap happens only when it is the stored one. */
  readonly secretHash: string;
  /** The transport the token arrived on; null when the caller does not say (no transport rule then). */
  readonly transport: Transport | null;
  readonly rotatedAt: number;
  /** The new idle expiry is `min(rotatedAt + idleMs, absoluteExpiresAt)`. */
  readonly idleMs: number;
  readonly token: Omit<RefreshTokenRow, 'sessionId' | 'generation'>;
  readonly successorSealed: string;
  readonly claims: string;
  /** As in {@link Rotation}: the swap is held under the session's rotation budget. */
  readonly rotationsPerMinute?: number;
  /**
   * The refresh's audit event, written only when the swap happens and in the same transaction, with
   * the session's user and id and the detail `{"generation":<the new generation>}`.
   */
  readonly event?: Pick<AuditEvent, 'at' | 'type' | 'ip'>;
}

/**
 * What {@link SessionStore.rotateByToken} read, and whether it swapped. `session` is the row as read
 * before the swap: the caller decides on it when `rotated` is false (a race lost on PostgreSQL means
 * it may be stale, so a rotate decision on it re-reads).
 */
export interface TokenRotationResult {
  readonly token: RefreshTokenRow;
  readonly session: SessionRow;
  readonly rotated: boolean;
}

/**
 * An entry of the revocation feed, numbered by `seq` in commit order per store. `session` revokes one
 * session; `user` revokes every session of a user created, and every access token issued, before
 * `revokedBefore`, except `exceptSessionId`.
 */
export type RevocationRecord =
  | {
      readonly seq: number;
      readonly kind: 'session';
      readonly sessionId: string;
      readonly userId: string;
      readonly at: number;
    }
  | {
      readonly seq: number;
      readonly kind: 'user';
      readonly userId: string;
      readonly revokedBefore: number;
      readonly exceptSessionId: string | null;
      readonly at: number;
    };

/** An audit event. `detail` is JSON text and never holds a token. */
export interface AuditEvent {
  readonly at: number;
  readonly type: AuditEventType;
  readonly userId: string | null;
  readonly sessionId: string | null;
  readonly ip: string | null;
  readonly detail: string;
}

/** What {@link SessionStore.sweep} removes, given the current instant. */
export interface SweepPolicy {
  readonly now: number;
  /** Sealed successors of rotations older than this instant are erased (now minus the grace window). */
  readonly sealedBefore: number;
  /** Events, revocation records and IP addresses older than this are deleted or cleared. */
  readonly retainAfter: number;
}

/** What one {@link SessionStore.sweep} deleted: sessions, their refresh tokens, events, one-time tokens. */
export interface SweepResult {
  readonly sessions: number;
  readonly tokens: number;
  readonly events: number;
  /**
   * Expired password-reset tokens and tickets (used ones are deleted when used). Reported by stores that
   * also hold accounts (both built-in stores); a store without them leaves it out.
   */
  readonly oneTimeTokens?: number;
}

/**
 * The one store interface every implementation passes the conformance suite for (`tessera-auth/testing`).
 *
 * @example
 * ```ts
 * const store: SessionStore = createSqliteStore({ database: new Database('tessera.db') });
 * await store.migrate();
 * ```
 */
export interface SessionStore extends KeyStore {
  /** Creates or upgrades the schema; safe when several processes call it at once. */
  migrate(): Promise<void>;
  createSession(input: NewSession): Promise<void>;
  findSession(sessionId: string): Promise<SessionRow | undefined>;
  /** The token by id together with its session, in one read. */
  findRefreshToken(
    tokenId: string,
  ): Promise<{ token: RefreshTokenRow; session: SessionRow } | undefined>;
  /** Atomically: when the session is live at `expectedGeneration`, bump it, store the new token; else change nothing and return false. */
  rotate(rotation: Rotation): Promise<boolean>;
  /**
   * Optional: the lookup of `findRefreshToken` and the swap of `rotate` in one round trip; undefined when
   * the token is unknown. Without it the session core reads, then rotates.
   */
  rotateByToken?(rotation: TokenRotation): Promise<TokenRotationResult | undefined>;
  /** Atomically counts one grace answer for `generation` while under `max`; returns the sealed successor, or undefined when refused. */
  takeGraceAnswer(input: {
    sessionId: string;
    generation: number;
    max: number;
    usedAt: number;
  }): Promise<string | undefined>;
  /** Revokes one live session and appends a feed record; returns it, or undefined when already revoked or unknown. */
  revokeSession(input: {
    sessionId: string;
    at: number;
    reason: RevocationReason;
  }): Promise<RevocationRecord | undefined>;
  /** Revokes every live session of a user (except one) and appends one `user` feed record. */
  revokeUser(input: {
    userId: string;
    at: number;
    reason: RevocationReason;
    exceptSessionId: string | null;
  }): Promise<RevocationRecord>;
  listSessions(userId: string): Promise<SessionRow[]>;
  /** Feed records with `seq` greater than `afterSeq`, ascending, at most `limit`. */
  listRevocations(input: { afterSeq: number; limit: number }): Promise<RevocationRecord[]>;
  appendEvent(event: AuditEvent): Promise<void>;
  listEvents(input: { userId?: string; sessionId?: string; limit: number }): Promise<AuditEvent[]>;
  sweep(policy: SweepPolicy): Promise<SweepResult>;
  /**
   * Optional wake-up for the revocation feed when another node commits one (PostgreSQL LISTEN/NOTIFY;
   * SQLite a `PRAGMA data_version` watch every ~200 ms); polling still runs as the safety net.
   */
  onRevocation?(listener: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
