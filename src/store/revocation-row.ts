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
