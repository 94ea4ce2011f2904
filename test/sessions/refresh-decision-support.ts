import { formatDuration, formatInstant } from '../../src/errors/explain.js';
import type { ErrorCode } from '../../src/errors/codes.js';
import type { ErrorFacts } from '../../src/errors/tessera-error.js';
import {
  decideRefresh,
  type DecisionSession,
  type RefreshDecision,
  type RefreshDecisionInput,
} from '../../src/sessions/refresh-decision.js';
import { refusalError } from '../../src/sessions/refresh-refusal.js';
import { resolveSessionOptions } from '../../src/sessions/session-options.js';
import { isRevocationReason, REVOCATION_WORDS } from '../../src/store/vocabulary.js';

// What the refresh-decision tests share: a live session and its settings, builders of decision
// inputs around it, and the reference model, the rule chain as the session manager wrote it inline
// before the decision was extracted. The properties hold the decision and its errors to that model,
// so the extraction changed no answer, code, message or fact.

export const T0 = Date.UTC(2026, 0, 1, 12);
export const SECOND = 1000;
export const SETTINGS = resolveSessionOptions({
  graceSeconds: 30,
  idleTimeoutSeconds: 3600,
  absoluteLifetimeSeconds: 7200,
});
export const GRACE_MS = SETTINGS.graceMs;
export const ROTATED_AT = T0 + 600 * SECOND;

/**
 * A live session three rotations in, rotated 10 minutes after login, its successor still sealed.
 */
export const SESSION: DecisionSession = {
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

export function input(
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

export const decide = (overrides: Parameters<typeof input>[0] = {}): RefreshDecision =>
  decideRefresh(input(overrides));
export const kindOf = (overrides: Parameters<typeof input>[0] = {}): string => {
  const decision = decide(overrides);
  return decision.kind === 'dead' ? `dead:${decision.cause}` : decision.kind;
};
export const PREVIOUS = SESSION.generation - 1;

export function settingsInput(): {
  graceSeconds: number;
  idleTimeoutSeconds: number;
  absoluteLifetimeSeconds: number;
} {
  return { graceSeconds: 30, idleTimeoutSeconds: 3600, absoluteLifetimeSeconds: 7200 };
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export function isLiveForRules(decisionInput: RefreshDecisionInput): boolean {
  const { session, transport, now, userCut } = decisionInput;
  return (
    (transport === undefined || transport === session.transport) &&
    session.revokedAt === null &&
    !userCut &&
    now < session.absoluteExpiresAt &&
    now < session.idleExpiresAt
  );
}

// -------------------------------------------------------------------------------------------------
// The reference model: the rules exactly as session-manager.ts wrote them inline (assertLive, then
// the rotation, grace and reuse branches), with each refusal's code, message and facts.

export type ErrorParts = { code: ErrorCode; message: string; facts: ErrorFacts };
export type ReferenceOutcome =
  | { kind: 'rotate'; idleExpiresAt: number }
  | { kind: 'grace'; sinceRotationMs: number; otherwise: ErrorParts }
  | ({ kind: 'error' } & ErrorParts);

export function errorParts(error: {
  code: ErrorCode;
  message: string;
  facts: ErrorFacts;
}): ErrorParts {
  return { code: error.code, message: error.message, facts: error.facts };
}

export function referenceOutcome(decisionInput: RefreshDecisionInput): ReferenceOutcome {
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

export function refusal(overrides: Parameters<typeof input>[0]): ErrorParts {
  const decision = decide(overrides);
  if (decision.kind !== 'dead' && decision.kind !== 'reuse')
    throw new Error(`expected a refusal, got ${decision.kind}`);
  return errorParts(refusalError(decision));
}
