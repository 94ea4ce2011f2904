import type { RevocationEntry } from './revocation-set.js';

/**
 * Reads one answer of `GET /auth/revocations` strictly: a follower applies a page only when every
 * entry in it is well-formed and after the position it asked from, so a truncated or foreign answer
 * can never half-apply or move the position backwards.
 */

/** A page the follower can apply. */
export interface FeedAnswer {
  readonly revocations: readonly RevocationEntry[];
  readonly next: number;
  readonly more: boolean;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isSeq = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isInstant = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);
const isId = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= 256;

function readEntry(value: unknown): RevocationEntry | undefined {
  if (!isObject(value) || !isSeq(value.seq) || !isId(value.userId) || !isInstant(value.at))
    return undefined;
  if (value.kind === 'session' && isId(value.sessionId))
    return {
      seq: value.seq,
      kind: 'session',
      sessionId: value.sessionId,
      userId: value.userId,
      at: value.at,
    };
  if (
    value.kind === 'user' &&
    isInstant(value.revokedBefore) &&
    (value.exceptSessionId === null || isId(value.exceptSessionId))
  )
    return {
      seq: value.seq,
      kind: 'user',
      userId: value.userId,
      revokedBefore: value.revokedBefore,
      exceptSessionId: value.exceptSessionId,
      at: value.at,
    };
  return undefined;
}

/**
 * The page in a parsed feed answer asked for after `since`, or a sentence saying what is wrong with it.
 *
 * @example
 * ```ts
 * const page = readFeedAnswer(await response.json(), { since: 41 });
 * if (typeof page === 'string') throw new Error(page);
 * ```
 */
export function readFeedAnswer(body: unknown, query: { since: number }): FeedAnswer | string {
  if (!isObject(body) || !Array.isArray(body.revocations))
    return 'the answer has no "revocations" list';
  if (typeof body.more !== 'boolean' || !isSeq(body.next))
    return 'the answer has no "next" position or "more" flag';
  const revocations: RevocationEntry[] = [];
  let last = query.since;
  for (const raw of body.revocations as unknown[]) {
    const entry = readEntry(raw);
    if (entry === undefined) return `entry ${revocations.length} is not a revocation`;
    if (entry.seq <= last) return `entry ${revocations.length} is out of order`;
    last = entry.seq;
    revocations.push(entry);
  }
  if (body.next !== last) return '"next" is not the last entry\'s position';
  if (body.more && revocations.length === 0) return 'the answer says "more" with no entries';
  return { revocations, next: body.next, more: body.more };
}
