import { formatDuration, formatInstant } from '../errors/explain.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { Transport } from '../store/session-store.js';
import { isRevocationReason, REVOCATION_WORDS } from '../store/vocabulary.js';
import type { DeadDecision, ReuseDecision } from './refresh-decision.js';

// The words of a refused refresh, apart from the rules that refuse it: the decision says which case
// and its numbers, this says it the way a person debugging a logout needs. Pure, so each message
// can be pinned by a test without a store.

/**
 * The error a refused refresh is thrown with: the code, the explanation with its numbers, and the
 * facts.
 *
 * @example
 * ```ts
 * const decision = decideRefresh({ session, token, transport, now: at, userCut, settings });
 * if (decision.kind === 'dead' || decision.kind === 'reuse') throw refusalError(decision);
 * ```
 */
export function refusalError(decision: DeadDecision | ReuseDecision): TesseraError {
  return new TesseraError(
    decision.kind === 'reuse' ? 'REFRESH_TOKEN_REUSED' : decision.code,
    explainRefusal(decision),
    decision.kind === 'reuse'
      ? {
          presentedGeneration: decision.presentedGeneration,
          currentGeneration: decision.currentGeneration,
          graceSeconds: decision.graceSeconds,
        }
      : decision.facts,
  );
}

/**
 * The error for a refresh token no store row matches (or whose secret does not match its row), and
 * for a session that vanished between reads.
 *
 * @example
 * ```ts
 * const found = await store.findRefreshToken(id);
 * if (found === undefined) throw unknownTokenError();
 * ```
 */
export function unknownTokenError(): TesseraError {
  return new TesseraError(
    'REFRESH_TOKEN_UNKNOWN',
    'The refresh token is not known: it was never issued here, belongs to a session deleted after expiry, or to another deployment or database.',
  );
}

function explainRefusal(decision: DeadDecision | ReuseDecision): string {
  switch (decision.kind) {
    case 'reuse': {
      const lateBy = decision.secondsSinceRotation;
      return `A refresh token was used again after it had been rotated (generation ${decision.presentedGeneration}, current ${decision.currentGeneration}${lateBy === null ? '' : `, ${lateBy} s after the rotation; grace window ${decision.graceSeconds} s`}). The session is revoked: sign in again.`;
    }
    case 'dead':
      return explainDead(decision);
  }
}

function explainDead(decision: DeadDecision): string {
  switch (decision.cause) {
    case 'transport-mismatch':
      return `This session keeps its refresh token in ${keptIn(decision.sessionTransport)}; it was sent ${sentIn(decision.presentedTransport)}. A session never switches transport.`;
    case 'revoked': {
      const { reason } = decision;
      // Rows written by another version may hold a reason without words: show it as it is.
      const why =
        reason !== null && isRevocationReason(reason)
          ? REVOCATION_WORDS[reason]
          : `(${reason ?? 'revoked'})`;
      return `This session was revoked at ${formatInstant(decision.revokedAt / 1000)} ${why}.`;
    }
    case 'user-cut':
      return 'All sessions of this user created before a password change or logout-everywhere were revoked.';
    case 'absolute-expiry':
      return `The session reached its absolute lifetime ${formatDuration(decision.overByMs / 1000)} ago (created ${formatInstant(decision.createdAt / 1000)}). Sign in again.`;
    case 'idle-expiry':
      return `The refresh token expired ${formatDuration(decision.overByMs / 1000)} ago: the session was idle since ${formatInstant(decision.lastUsedAt / 1000)}.`;
  }
}

function keptIn(transport: Transport): string {
  return transport === 'cookie' ? 'an httpOnly cookie' : 'the response body';
}

function sentIn(transport: Transport): string {
  return transport === 'cookie' ? 'in a cookie' : 'in the request body';
}
