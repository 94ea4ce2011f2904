import type { RevocationRecord } from './session-store.js';

/** A revocation-feed row as both SQL stores select it (one table shape for both kinds). */
export interface RevocationColumns {
  seq: number;
  kind: 'session' | 'user';
  sessionId: string | null;
  userId: string;
  revokedBefore: number | null;
  exceptSessionId: string | null;
  at: number;
}

/** A feed row about to be inserted: the database numbers it, so it has no `seq` yet. */
export type NewRevocationColumns = Omit<RevocationColumns, 'seq'>;

/**
 * Turns a feed row into the tagged record the session core reads.
 *
 * @example
 * ```ts
 * const record = toRevocationRecord(row);
 * ```
 */
export function toRevocationRecord(row: RevocationColumns): RevocationRecord {
  if (row.kind === 'session')
    return {
      seq: row.seq,
      kind: 'session',
      sessionId: row.sessionId ?? '',
      userId: row.userId,
      at: row.at,
    };
  return {
    seq: row.seq,
    kind: 'user',
    userId: row.userId,
    revokedBefore: row.revokedBefore ?? row.at,
    exceptSessionId: row.exceptSessionId,
    at: row.at,
  };
}

/**
 * The feed row for one revoked session. Both SQL stores build it here so the two tables can never
 * disagree on which columns a `session` record leaves empty.
 *
 * @example
 * ```ts
 * appendRevocation(sessionRevocationColumns({ sessionId: 's1', userId: 'u1', at: now }));
 * ```
 */
export function sessionRevocationColumns(input: {
  sessionId: string;
  userId: string;
  at: number;
}): NewRevocationColumns {
  return {
    kind: 'session',
    sessionId: input.sessionId,
    userId: input.userId,
    revokedBefore: null,
    exceptSessionId: null,
    at: input.at,
  };
}

/**
 * The feed row for "every session of this user, except one": the cut-off is the revocation instant.
 *
 * @example
 * ```ts
 * appendRevocation(userRevocationColumns({ userId: 'u1', at: now, exceptSessionId: null }));
 * ```
 */
export function userRevocationColumns(input: {
  userId: string;
  at: number;
  exceptSessionId: string | null;
}): NewRevocationColumns {
  return {
    kind: 'user',
    sessionId: null,
    userId: input.userId,
    revokedBefore: input.at,
    exceptSessionId: input.exceptSessionId,
    at: input.at,
  };
}
