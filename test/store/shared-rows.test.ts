import { describe, expect, it } from 'vitest';
import {
  readFeedCursor,
  readPageLimit,
  readRotationBudget,
  sessionsKeptBesideNew,
} from '../../src/store/query-inputs.js';
import { splitRefreshTokenJoin } from '../../src/store/refresh-token-join.js';
import {
  sessionRevocationColumns,
  toRevocationRecord,
  userRevocationColumns,
} from '../../src/store/revocation-row.js';
import type { SessionRow } from '../../src/store/session-store.js';

// The decisions both SQL stores share, pinned without a database; the conformance suite covers them in SQL.
describe('query inputs both SQL stores read alike', () => {
  it('floors a page limit and calls anything not above zero an empty page', () => {
    expect(readPageLimit(10)).toBe(10);
    expect(readPageLimit(2.9)).toBe(2);
    expect(readPageLimit(0.5)).toBeUndefined();
    expect(readPageLimit(0)).toBeUndefined();
    expect(readPageLimit(-3)).toBeUndefined();
    expect(readPageLimit(Number.NaN)).toBeUndefined();
    expect(readPageLimit(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });

  it('reads a feed cursor that is not a finite number as the start of the feed', () => {
    expect(readFeedCursor(41)).toBe(41);
    expect(readFeedCursor(1.5)).toBe(1.5);
    expect(readFeedCursor(Number.NaN)).toBe(0);
    expect(readFeedCursor(Number.POSITIVE_INFINITY)).toBe(0);
    expect(readFeedCursor(Number.NEGATIVE_INFINITY)).toBe(0);
  });

  it('reads a rotation budget as whole rotations, or none when not a finite number', () => {
    expect(readRotationBudget(30)).toBe(30);
    expect(readRotationBudget(2.5)).toBe(2);
    expect(readRotationBudget(-1)).toBe(0);
    expect(readRotationBudget(undefined)).toBeNull();
    expect(readRotationBudget(Number.NaN)).toBeNull();
  });

  it('keeps one place for the new session under maxSessionsPerUser', () => {
    expect(sessionsKeptBesideNew(3)).toBe(2);
    expect(sessionsKeptBesideNew(1)).toBe(0);
    expect(sessionsKeptBesideNew(0)).toBe(0);
    expect(sessionsKeptBesideNew(2.7)).toBe(1);
  });
});

describe('rows both SQL stores build alike', () => {
  const session: SessionRow = {
    id: 's1',
    userId: 'u1',
    clientId: 'web',
    transport: 'body',
    claims: '{}',
    createdAt: 1,
    lastUsedAt: 2,
    idleExpiresAt: 3,
    absoluteExpiresAt: 4,
    userAgent: null,
    ip: null,
    generation: 5,
    rotatedAt: 6,
    successorSealed: null,
    graceCount: 0,
    revokedAt: null,
    revokedReason: null,
    rotationWindowStart: 6,
    rotationCount: 1,
  };

  it('splits a token joined with its session back into the two rows', () => {
    expect(
      splitRefreshTokenJoin('t1', {
        ...session,
        tokenGeneration: 4,
        tokenSecretHash: 'h',
        tokenCreatedAt: 7,
      }),
    ).toEqual({
      token: { id: 't1', sessionId: 's1', generation: 4, secretHash: 'h', createdAt: 7 },
      session,
    });
  });

  it('builds session and user feed rows that read back as the tagged records', () => {
    const one = sessionRevocationColumns({ sessionId: 's1', userId: 'u1', at: 9 });
    expect(one).toEqual({
      kind: 'session',
      sessionId: 's1',
      userId: 'u1',
      revokedBefore: null,
      exceptSessionId: null,
      at: 9,
    });
    expect(toRevocationRecord({ ...one, seq: 1 })).toEqual({
      seq: 1,
      kind: 'session',
      sessionId: 's1',
      userId: 'u1',
      at: 9,
    });
    const all = userRevocationColumns({ userId: 'u1', at: 9, exceptSessionId: 's2' });
    expect(all).toEqual({
      kind: 'user',
      sessionId: null,
      userId: 'u1',
      revokedBefore: 9,
      exceptSessionId: 's2',
      at: 9,
    });
    expect(toRevocationRecord({ ...all, seq: 2 })).toEqual({
      seq: 2,
      kind: 'user',
      userId: 'u1',
      revokedBefore: 9,
      exceptSessionId: 's2',
      at: 9,
    });
  });
});
