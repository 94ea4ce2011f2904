import { TesseraError } from '../errors/tessera-error.js';
import { secretMatches } from '../secrets/opaque-secret.js';
import type { Transport } from '../store/session-store.js';
import { parseRefreshToken } from '../wire/refresh-token.js';
import { decideRefresh } from './refresh-decision.js';
import { refusalError, unknownTokenError } from './refresh-refusal.js';
import type { SessionCore } from './session-core.js';

// A browser sends every cookie whose domain and path match, so a sibling subdomain can plant a second
// `__Secure-tessera_rt` (Domain=parent) next to this server's host-only one, and an old deployment's
// Domain cookie can outlive a move to host-only. Each value is looked at here without any effect (no
// rotation, no revocation, no event); only the route's choice is then refreshed or logged out.

/** What one presented refresh token would meet, judged without side effects. */
export type RefreshCandidateVerdict =
  /** The current token of a live session on the asked transport: it would rotate. */
  | 'current'
  /** The previous token inside the grace window: it would get the same successor again. */
  | 'grace'
  /** An older token of a live session: refreshing it would revoke that session as stolen. */
  | 'reuse'
  /** A token of a session that is over (revoked, expired, cut) or of the other transport. */
  | 'dead'
  /** No stored token has this id and secret. */
  | 'unknown'
  /** Not in the `tsr_` format. */
  | 'malformed';

/** One presented value and what it would meet. */
export interface RefreshCandidate {
  readonly value: string;
  readonly verdict: RefreshCandidateVerdict;
  readonly sessionId?: string;
  readonly userId?: string;
  readonly lastUsedAt?: number;
  /** The refusal a refresh of this value would give (dead, unknown, malformed; reuse is the revoking one). */
  readonly refusal?: TesseraError;
}

/**
 * Judges each value as a refresh would, with no effect: one store read per well-formed value, no
 * write, no event, no revocation. Store outages are thrown, never read as "unknown".
 *
 * @example
 * ```ts
 * const candidates = await inspectRefreshTokens(core, ['tsr_…', 'garbage'], { transport: 'cookie' });
 * ```
 */
export async function inspectRefreshTokens(
  core: SessionCore,
  values: readonly string[],
  context: { transport?: Transport },
): Promise<RefreshCandidate[]> {
  const { store, pepper, revocations } = core.options;
  const candidates: RefreshCandidate[] = [];
  for (const value of values) {
    let parts: { id: string; secret: string };
    try {
      parts = parseRefreshToken(value);
    } catch (error) {
      candidates.push({ value, verdict: 'malformed', refusal: error as TesseraError });
      continue;
    }
    const found = await store.findRefreshToken(parts.id);
    if (found === undefined || !secretMatches(parts.secret, found.token.secretHash, pepper)) {
      candidates.push({ value, verdict: 'unknown', refusal: unknownTokenError() });
      continue;
    }
    const { session } = found;
    const decision = decideRefresh({
      session,
      token: found.token,
      transport: context.transport,
      now: core.now(),
      userCut: revocations?.revokesSession(session) === true,
      settings: core.settings,
    });
    const facts = { sessionId: session.id, userId: session.userId, lastUsedAt: session.lastUsedAt };
    if (decision.kind === 'dead')
      candidates.push({ value, verdict: 'dead', ...facts, refusal: refusalError(decision) });
    else
      candidates.push({
        value,
        verdict:
          decision.kind === 'rotate' ? 'current' : decision.kind === 'grace' ? 'grace' : 'reuse',
        ...facts,
      });
  }
  return candidates;
}

/** What the refresh route does with several presented refresh tokens. */
export type RefreshChoice =
  /** Refresh this value: a live one, or (`live: false`) a stale one whose reuse must still be acted on. */
  | { readonly kind: 'refresh'; readonly value: string; readonly live: boolean }
  /** None can be refreshed: answer this refusal, with no effect on any session. */
  | { readonly kind: 'refuse'; readonly error: TesseraError }
  /** Live sessions of different users: picking one could sign the user into a planted account. */
  | { readonly kind: 'conflict'; readonly sessionIds: readonly string[] };

const VERDICT_ORDER: readonly RefreshCandidateVerdict[] = ['dead', 'unknown', 'malformed'];

/**
 * Chooses among several presented refresh tokens. A live one wins (current before grace, then the
 * most recently used session); the rest are ignored, so a planted stale, unknown or garbage cookie
 * never rotates, revokes or refuses the real session. When no value is live, a stale one is still
 * refreshed so that its session is revoked as stolen (a planted cookie cannot switch off reuse
 * detection); otherwise the most telling refusal is answered (dead, then unknown, then malformed).
 * Live sessions of two different users are a `conflict`: either could be the planted one. Pure.
 *
 * @example
 * ```ts
 * const choice = chooseRefreshCandidate(await inspectRefreshTokens(core, values, { transport: 'cookie' }));
 * if (choice.kind === 'refresh') await refreshSession(core, choice.value, { transport: 'cookie' });
 * ```
 */
export function chooseRefreshCandidate(candidates: readonly RefreshCandidate[]): RefreshChoice {
  const live = candidates
    .filter((c) => c.verdict === 'current' || c.verdict === 'grace')
    .sort(
      (a, b) =>
        Number(a.verdict === 'grace') - Number(b.verdict === 'grace') ||
        (b.lastUsedAt ?? 0) - (a.lastUsedAt ?? 0),
    );
  const users = new Set(live.map((c) => c.userId));
  if (users.size > 1)
    return { kind: 'conflict', sessionIds: [...new Set(live.map((c) => c.sessionId ?? '?'))] };
  const first = live[0];
  if (first !== undefined) return { kind: 'refresh', value: first.value, live: true };
  const reused = candidates.find((c) => c.verdict === 'reuse');
  if (reused !== undefined) return { kind: 'refresh', value: reused.value, live: false };
  for (const verdict of VERDICT_ORDER) {
    const refusal = candidates.find((c) => c.verdict === verdict)?.refusal;
    if (refusal !== undefined) return { kind: 'refuse', error: refusal };
  }
  return {
    kind: 'refuse',
    error: new TesseraError('REFRESH_TOKEN_MISSING', 'No refresh token was sent.'),
  };
}
