import { describe, expect, it } from 'vitest';
import { refusalError, unknownTokenError } from '../../src/sessions/refresh-refusal.js';
import type { RevocationReason } from '../../src/store/vocabulary.js';
import {
  decide,
  PREVIOUS,
  refusal,
  ROTATED_AT,
  SECOND,
  SESSION,
  T0,
} from './refresh-decision-support.js';

// The errors a refused refresh raises: the code, message and facts of every refusal the refresh
// decision gives.

describe('refusalError: the words and facts of a refused refresh', () => {
  it('explains a transport mismatch both ways, with no facts', () => {
    const cookie = refusal({ transport: 'body' });
    expect(cookie).toEqual({
      code: 'TRANSPORT_MISMATCH',
      message:
        'This session keeps its refresh token in an httpOnly cookie; it was sent in the request body. A session never switches transport.',
      facts: {},
    });
    expect(refusal({ session: { transport: 'body' }, transport: 'cookie' }).message).toBe(
      'This session keeps its refresh token in the response body; it was sent in a cookie. A session never switches transport.',
    );
  });

  it('explains a revocation in the reason’s words, or shows an unknown or missing reason as it is', () => {
    expect(refusal({ session: { revokedAt: T0 + 5 * SECOND, revokedReason: 'reuse' } })).toEqual({
      code: 'REFRESH_TOKEN_REVOKED',
      message:
        'This session was revoked at 2026-01-01T12:00:05Z because a refresh token was used twice (possible theft); sign in again.',
      facts: { reason: 'reuse' },
    });
    const future = 'from-a-newer-version' as string as RevocationReason;
    expect(refusal({ session: { revokedAt: T0, revokedReason: future } })).toMatchObject({
      message: 'This session was revoked at 2026-01-01T12:00:00Z (from-a-newer-version).',
      facts: { reason: 'from-a-newer-version' },
    });
    expect(refusal({ session: { revokedAt: T0, revokedReason: null } })).toMatchObject({
      message: 'This session was revoked at 2026-01-01T12:00:00Z (revoked).',
      facts: { reason: null },
    });
  });

  it('explains a user cut', () => {
    expect(refusal({ userCut: true })).toEqual({
      code: 'REFRESH_TOKEN_REVOKED',
      message:
        'All sessions of this user created before a password change or logout-everywhere were revoked.',
      facts: { reason: 'user-cut' },
    });
  });

  it('explains the absolute and the idle expiry with how long ago and since when', () => {
    expect(refusal({ now: SESSION.absoluteExpiresAt + 95 * SECOND })).toEqual({
      code: 'SESSION_EXPIRED',
      message:
        'The session reached its absolute lifetime 1 min 35 s ago (created 2026-01-01T12:00:00Z). Sign in again.',
      facts: { absoluteExpiresAt: '2026-01-01T14:00:00Z' },
    });
    expect(refusal({ now: SESSION.idleExpiresAt + 5 * SECOND })).toEqual({
      code: 'REFRESH_TOKEN_EXPIRED',
      message:
        'The refresh token expired 5 s ago: the session was idle since 2026-01-01T12:10:00Z.',
      facts: { idleExpiresAt: '2026-01-01T13:10:00Z' },
    });
  });

  it('explains reuse with the generations, the lateness and the window, or without a rotation time', () => {
    expect(refusal({ generation: PREVIOUS, now: ROTATED_AT + 31 * SECOND })).toEqual({
      code: 'REFRESH_TOKEN_REUSED',
      message:
        'A refresh token was used again after it had been rotated (generation 2, current 3, 31 s after the rotation; grace window 30 s). The session is revoked: sign in again.',
      facts: { presentedGeneration: 2, currentGeneration: 3, graceSeconds: 30 },
    });
    expect(refusal({ generation: PREVIOUS, session: { rotatedAt: null } }).message).toBe(
      'A refresh token was used again after it had been rotated (generation 2, current 3). The session is revoked: sign in again.',
    );
  });

  it('explains a refused grace answer as the reuse it then is', () => {
    const grace = decide({ generation: PREVIOUS, now: ROTATED_AT + 12 * SECOND });
    if (grace.kind !== 'grace') throw new Error(`expected grace, got ${grace.kind}`);
    expect(refusalError(grace.refused).message).toContain('generation 2, current 3, 12 s after');
  });

  it('names an unknown token', () => {
    expect(unknownTokenError()).toMatchObject({
      code: 'REFRESH_TOKEN_UNKNOWN',
      message:
        'The refresh token is not known: it was never issued here, belongs to a session deleted after expiry, or to another deployment or database.',
    });
  });
});
