import { TesseraError } from '../errors/tessera-error.js';
import type { RevocationRecord } from '../store/session-store.js';
import type { Route } from './handler-options.js';

/**
 * `GET /auth/revocations?since=SEQ&limit=N`: the commit-ordered revocation feed the auth server's own
 * nodes follow, for resource servers elsewhere. Each entry carries only what a verifier needs to refuse
 * a token (session ids, user ids, cut times): no reason, no address, no email, because every resource
 * server that holds a credential would learn them and none of them acts on them.
 */

/** One feed entry on the wire: the store's record, projected to the members a verifier reads. */
export type FeedEntry =
  | {
      readonly seq: number;
      readonly kind: 'session';
      readonly sessionId: string;
      readonly userId: string;
      readonly at: number;
    }
  | {
      readonly seq: number;
      readonly kind: 'user';
      readonly userId: string;
      readonly revokedBefore: number;
      readonly exceptSessionId: string | null;
      readonly at: number;
    };

/** One page of the feed: entries after `since`, the `since` of the next page, and whether it has more. */
export interface FeedPage {
  readonly revocations: readonly FeedEntry[];
  readonly next: number;
  readonly more: boolean;
}

/** The page size when `limit` is absent, and the largest one asked for. */
export const FEED_LIMITS = { default: 500, max: 1000 } as const;

const SINCE = /^(0|[1-9][0-9]{0,15})$/;
const LIMIT = /^[1-9][0-9]{0,3}$/;
// Names people give a secret in a URL; any tsf_ value anywhere counts too.
const CREDENTIAL_PARAMS = new Set(['access_token', 'token', 'credential', 'key', 'auth']);

/**
 * Reads `since` and `limit` from the feed's query string; throws FEED_CREDENTIAL_IN_URL for a
 * credential in the URL (before anything else: the URL is already in some log) and FEED_QUERY_INVALID
 * for anything else it cannot read exactly.
 *
 * @example
 * ```ts
 * readFeedQuery(new URLSearchParams('since=41&limit=100')); // { since: 41, limit: 100 }
 * ```
 */
export function readFeedQuery(params: URLSearchParams): { since: number; limit: number } {
  for (const [name, value] of params)
    if (CREDENTIAL_PARAMS.has(name.toLowerCase()) || /tsf_/i.test(value) || /tsf_/i.test(name))
      throw new TesseraError(
        'FEED_CREDENTIAL_IN_URL',
        'A credential was sent in the URL of the revocation feed. URLs land in logs and proxies: send it as "Authorization: Bearer <credential>", and revoke this one ("tessera feeds revoke <name>"), since it is now in those logs.',
      );
  for (const name of params.keys())
    if (name !== 'since' && name !== 'limit')
      throw new TesseraError(
        'FEED_QUERY_INVALID',
        'The revocation feed takes only "since" and "limit" in its query.',
      );
  if (params.getAll('since').length > 1 || params.getAll('limit').length > 1)
    throw new TesseraError('FEED_QUERY_INVALID', '"since" and "limit" may each appear once.');
  const since = params.get('since') ?? '0';
  const limit = params.get('limit') ?? String(FEED_LIMITS.default);
  if (!SINCE.test(since) || !Number.isSafeInteger(Number(since)))
    throw new TesseraError(
      'FEED_QUERY_INVALID',
      '"since" is the seq of the last entry applied: a whole number, 0 or more (0 reads from the start).',
      { parameter: 'since' },
    );
  if (!LIMIT.test(limit) || Number(limit) > FEED_LIMITS.max)
    throw new TesseraError(
      'FEED_QUERY_INVALID',
      `"limit" is a whole number from 1 to ${FEED_LIMITS.max}.`,
      { parameter: 'limit', max: FEED_LIMITS.max },
    );
  return { since: Number(since), limit: Number(limit) };
}

/**
 * Builds one page from up to `limit + 1` records read after `since`: the extra record only says there
 * is more, it is not sent.
 *
 * @example
 * ```ts
 * const page = feedPage(await store.listRevocations({ afterSeq: 0, limit: 101 }), { since: 0, limit: 100 });
 * ```
 */
export function feedPage(
  records: readonly RevocationRecord[],
  query: { since: number; limit: number },
): FeedPage {
  const revocations = records.slice(0, query.limit).map((record): FeedEntry =>
    record.kind === 'session'
      ? {
          seq: record.seq,
          kind: 'session',
          sessionId: record.sessionId,
          userId: record.userId,
          at: record.at,
        }
      : {
          seq: record.seq,
          kind: 'user',
          userId: record.userId,
          revokedBefore: record.revokedBefore,
          exceptSessionId: record.exceptSessionId,
          at: record.at,
        },
  );
  return {
    revocations,
    next: revocations.at(-1)?.seq ?? query.since,
    more: records.length > query.limit,
  };
}

/** The credential from `Authorization: Bearer <credential>`; FEED_CREDENTIAL_INVALID otherwise. */
function presentedCredential(header: string | null): string {
  const match = /^Bearer +(\S+)\s*$/i.exec(header ?? '');
  if (match === null)
    throw new TesseraError(
      'FEED_CREDENTIAL_INVALID',
      'The revocation feed needs "Authorization: Bearer <credential>" with a credential from "tessera feeds create <name>".',
    );
  return match[1] as string;
}

/** The feed's route, mounted by the auth handler; 404 where no feed is configured. */
export const REVOCATION_FEED_ROUTES: Readonly<Record<string, Route>> = {
  'GET /auth/revocations': async ({ request }, deps) => {
    const feed = deps.options.revocationFeed;
    if (feed === undefined) throw new TesseraError('NOT_FOUND', 'No such endpoint.');
    const url = new URL(request.url);
    const query = readFeedQuery(url.searchParams);
    await feed.credentials.authenticate(presentedCredential(request.headers.get('authorization')));
    const records = await feed.store.listRevocations({
      afterSeq: query.since,
      limit: query.limit + 1,
    });
    const page = feedPage(records, query);
    const headers = new Headers({ 'cache-control': 'no-store' });
    if (page.more)
      headers.set('link', `<${url.pathname}?since=${page.next}&limit=${query.limit}>; rel="next"`);
    return Response.json(page, { headers });
  },
};
