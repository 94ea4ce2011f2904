import type { AuditEvent, RefreshTokenRow, SessionRow } from '../store/session-store.js';
import { hashSecret } from '../secrets/opaque-secret.js';
import { decideRefresh } from './refresh-decision.js';
import { mintRefreshToken } from './refresh-token.js';
import { decideRotationBudget, nextRotationWindow } from './rotation-budget.js';
import type { RequestContext, SessionCore, TokenSet } from './session-core.js';
import type { SessionClaims } from './session-options.js';
import { sealSuccessor } from './successor-seal.js';

// A refresh in one store round trip: the lookup folded into the compare-and-swap. The order read →
// decide → limit → write still holds, inside the store call: the store reads the row and swaps only
// when the rotate decision's preconditions hold on it (its WHERE clause is decideRefresh's rotate
// branch, and the rotation budget of rotation-budget.ts when `rotationsPerMinute` is set). It is taken
// only when nothing else has to come between the read and the write: no rotation limit of the
// caller's own (its check must refuse before the swap), no claims hook (it decides the claims the swap
// writes from the session), and a revocation view with no per-user cut that could reach the session (a
// logged-out session's own row says revoked, and the swap's WHERE refuses it). A swap
// the budget refused hands the row back like any other, and the two-trip path answers it (a 429 on an
// unchanged session, else a decision on the fresh row).

/** The claims of a manager without a claims hook, decided once: none. */
const NO_CLAIMS: SessionClaims = Object.freeze({});
const NO_CLAIMS_JSON = JSON.stringify(NO_CLAIMS);

/** What a one-trip refresh gives: the answer when it rotated, else the row it read, to decide on. */
export type OneTripOutcome =
  | { readonly answer: TokenSet }
  | { readonly found: { token: RefreshTokenRow; session: SessionRow } | undefined };

/**
 * Tells whether a refresh may swap in the same store call that reads the session: the store can, and
 * nothing the manager is configured with must see the session between the read and the swap.
 *
 * @example
 * ```ts
 * const outcome = rotatesOnRead(core) ? await rotateOnRead(core, id, secret, context) : undefined;
 * ```
 */
export function rotatesOnRead(core: SessionCore): boolean {
  const { store, rotationLimit, claims, revocations } = core.options;
  return (
    store.rotateByToken !== undefined &&
    rotationLimit === undefined &&
    claims === undefined &&
    // A view without holdsUserCuts (a plain-JS stand-in) is taken to hold some.
    (revocations === undefined ||
      (typeof revocations.holdsUserCuts === 'function' && !revocations.holdsUserCuts()))
  );
}

/**
 * Reads the presented token's session and, when it may rotate, rotates it in the same store call. A
 * swap the store refused (any other decision, a lost race, a wrong secret) hands the row back, and the
 * caller decides on it as on any read.
 *
 * @example
 * ```ts
 * const outcome = await rotateOnRead(core, id, secret, { transport: 'cookie' });
 * if ('answer' in outcome) return outcome.answer;
 * ```
 */
export async function rotateOnRead(
  core: SessionCore,
  tokenId: string,
  secret: string,
  context: RequestContext,
): Promise<OneTripOutcome> {
  const { store, pepper } = core.options;
  const at = core.now();
  const next = mintRefreshToken({ pepper });
  const result = await store.rotateByToken?.({
    tokenId,
    secretHash: hashSecret(secret, pepper),
    transport: context.transport ?? null,
    rotatedAt: at,
    idleMs: core.settings.idleMs,
    token: { id: next.id, secretHash: next.secretHash, createdAt: at },
    successorSealed: sealSuccessor({ previousSecret: secret, successor: next.value }),
    claims: NO_CLAIMS_JSON,
    rotationsPerMinute: core.settings.rotationsPerMinute,
    event: { at, type: 'refresh', ip: context.ip ?? null },
  });
  if (result?.rotated !== true) return { found: result };
  const { session } = result;
  // The same decisions the two-trip path takes, on the row the store swapped: they can only say rotate
  // and allowed (the store's preconditions are the rotate branch and the budget, and no user
  // cut could reach the session: its row said live in the swap).
  const decision = decideRefresh({
    session,
    token: result.token,
    transport: context.transport,
    now: at,
    userCut: false,
    settings: core.settings,
  });
  if (decision.kind !== 'rotate')
    throw new Error(`The store swapped a session its rules decide as ${decision.kind}.`);
  const perMinute = core.settings.rotationsPerMinute;
  if (perMinute !== undefined && !decideRotationBudget({ session, now: at, perMinute }).allowed)
    throw new Error('The store swapped a session past its rotation budget.');
  const event: AuditEvent = {
    at,
    type: 'refresh',
    userId: session.userId,
    sessionId: session.id,
    ip: context.ip ?? null,
    detail: JSON.stringify({ generation: decision.nextGeneration }),
  };
  core.events.publish(event);
  const rotated: SessionRow = {
    ...session,
    ...nextRotationWindow(session, at),
    generation: decision.nextGeneration,
    idleExpiresAt: decision.idleExpiresAt,
    lastUsedAt: decision.rotatedAt,
  };
  return { answer: core.respond(rotated, next.value, NO_CLAIMS, false) };
}
