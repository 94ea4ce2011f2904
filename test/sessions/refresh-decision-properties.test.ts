import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEAD_CODES,
  decideRefresh,
  type DecisionSession,
  type RefreshDecisionInput,
  type RefreshDecisionKind,
} from '../../src/sessions/refresh-decision.js';
import { refusalError } from '../../src/sessions/refresh-refusal.js';
import { resolveSessionOptions } from '../../src/sessions/session-options.js';
import type { Transport } from '../../src/store/session-store.js';
import { REVOCATION_WORDS, type RevocationReason } from '../../src/store/vocabulary.js';
import {
  deepFreeze,
  errorParts,
  input,
  isLiveForRules,
  kindOf,
  PREVIOUS,
  referenceOutcome,
  ROTATED_AT,
  SECOND,
  SESSION,
  SETTINGS,
  T0,
} from './refresh-decision-support.js';

// Properties of the refresh rules over random sessions, tokens and instants, biased onto every
// boundary; the reference model in refresh-decision-support.ts is the rule chain the session manager
// used to inline, and the decision and its errors are held to it.

const KINDS: readonly RefreshDecisionKind[] = ['rotate', 'grace', 'reuse', 'dead'];
const REASONS = Object.keys(REVOCATION_WORDS) as RevocationReason[];

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
