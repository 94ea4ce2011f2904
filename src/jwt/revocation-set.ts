import type { AccessTokenClaims } from './claims.js';

/**
 * A resource server's copy of the revocation feed as plain data: revoked sessions and per-user cuts
 * younger than the horizon. The follower fills it; deciding whether a token is revoked is this pure
 * function of the set and the claims, the same rule as the auth server's own view.
 */

/** A feed entry as the follower applies it (the wire shape of `GET /auth/revocations`). */
export type RevocationEntry =
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

interface UserCut {
  readonly revokedBefore: number;
  readonly exceptSessionId: string | null;
  readonly at: number;
}

/** The revoked sessions (id → cut time) and user cuts a follower holds. */
export interface RevocationSet {
  readonly sessions: Map<string, number>;
  readonly users: Map<string, UserCut[]>;
}

/**
 * An empty set.
 *
 * @example
 * ```ts
 * const set = emptyRevocationSet();
 * ```
 */
export function emptyRevocationSet(): RevocationSet {
  return { sessions: new Map(), users: new Map() };
}

/**
 * Adds one entry to the set.
 *
 * @example
 * ```ts
 * applyRevocation(set, { seq: 1, kind: 'session', sessionId: 's1', userId: 'u1', at: Date.now() });
 * ```
 */
export function applyRevocation(set: RevocationSet, entry: RevocationEntry): void {
  if (entry.kind === 'session') {
    set.sessions.set(entry.sessionId, entry.at);
    return;
  }
  const cut = {
    revokedBefore: entry.revokedBefore,
    exceptSessionId: entry.exceptSessionId,
    at: entry.at,
  };
  set.users.set(entry.userId, [...(set.users.get(entry.userId) ?? []), cut]);
}

/**
 * Drops entries cut before `cutoff` (epoch ms): every token they could refuse has expired by now.
 *
 * @example
 * ```ts
 * pruneRevocations(set, Date.now() - horizonMs);
 * ```
 */
export function pruneRevocations(set: RevocationSet, cutoff: number): void {
  for (const [sid, at] of set.sessions) if (at < cutoff) set.sessions.delete(sid);
  for (const [userId, cuts] of set.users) {
    const kept = cuts.filter((cut) => cut.at >= cutoff);
    if (kept.length === 0) set.users.delete(userId);
    else set.users.set(userId, kept);
  }
}

/**
 * Whether the set revokes the token with these claims: its session was revoked, or a user cut after
 * its issue (whole seconds: a token from the very second of a cut may come from a login just after
 * it, so only earlier seconds are cut; sessions the cut revoked have their own entries too).
 *
 * @example
 * ```ts
 * if (revokes(set, claims)) throw new TesseraError('TOKEN_REVOKED', '...');
 * ```
 */
export function revokes(
  set: RevocationSet,
  claims: Pick<AccessTokenClaims, 'sid' | 'sub' | 'iat'>,
): boolean {
  if (set.sessions.has(claims.sid)) return true;
  return (set.users.get(claims.sub) ?? []).some(
    (cut) =>
      cut.exceptSessionId !== claims.sid && claims.iat < Math.floor(cut.revokedBefore / 1000),
  );
}
