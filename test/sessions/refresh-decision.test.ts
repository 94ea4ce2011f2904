import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, formatInstant } from '../../src/errors/explain.js';
import type { ErrorCode } from '../../src/errors/codes.js';
import type { ErrorFacts } from '../../src/errors/tessera-error.js';
import {
  DEAD_CODES,
  decideRefresh,
  type DecisionSession,
  type RefreshDecision,
  type RefreshDecisionInput,
  type RefreshDecisionKind,
} from '../../src/sessions/refresh-decision.js';
import { refusalError, unknownTokenError } from '../../src/sessions/refresh-refusal.js';
import { resolveSessionOptions } from '../../src/sessions/session-options.js';
import type { Transport } from '../../src/store/session-store.js';
import {
  isRevocationReason,
  REVOCATION_WORDS,
  type RevocationReason,
} from '../../src/store/vocabulary.js';

// The refresh rules without a store: every outcome, every boundary to the millisecond, and
// properties over random sessions, tokens and instants. The reference model at the end is the rule
// chain as the session manager wrote it inline before the decision was extracted; the properties
// hold the decision and its errors to it, so the extraction changed no answer, code, message or
// fact.

const T0 = Date.UTC(2026, 0, 1, 12);
const SECOND = 1000;
const SETTINGS = resolveSessionOptions({
  graceSeconds: 30,
  idleTimeoutSeconds: 3600,
  absoluteLifetimeSeconds: 7200,
});
const GRACE_MS = SETTINGS.graceMs;
const ROTATED_AT = T0 + 600 * SECOND;

/**
 * A live session three rotations in, rotated 10 minutes after login, its successor still sealed.
 */
const SESSION: DecisionSession = {
  transport: 'cookie',
  createdAt: T0,
  lastUsedAt: ROTATED_AT,
  idleExpiresAt: ROTATED_AT + SETTINGS.idleMs,
  absoluteExpiresAt: T0 + SETTINGS.absoluteMs,
  generation: 3,
  rotatedAt: ROTATED_AT,
  successorSealed: 'sealed-successor',
  revokedAt: null,
  revokedReason: null,
};

function input(
  overrides: Partial<Omit<RefreshDecisionInput, 'session' | 'token'>> & {
    session?: Partial<DecisionSession>;
    generation?: number;
  } = {},
): RefreshDecisionInput {
  const { session, generation, ...rest } = overrides;
  return {
    session: { ...SESSION, ...session },
    token: { generation: generation ?? SESSION.generation },
    transport: 'cookie',
    now: ROTATED_AT + 5 * SECOND,
    userCut: false,
    settings: SETTINGS,
    ...rest,
  };
}

const decide = (overrides: Parameters<typeof input>[0] = {}): RefreshDecision =>
  decideRefresh(input(overrides));
const kindOf = (overrides: Parameters<typeof input>[0] = {}): string => {
  const decision = decide(overrides);
  return decision.kind === 'dead' ? `dead:${decision.cause}` : decision.kind;
};
const PREVIOUS = SESSION.generation - 1;

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

// -------------------------------------------------------------------------------------------------
// Properties

const KINDS: readonly RefreshDecisionKind[] = ['rotate', 'grace', 'reuse', 'dead'];
const REASONS = Object.keys(REVOCATION_WORDS) as RevocationReason[];

function settingsInput(): {
  graceSeconds: number;
  idleTimeoutSeconds: number;
  absoluteLifetimeSeconds: number;
} {
  return { graceSeconds: 30, idleTimeoutSeconds: 3600, absoluteLifetimeSeconds: 7200 };
}

const settingsArb = fc
  .record({
    graceSeconds: fc.oneof(fc.constantFrom(0, 1, 30, 600), fc.integer({ min: 0, max: 600 })),
    idleTimeoutSeconds: fc.integer({ min: 1, max: 4 * 3600 }),
    extraSeconds: fc.integer({ min: 0, max: 4 * 3600 }),
  })
  .map(({ graceSeconds, idleTimeoutSeconds, extraSeconds }) =>
    resolveSessionOptions({
      graceSeconds,
      idleTimeoutSeconds,
      absoluteLifetimeSeconds: idleTimeoutSeconds + extraSeconds,
    }),
  );

const transportArb: fc.Arbitrary<Transport> = fc.constantFrom('cookie', 'body');

/** Random sessions, tokens and instants, biased onto every boundary the rules have. */
const inputArb: fc.Arbitrary<RefreshDecisionInput> = fc
  .record({
    settings: settingsArb,
    transport: transportArb,
    // Mostly the session's own transport or none said; sometimes the other one.
    presented: fc.oneof(
      { weight: 4, arbitrary: fc.constant('same' as const) },
      { weight: 2, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constant('other' as const) },
    ),
    generation: fc.nat(6),
    // 0 presents the current token, -1 the previous one (a retry); the rest are replays or strays.
    presentedOffset: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(0, -1) },
      { weight: 1, arbitrary: fc.integer({ min: -3, max: 2 }) },
    ),
    rotatedAfterMs: fc.option(fc.integer({ min: 0, max: 3 * 3600 * SECOND })),
    lastUsedShiftMs: fc.integer({ min: 0, max: 3600 * SECOND }),
    sealed: fc.boolean(),
    // Rare enough that most runs reach the generation and window rules.
    revoked: fc.oneof(
      { weight: 5, arbitrary: fc.constant(null) },
      {
        weight: 1,
        arbitrary: fc.record({
          atMs: fc.integer({ min: 0, max: 3600 * SECOND }),
          reason: fc.option(
            fc.oneof(
              fc.constantFrom(...REASONS),
              fc.constant('bogus' as string as RevocationReason),
            ),
          ),
        }),
      },
    ),
    userCut: fc.oneof(
      { weight: 5, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
    anchor: fc.constantFrom('grace', 'idle', 'absolute', 'created', 'free'),
    nudge: fc.constantFrom(-1, 0, 1),
    freeMs: fc.integer({ min: -60 * SECOND, max: 6 * 3600 * SECOND }),
  })
  .map((raw) => {
    const { settings } = raw;
    const createdAt = T0;
    const absoluteExpiresAt = createdAt + settings.absoluteMs;
    // Rotations happen within the session's life, so the window rules get exercised at every
    // lifetime.
    const rotatedAt =
      raw.rotatedAfterMs === null ? null : createdAt + (raw.rotatedAfterMs % settings.absoluteMs);
    const lastUsedAt = Math.min((rotatedAt ?? createdAt) + raw.lastUsedShiftMs, absoluteExpiresAt);
    const idleExpiresAt = Math.min(lastUsedAt + settings.idleMs, absoluteExpiresAt);
    const session: DecisionSession = {
      transport: raw.transport,
      createdAt,
      lastUsedAt,
      idleExpiresAt,
      absoluteExpiresAt,
      generation: raw.generation,
      rotatedAt,
      successorSealed: raw.sealed ? 'sealed' : null,
      revokedAt: raw.revoked === null ? null : createdAt + raw.revoked.atMs,
      revokedReason: raw.revoked === null ? null : raw.revoked.reason,
    };
    const anchors = {
      grace: (rotatedAt ?? createdAt) + settings.graceMs,
      idle: idleExpiresAt,
      absolute: absoluteExpiresAt,
      created: createdAt,
      free: createdAt + raw.freeMs,
    };
    return {
      session,
      token: { generation: Math.max(0, raw.generation + raw.presentedOffset) },
      transport:
        raw.presented === undefined
          ? undefined
          : raw.presented === 'same'
            ? raw.transport
            : other(raw.transport),
      now: anchors[raw.anchor] + (raw.anchor === 'free' ? 0 : raw.nudge),
      userCut: raw.userCut,
      settings,
    };
  });

function other(transport: Transport): Transport {
  return transport === 'cookie' ? 'body' : 'cookie';
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function isLiveForRules(decisionInput: RefreshDecisionInput): boolean {
  const { session, transport, now, userCut } = decisionInput;
  return (
    (transport === undefined || transport === session.transport) &&
    session.revokedAt === null &&
    !userCut &&
    now < session.absoluteExpiresAt &&
    now < session.idleExpiresAt
  );
}

describe('decideRefresh: properties', () => {
  it('is total and deterministic, and reads its input without changing it', () => {
    fc.assert(
      fc.property(inputArb, (raw) => {
        const frozen = deepFreeze(structuredClone(raw));
        const first = decideRefresh(frozen);
        expect(KINDS).toContain(first.kind);
        expect(decideRefresh(frozen)).toEqual(first);
        expect(frozen).toEqual(raw);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the answer, code, message and facts of the rule chain the manager used to inline', () => {
    fc.assert(
      fc.property(inputArb, (decisionInput) => {
        const decision = decideRefresh(decisionInput);
        const reference = referenceOutcome(decisionInput);
        switch (decision.kind) {
          case 'rotate':
            expect(reference).toEqual({
              kind: 'rotate',
              idleExpiresAt: decision.idleExpiresAt,
            });
            break;
          case 'grace':
            expect(reference).toEqual({
              kind: 'grace',
              sinceRotationMs: decision.sinceRotationMs,
              otherwise: errorParts(refusalError(decision.refused)),
            });
            break;
          case 'reuse':
          case 'dead':
            expect(reference).toEqual({ kind: 'error', ...errorParts(refusalError(decision)) });
            break;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('never answers grace to a generation older than the previous one, or newer than the current', () => {
    fc.assert(
      fc.property(inputArb, (decisionInput) => {
        const { token, session } = decisionInput;
        const kind = decideRefresh(decisionInput).kind;
        if (token.generation < session.generation - 1) expect(kind).not.toBe('grace');
        if (token.generation > session.generation) expect(['reuse', 'dead']).toContain(kind);
        if (kind === 'grace') expect(token.generation).toBe(session.generation - 1);
        if (kind === 'rotate') expect(token.generation).toBe(session.generation);
      }),
      { numRuns: 2000 },
    );
  });

  it('never rotates or answers grace at or after an expiry, for a revoked or cut session, or on the wrong transport', () => {
    fc.assert(
      fc.property(inputArb, (decisionInput) => {
        const decision = decideRefresh(decisionInput);
        if (!isLiveForRules(decisionInput)) expect(decision.kind).toBe('dead');
        else expect(decision.kind).not.toBe('dead');
        if (decisionInput.now >= decisionInput.session.absoluteExpiresAt)
          expect(decision).toMatchObject({ kind: 'dead' });
        if (decision.kind === 'dead') expect(decision.code).toBe(DEAD_CODES[decision.cause]);
      }),
      { numRuns: 2000 },
    );
  });

  it('never lets a rotation idle past the absolute lifetime, nor end before now', () => {
    fc.assert(
      fc.property(inputArb, (decisionInput) => {
        const decision = decideRefresh(decisionInput);
        if (decision.kind !== 'rotate') return;
        expect(decision.idleExpiresAt).toBeLessThanOrEqual(decisionInput.session.absoluteExpiresAt);
        expect(decision.idleExpiresAt).toBeGreaterThan(decisionInput.now);
        expect(decision.rotatedAt).toBe(decisionInput.now);
      }),
      { numRuns: 1000 },
    );
  });

  it('falls back from grace to exactly the reuse the same token gets once nothing is sealed', () => {
    fc.assert(
      fc.property(inputArb, (decisionInput) => {
        const decision = decideRefresh(decisionInput);
        if (decision.kind !== 'grace') return;
        const unsealed = { ...decisionInput.session, successorSealed: null };
        expect(decideRefresh({ ...decisionInput, session: unsealed })).toEqual(decision.refused);
      }),
      { numRuns: 1000 },
    );
  });

  it('moving the window end by 1 ms flips exactly the retry that sits on it', () => {
    // A live session, the previous token, a retry `sinceMs` after the rotation; the window is set
    // to end right at the retry, 1 ms before it, or 1 ms after it.
    const retryArb = fc.record({
      sinceMs: fc.integer({ min: 0, max: 600 * SECOND }),
      generation: fc.integer({ min: 1, max: 9 }),
    });
    fc.assert(
      fc.property(retryArb, ({ sinceMs, generation }) => {
        const at = ROTATED_AT + sinceMs;
        const withWindow = (graceMs: number): RefreshDecisionKind =>
          decideRefresh({
            ...input({ generation: generation - 1, now: at, session: { generation } }),
            settings: { ...SETTINGS, graceMs },
          }).kind;
        expect(withWindow(sinceMs)).toBe('grace');
        expect(withWindow(sinceMs + 1)).toBe('grace');
        if (sinceMs > 0) expect(withWindow(sinceMs - 1)).toBe('reuse');
      }),
      { numRuns: 1000 },
    );
  });

  it('moving an expiry by 1 ms flips exactly the refresh that sits on it', () => {
    const edgeArb = fc.record({
      expiry: fc.constantFrom('idle', 'absolute'),
      atMs: fc.integer({ min: 1, max: 7199 * SECOND }),
      generation: fc.constantFrom(SESSION.generation, PREVIOUS),
    });
    fc.assert(
      fc.property(edgeArb, ({ expiry, atMs, generation }) => {
        const at = T0 + atMs;
        const session = (end: number): Partial<DecisionSession> =>
          expiry === 'idle'
            ? { idleExpiresAt: end, absoluteExpiresAt: end + 3600 * SECOND }
            : { idleExpiresAt: end, absoluteExpiresAt: end };
        const cause = expiry === 'idle' ? 'dead:idle-expiry' : 'dead:absolute-expiry';
        // The retry sits at the rotation instant, so the grace window never decides this one.
        const base = { generation, now: at, session: { rotatedAt: at } };
        expect(kindOf({ ...base, session: { ...base.session, ...session(at) } })).toBe(cause);
        expect(kindOf({ ...base, session: { ...base.session, ...session(at - 1) } })).toBe(cause);
        expect(kindOf({ ...base, session: { ...base.session, ...session(at + 1) } })).toBe(
          generation === SESSION.generation ? 'rotate' : 'grace',
        );
      }),
      { numRuns: 1000 },
    );
  });
});

// -------------------------------------------------------------------------------------------------
// The reference model: the rules exactly as session-manager.ts wrote them inline (assertLive, then
// the rotation, grace and reuse branches), with each refusal's code, message and facts.

type ErrorParts = { code: ErrorCode; message: string; facts: ErrorFacts };
type ReferenceOutcome =
  | { kind: 'rotate'; idleExpiresAt: number }
  | { kind: 'grace'; sinceRotationMs: number; otherwise: ErrorParts }
  | ({ kind: 'error' } & ErrorParts);

function errorParts(error: { code: ErrorCode; message: string; facts: ErrorFacts }): ErrorParts {
  return { code: error.code, message: error.message, facts: error.facts };
}

function referenceOutcome(decisionInput: RefreshDecisionInput): ReferenceOutcome {
  const { session, token, transport, now: at, userCut, settings } = decisionInput;
  const fail = (code: ErrorCode, message: string, facts: ErrorFacts = {}): ReferenceOutcome => ({
    kind: 'error',
    code,
    message,
    facts,
  });
  if (transport !== undefined && transport !== session.transport) {
    return fail(
      'TRANSPORT_MISMATCH',
      `This session keeps its refresh token in ${session.transport === 'cookie' ? 'an httpOnly cookie' : 'the response body'}; it was sent ${transport === 'cookie' ? 'in a cookie' : 'in the request body'}. A session never switches transport.`,
    );
  }
  if (session.revokedAt !== null) {
    const reason = session.revokedReason;
    const why =
      reason !== null && isRevocationReason(reason)
        ? REVOCATION_WORDS[reason]
        : `(${reason ?? 'revoked'})`;
    return fail(
      'REFRESH_TOKEN_REVOKED',
      `This session was revoked at ${formatInstant(session.revokedAt / 1000)} ${why}.`,
      { reason: session.revokedReason },
    );
  }
  if (userCut) {
    return fail(
      'REFRESH_TOKEN_REVOKED',
      'All sessions of this user created before a password change or logout-everywhere were revoked.',
      { reason: 'user-cut' },
    );
  }
  if (at >= session.absoluteExpiresAt) {
    return fail(
      'SESSION_EXPIRED',
      `The session reached its absolute lifetime ${formatDuration((at - session.absoluteExpiresAt) / 1000)} ago (created ${formatInstant(session.createdAt / 1000)}). Sign in again.`,
      { absoluteExpiresAt: formatInstant(session.absoluteExpiresAt / 1000) },
    );
  }
  if (at >= session.idleExpiresAt) {
    return fail(
      'REFRESH_TOKEN_EXPIRED',
      `The refresh token expired ${formatDuration((at - session.idleExpiresAt) / 1000)} ago: the session was idle since ${formatInstant(session.lastUsedAt / 1000)}.`,
      { idleExpiresAt: formatInstant(session.idleExpiresAt / 1000) },
    );
  }
  if (token.generation === session.generation) {
    return {
      kind: 'rotate',
      idleExpiresAt: Math.min(at + settings.idleMs, session.absoluteExpiresAt),
    };
  }
  const lateBy = session.rotatedAt === null ? null : Math.round((at - session.rotatedAt) / 1000);
  const reuse: ErrorParts = {
    code: 'REFRESH_TOKEN_REUSED',
    message: `A refresh token was used again after it had been rotated (generation ${token.generation}, current ${session.generation}${lateBy === null ? '' : `, ${lateBy} s after the rotation; grace window ${settings.graceSeconds} s`}). The session is revoked: sign in again.`,
    facts: {
      presentedGeneration: token.generation,
      currentGeneration: session.generation,
      graceSeconds: settings.graceSeconds,
    },
  };
  const inWindow = session.rotatedAt !== null && at - session.rotatedAt <= settings.graceMs;
  if (token.generation === session.generation - 1 && inWindow && session.successorSealed !== null)
    return { kind: 'grace', sinceRotationMs: at - (session.rotatedAt ?? at), otherwise: reuse };
  return { kind: 'error', ...reuse };
}

function refusal(overrides: Parameters<typeof input>[0]): ErrorParts {
  const decision = decide(overrides);
  if (decision.kind !== 'dead' && decision.kind !== 'reuse')
    throw new Error(`expected a refusal, got ${decision.kind}`);
  return errorParts(refusalError(decision));
}
