import { describe, expect, it } from 'vitest';
import { formatInstant } from '../../src/errors/explain.js';
import { resolveSessionOptions } from '../../src/sessions/session-options.js';
import {
  decide,
  GRACE_MS,
  kindOf,
  PREVIOUS,
  ROTATED_AT,
  SECOND,
  SESSION,
  SETTINGS,
  settingsInput,
  T0,
} from './refresh-decision-support.js';

// The refresh rules without a store: every outcome and every boundary to the millisecond. The words
// of each refusal are in refresh-decision-refusals.test.ts, the properties over random sessions,
// tokens and instants in refresh-decision-properties.test.ts.

describe('decideRefresh: rotate', () => {
  it('rotates the current token: the swap expects its generation and writes the next', () => {
    expect(decide()).toEqual({
      kind: 'rotate',
      expectedGeneration: 3,
      nextGeneration: 4,
      rotatedAt: ROTATED_AT + 5 * SECOND,
      idleExpiresAt: ROTATED_AT + 5 * SECOND + SETTINGS.idleMs,
    });
  });

  it('rotates a fresh login (generation 0, never rotated, nothing sealed)', () => {
    const fresh = { generation: 0, rotatedAt: null, successorSealed: null, lastUsedAt: T0 };
    expect(decide({ session: fresh, generation: 0, now: T0 + 1 })).toMatchObject({
      kind: 'rotate',
      expectedGeneration: 0,
      nextGeneration: 1,
    });
  });

  it('never extends the idle expiry past the absolute lifetime', () => {
    const at = SESSION.absoluteExpiresAt - 10 * SECOND;
    const session = { idleExpiresAt: SESSION.absoluteExpiresAt };
    expect(decide({ session, now: at })).toMatchObject({
      kind: 'rotate',
      idleExpiresAt: SESSION.absoluteExpiresAt,
    });
    expect(decide({ session, now: SESSION.absoluteExpiresAt - SETTINGS.idleMs - 1 })).toMatchObject(
      { idleExpiresAt: SESSION.absoluteExpiresAt - 1 },
    );
  });

  it('rotates the current token however long ago the last rotation was: the window is for old tokens', () => {
    expect(kindOf({ now: ROTATED_AT + GRACE_MS + 1 })).toBe('rotate');
    expect(kindOf({ now: ROTATED_AT + 50 * 60 * SECOND })).toBe('rotate');
  });

  it('rotates when the token came by its session transport, or when the caller does not say', () => {
    expect(kindOf({ transport: 'cookie' })).toBe('rotate');
    expect(kindOf({ transport: undefined })).toBe('rotate');
    expect(kindOf({ session: { transport: 'body' }, transport: 'body' })).toBe('rotate');
  });
});

describe('decideRefresh: grace window', () => {
  it('answers the previous token inside the window with the sealed successor', () => {
    expect(decide({ generation: PREVIOUS, now: ROTATED_AT + 1500 })).toEqual({
      kind: 'grace',
      presentedGeneration: 2,
      currentGeneration: 3,
      sinceRotationMs: 1500,
      refused: {
        kind: 'reuse',
        presentedGeneration: 2,
        currentGeneration: 3,
        secondsSinceRotation: 2,
        graceSeconds: 30,
      },
    });
  });

  it('is closed at both ends: the rotation instant and exactly graceMs after are inside, 1 ms more is not', () => {
    expect(kindOf({ generation: PREVIOUS, now: ROTATED_AT })).toBe('grace');
    expect(kindOf({ generation: PREVIOUS, now: ROTATED_AT + GRACE_MS - 1 })).toBe('grace');
    expect(kindOf({ generation: PREVIOUS, now: ROTATED_AT + GRACE_MS })).toBe('grace');
    expect(kindOf({ generation: PREVIOUS, now: ROTATED_AT + GRACE_MS + 1 })).toBe('reuse');
  });

  it('with a zero window answers only at the rotation instant itself', () => {
    const settings = resolveSessionOptions({ ...settingsInput(), graceSeconds: 0 });
    expect(kindOf({ generation: PREVIOUS, now: ROTATED_AT, settings })).toBe('grace');
    expect(kindOf({ generation: PREVIOUS, now: ROTATED_AT + 1, settings })).toBe('reuse');
  });

  it('keeps a clock that stepped back behind the rotation inside the window', () => {
    expect(decide({ generation: PREVIOUS, now: ROTATED_AT - 40 * SECOND })).toMatchObject({
      kind: 'grace',
      sinceRotationMs: -40 * SECOND,
    });
  });

  it('is reuse when the successor is no longer sealed (swept), even inside the window', () => {
    expect(kindOf({ generation: PREVIOUS, session: { successorSealed: null } })).toBe('reuse');
  });

  it('is reuse for the previous generation of a session with no rotation time', () => {
    expect(decide({ generation: PREVIOUS, session: { rotatedAt: null } })).toEqual({
      kind: 'reuse',
      presentedGeneration: 2,
      currentGeneration: 3,
      secondsSinceRotation: null,
      graceSeconds: 30,
    });
  });
});

describe('decideRefresh: reuse', () => {
  it('is reuse for the previous token after the window, with whole seconds since the rotation', () => {
    expect(decide({ generation: PREVIOUS, now: ROTATED_AT + 31_499 })).toEqual({
      kind: 'reuse',
      presentedGeneration: 2,
      currentGeneration: 3,
      secondsSinceRotation: 31,
      graceSeconds: 30,
    });
    expect(decide({ generation: PREVIOUS, now: ROTATED_AT + 31_500 })).toMatchObject({
      secondsSinceRotation: 32,
    });
  });

  it('is reuse for any older generation, even at the rotation instant', () => {
    for (const generation of [0, 1]) {
      expect(decide({ generation, now: ROTATED_AT })).toMatchObject({
        kind: 'reuse',
        presentedGeneration: generation,
        currentGeneration: 3,
        secondsSinceRotation: 0,
      });
    }
  });

  it('is reuse for a generation newer than the session (a row that does not belong to this chain state)', () => {
    expect(decide({ generation: 4 })).toMatchObject({ kind: 'reuse', presentedGeneration: 4 });
    expect(decide({ generation: 9 })).toMatchObject({ kind: 'reuse', presentedGeneration: 9 });
  });
});

describe('decideRefresh: dead', () => {
  it('refuses a token sent by the other transport before any other rule', () => {
    expect(decide({ transport: 'body' })).toEqual({
      kind: 'dead',
      cause: 'transport-mismatch',
      code: 'TRANSPORT_MISMATCH',
      facts: {},
      sessionTransport: 'cookie',
      presentedTransport: 'body',
    });
    const everythingWrong = {
      session: { transport: 'body' as const, revokedAt: T0, revokedReason: 'logout' as const },
      transport: 'cookie' as const,
      userCut: true,
      now: SESSION.absoluteExpiresAt + 1,
    };
    expect(kindOf(everythingWrong)).toBe('dead:transport-mismatch');
  });

  it('refuses a revoked session, with its reason as the fact, before a user cut or an expiry', () => {
    const revoked = { revokedAt: ROTATED_AT + 1, revokedReason: 'logout' as const };
    expect(decide({ session: revoked })).toEqual({
      kind: 'dead',
      cause: 'revoked',
      code: 'REFRESH_TOKEN_REVOKED',
      facts: { reason: 'logout' },
      revokedAt: ROTATED_AT + 1,
      reason: 'logout',
    });
    expect(kindOf({ session: revoked, userCut: true, now: SESSION.absoluteExpiresAt })).toBe(
      'dead:revoked',
    );
    // A revocation wins over a grace retry and a reuse alike: a logout is never read as theft.
    expect(kindOf({ session: revoked, generation: PREVIOUS })).toBe('dead:revoked');
    expect(kindOf({ session: revoked, generation: 0 })).toBe('dead:revoked');
  });

  it('refuses a session covered by a per-user cut before an expiry', () => {
    expect(decide({ userCut: true })).toEqual({
      kind: 'dead',
      cause: 'user-cut',
      code: 'REFRESH_TOKEN_REVOKED',
      facts: { reason: 'user-cut' },
      createdAt: T0,
    });
    expect(kindOf({ userCut: true, now: SESSION.absoluteExpiresAt })).toBe('dead:user-cut');
    expect(kindOf({ userCut: true, generation: PREVIOUS })).toBe('dead:user-cut');
  });

  it('is dead from the absolute expiry on: 1 ms before it still rotates', () => {
    const session = { idleExpiresAt: SESSION.absoluteExpiresAt };
    expect(kindOf({ session, now: SESSION.absoluteExpiresAt - 1 })).toBe('rotate');
    expect(decide({ session, now: SESSION.absoluteExpiresAt })).toEqual({
      kind: 'dead',
      cause: 'absolute-expiry',
      code: 'SESSION_EXPIRED',
      facts: { absoluteExpiresAt: formatInstant(SESSION.absoluteExpiresAt / 1000) },
      overByMs: 0,
      createdAt: T0,
      absoluteExpiresAt: SESSION.absoluteExpiresAt,
    });
  });

  it('names the absolute lifetime when the session is past both expiries', () => {
    expect(kindOf({ now: SESSION.absoluteExpiresAt + 1 })).toBe('dead:absolute-expiry');
  });

  it('is dead from the idle expiry on: 1 ms before it still rotates', () => {
    expect(kindOf({ now: SESSION.idleExpiresAt - 1 })).toBe('rotate');
    expect(decide({ now: SESSION.idleExpiresAt + 2500 })).toEqual({
      kind: 'dead',
      cause: 'idle-expiry',
      code: 'REFRESH_TOKEN_EXPIRED',
      facts: { idleExpiresAt: formatInstant(SESSION.idleExpiresAt / 1000) },
      overByMs: 2500,
      lastUsedAt: ROTATED_AT,
      idleExpiresAt: SESSION.idleExpiresAt,
    });
    expect(kindOf({ now: SESSION.idleExpiresAt })).toBe('dead:idle-expiry');
  });

  it('applies the expiries to a grace retry too: a window never outlives the session', () => {
    const session = { idleExpiresAt: ROTATED_AT + 10 * SECOND };
    expect(kindOf({ session, generation: PREVIOUS, now: ROTATED_AT + 10 * SECOND - 1 })).toBe(
      'grace',
    );
    expect(kindOf({ session, generation: PREVIOUS, now: ROTATED_AT + 10 * SECOND })).toBe(
      'dead:idle-expiry',
    );
  });
});
