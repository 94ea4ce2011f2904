import type { TesseraError } from '../errors/tessera-error.js';
import type { SessionRow } from '../store/session-store.js';
import { secretMatches } from '../secrets/opaque-secret.js';
import { parseRefreshToken } from '../wire/refresh-token.js';
import {
  decideRefresh,
  type GraceDecision,
  type ReuseDecision,
  type RotateDecision,
} from './refresh-decision.js';
import { rotateOnRead, rotatesOnRead } from './one-trip-rotation.js';
import { refusalError, unknownTokenError } from './refresh-refusal.js';
import { mintRefreshToken } from './refresh-token.js';
import { decideRotationBudget, nextRotationWindow } from './rotation-budget.js';
import { rotationLimitedError, rotationRetryAfterSeconds } from './rotation-limit.js';
import type { RequestContext, SessionCore, TokenSet } from './session-core.js';
import type { SessionClaims } from './session-options.js';
import { openSuccessor, sealSuccessor } from './successor-seal.js';

// The effects of a refresh. Every rule is in decideRefresh; this file reads the session, asks it,
// and carries out the answer: a compare-and-swap rotation, a grace answer, a reuse revocation.

/** How many reads a refresh decides on (lost races re-read) before the token reads as unknown. */
const MAX_PASSES = 3;

/**
 * Refreshes a session: rotates the current token, answers a retry of the previous one inside the
 * grace window with the same successor, and revokes the session when an older token comes back.
 *
 * @example
 * ```ts
 * const next = await refreshSession(core, cookies[REFRESH_COOKIE], { transport: 'cookie' });
 * ```
 */
export async function refreshSession(
  core: SessionCore,
  value: unknown,
  context: RequestContext = {},
): Promise<TokenSet> {
  const { store, pepper, revocations } = core.options;
  const { id, secret } = parseRefreshToken(value);
  // One round trip when nothing must come between the read and the swap; else read, then decide.
  const read = rotatesOnRead(core)
    ? await rotateOnRead(core, id, secret, context)
    : { found: await store.findRefreshToken(id) };
  if ('answer' in read) return read.answer;
  const { found } = read;
  if (found === undefined || !secretMatches(secret, found.token.secretHash, pepper))
    throw unknownTokenError();
  const { token } = found;
  let session: SessionRow | undefined = found.session;
  // A lost compare-and-swap means another request rotated first; re-read and decide again.
  for (let pass = 0; pass < MAX_PASSES && session !== undefined; pass++) {
    const at = core.now();
    const decision = decideRefresh({
      session,
      token,
      transport: context.transport,
      now: at,
      userCut: revocations?.revokesSession(session) === true,
      settings: core.settings,
    });
    switch (decision.kind) {
      case 'dead':
        throw refusalError(decision);
      case 'reuse':
        return revokeForReuse(core, session, decision, at, context);
      case 'rotate': {
        const refused = await admitRotation(core, session, decision);
        if (refused !== undefined) {
          // Refused by the limit: another request may have rotated this token since the read, and
          // then this one is its retry (a grace answer), not a 429. Only an unchanged session says
          // 429, and the token it names stays current.
          const fresh = await store.findSession(session.id);
          if (fresh?.generation === session.generation && fresh.revokedAt === null) throw refused;
          session = fresh;
          continue;
        }
        const rotated = await rotate(core, session, decision, secret, context);
        if (rotated !== undefined) return rotated;
        session = await store.findSession(session.id);
        continue;
      }
      case 'grace': {
        const answered = await answerGrace(core, session, decision, secret, at, context);
        if (answered !== undefined) return answered;
        const fresh = await store.findSession(session.id);
        // Another rotation or a logout won the race: decide again on the fresh state (a logout must
        // read as REVOKED on the next pass, not as token theft).
        if (
          fresh !== undefined &&
          (fresh.generation !== session.generation || fresh.revokedAt !== null)
        ) {
          session = fresh;
          continue;
        }
        return revokeForReuse(core, session, decision.refused, at, context);
      }
    }
  }
  throw unknownTokenError();
}

// The gate every rotation passes after the decision and before the swap, never a grace answer: a
// retry inside the window must not be refused for coming fast. The check does not count; only a
// committed swap is charged (in rotate), so a race of many requests on one token costs one slot and
// a refused or lost swap costs none. See rotation-limit.ts for the bound this gives. The store-held
// budget is judged on the row as read, at the instant the swap will carry: the swap's WHERE says the
// same on the same row, so a swap it refuses has lost to a rotation (and the loop re-reads).
async function admitRotation(
  core: SessionCore,
  session: SessionRow,
  decision: RotateDecision,
): Promise<TesseraError | undefined> {
  const limit = core.options.rotationLimit;
  const check = await limit?.check(session.id);
  const perMinute = core.settings.rotationsPerMinute;
  const budget =
    perMinute === undefined
      ? undefined
      : decideRotationBudget({ session, now: decision.rotatedAt, perMinute });
  const refusal = [check, budget].find((answer) => answer !== undefined && !answer.allowed);
  if (refusal === undefined) return undefined;
  return rotationLimitedError(
    rotationRetryAfterSeconds(refusal.retryAfterSeconds, core.settings.graceSeconds),
  );
}

async function rotate(
  core: SessionCore,
  session: SessionRow,
  decision: RotateDecision,
  secret: string,
  context: RequestContext,
): Promise<TokenSet | undefined> {
  const { store, pepper } = core.options;
  const next = mintRefreshToken({ pepper });
  const claims = await core.decideClaims(session.userId, session);
  // Written with the rotation, in its transaction: a refresh is one commit, not two.
  const refreshEvent = core.events.describe('refresh', session, context, {
    generation: decision.nextGeneration,
  });
  const rotated = await store.rotate({
    sessionId: session.id,
    expectedGeneration: decision.expectedGeneration,
    token: { id: next.id, secretHash: next.secretHash, createdAt: decision.rotatedAt },
    rotatedAt: decision.rotatedAt,
    successorSealed: sealSuccessor({ previousSecret: secret, successor: next.value }),
    idleExpiresAt: decision.idleExpiresAt,
    claims: JSON.stringify(claims),
    rotationsPerMinute: core.settings.rotationsPerMinute,
    event: refreshEvent,
  });
  if (!rotated) return undefined;
  // Charged before the answer leaves, so this client's next rotation (it needs this successor) sees
  // the count. A failed charge (limiter unreachable) must not fail a rotation that has committed: the
  // answer would be lost with it; one uncounted rotation only ever lets one more through.
  await core.options.rotationLimit?.charge(session.id).catch(() => undefined);
  core.events.publish(refreshEvent);
  return core.respond(
    {
      ...session,
      ...nextRotationWindow(session, decision.rotatedAt),
      generation: decision.nextGeneration,
      idleExpiresAt: decision.idleExpiresAt,
      lastUsedAt: decision.rotatedAt,
    },
    next.value,
    claims,
    false,
  );
}

// Undefined when the store refuses the answer (cap reached, seal erased) or the seal does not open.
async function answerGrace(
  core: SessionCore,
  session: SessionRow,
  decision: GraceDecision,
  secret: string,
  at: number,
  context: RequestContext,
): Promise<TokenSet | undefined> {
  const sealed = await core.options.store.takeGraceAnswer({
    sessionId: session.id,
    generation: decision.currentGeneration,
    max: core.settings.maxGraceAnswers,
    usedAt: at,
  });
  const successor =
    sealed === undefined
      ? undefined
      : openSuccessor({
          previousSecret: secret,
          sessionId: session.id,
          generation: decision.presentedGeneration,
          sealed,
        });
  if (successor === undefined) return undefined;
  await core.events.append('refresh.grace', session, context, {
    generation: decision.currentGeneration,
    sinceRotationMs: decision.sinceRotationMs,
  });
  return core.respond(session, successor, JSON.parse(session.claims) as SessionClaims, true);
}

async function revokeForReuse(
  core: SessionCore,
  session: SessionRow,
  decision: ReuseDecision,
  at: number,
  context: RequestContext,
): Promise<never> {
  const { store, revocations } = core.options;
  await store.revokeSession({ sessionId: session.id, at, reason: 'reuse' });
  // This node refuses the session's access tokens at once; other nodes within a poll or a NOTIFY.
  await revocations?.sync();
  await core.events.append('refresh.reuse_detected', session, context, {
    presentedGeneration: decision.presentedGeneration,
    currentGeneration: decision.currentGeneration,
    secondsSinceRotation: decision.secondsSinceRotation,
  });
  throw refusalError(decision);
}
