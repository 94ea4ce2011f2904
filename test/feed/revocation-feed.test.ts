// GET /auth/revocations on a real Tessera server, on SQLite and on PostgreSQL: paging in commit order,
// entries that carry ids and cut times only, bad since/limit answered 400 with a stable code, and a
// credential that opens this route and nothing else. Every forged request is built here.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/http/redact-url.js';
import {
  createFeedCredentials,
  type FeedCredentials,
} from '../../src/sessions/feed-credentials.js';
import type { FeedCredentialStore } from '../../src/store/feed-credential-store.js';
import { expectProblem, type Client, type SignedIn } from '../http/support/client.js';
import { useListeningServer } from '../http/support/listening-server.js';
import type { TestServer } from '../http/support/server-kit.js';

const b64 = (bytes: number): string => randomBytes(bytes).toString('base64url');

describe.each(['sqlite', 'postgres'] as const)('revocation feed on %s', (kind) => {
  let test: TestServer;
  let client: Client;
  let feeds: FeedCredentials;
  let credential: string;
  let users: SignedIn[];
  useListeningServer(kind, 'feed', (started) => ({ test, client } = started));

  beforeAll(async () => {
    feeds = createFeedCredentials({
      store: test.server.store as typeof test.server.store & FeedCredentialStore,
      now: test.now,
    });
    ({ value: credential } = await feeds.create('billing-api'));
    // Five feed entries: four logouts (session entries) and one logout-everywhere keeping the current session (one user entry).
    users = [];
    for (let i = 0; i < 4; i += 1) users.push(await client.signup({ transport: 'body' }));
    for (const user of users)
      expect(
        (await client.call('/auth/logout', { json: { refresh_token: user.refreshToken } })).status,
      ).toBe(204);
    const extra = await client.signup({ transport: 'body' });
    expect(
      (
        await client.call('/auth/logout-all', {
          json: { keep_current: true },
          bearer: extra.accessToken,
        })
      ).status,
    ).toBe(204);
  });

  const feed = (query: string, bearer = credential): Promise<Response> =>
    client.call(`/auth/revocations${query}`, { bearer });

  it('pages the entries in commit order: next, more and a Link to the next page', async () => {
    const all = (await (await feed('?since=0&limit=1000')).json()) as {
      revocations: { seq: number }[];
    };
    const seqs = all.revocations.map((entry) => entry.seq);
    expect(seqs).toHaveLength(5);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const pages: { seqs: number[]; next: number; more: boolean; link: string | null }[] = [];
    let since = 0;
    for (;;) {
      const response = await feed(`?since=${since}&limit=2`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const page = (await response.json()) as {
        revocations: { seq: number }[];
        next: number;
        more: boolean;
      };
      pages.push({
        seqs: page.revocations.map((entry) => entry.seq),
        next: page.next,
        more: page.more,
        link: response.headers.get('link'),
      });
      since = page.next;
      if (!page.more) break;
    }
    expect(pages).toEqual([
      {
        seqs: seqs.slice(0, 2),
        next: seqs[1],
        more: true,
        link: `</auth/revocations?since=${seqs[1]}&limit=2>; rel="next"`,
      },
      {
        seqs: seqs.slice(2, 4),
        next: seqs[3],
        more: true,
        link: `</auth/revocations?since=${seqs[3]}&limit=2>; rel="next"`,
      },
      { seqs: seqs.slice(4), next: seqs[4], more: false, link: null },
    ]);
    // Caught up: an empty page keeps the position.
    expect(await (await feed(`?since=${seqs[4]}`)).json()).toEqual({
      revocations: [],
      next: seqs[4],
      more: false,
    });
  });

  it('says who and when only: session ids, user ids and cut times, no reason, address or email', async () => {
    const { revocations } = (await (await feed('')).json()) as {
      revocations: Record<string, unknown>[];
    };
    const sessionEntries = revocations.filter((entry) => entry.kind === 'session');
    expect(sessionEntries.map((entry) => entry.sessionId)).toEqual(
      users.map((user) => user.sessionId),
    );
    for (const entry of sessionEntries)
      expect(Object.keys(entry).sort()).toEqual(['at', 'kind', 'seq', 'sessionId', 'userId']);
    const [cut] = revocations.filter((entry) => entry.kind === 'user');
    expect(Object.keys(cut ?? {}).sort()).toEqual([
      'at',
      'exceptSessionId',
      'kind',
      'revokedBefore',
      'seq',
      'userId',
    ]);
    const text = JSON.stringify(revocations);
    for (const word of ['logout', 'reason', '@', '127.0.0.1', 'email'])
      expect(text).not.toContain(word);
  });

  it.each([
    ['since=-1', 'since'],
    ['since=abc', 'since'],
    ['since=1.5', 'since'],
    ['since=', 'since'],
    ['since=01', 'since'],
    ['since=99999999999999999', 'since'],
    ['since=1e3', 'since'],
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=-5', 'limit'],
  ])('answers ?%s with 400 FEED_QUERY_INVALID naming %s', async (query, parameter) => {
    const body = await expectProblem(await feed(`?${query}`), 400, 'FEED_QUERY_INVALID');
    expect(body.facts).toMatchObject({ parameter });
  });

  it.each(['since=1&since=2', 'limit=2&limit=3', 'cursor=4', 'since=0&format=xml'])(
    'answers ?%s (repeated or unknown parameters) with 400 FEED_QUERY_INVALID',
    async (query) => {
      await expectProblem(await feed(`?${query}`), 400, 'FEED_QUERY_INVALID');
    },
  );

  it('refuses a credential in the URL with its own code, also alongside a good header', async () => {
    for (const query of [
      `?credential=${encodeURIComponent(credential)}`,
      `?since=0&access_token=${encodeURIComponent(credential)}`,
      `?token=x`,
      `?since=${encodeURIComponent(credential)}`,
    ]) {
      const body = await expectProblem(await feed(query), 400, 'FEED_CREDENTIAL_IN_URL');
      expect(JSON.stringify(body)).not.toContain(credential);
    }
    // The request log redacts it too (prefix_id.secret is token-shaped to the log's redaction).
    expect(redactUrl(`/auth/revocations?credential=${credential}`)).not.toContain(credential);
    const bare = await client.call(
      `/auth/revocations?credential=${encodeURIComponent(credential)}`,
    );
    await expectProblem(bare, 400, 'FEED_CREDENTIAL_IN_URL');
  });

  it('refuses a missing, forged, tampered or foreign credential with 401 FEED_CREDENTIAL_INVALID', async () => {
    const [, id, secret] = /^tsf_([^.]+)\.(.+)$/.exec(credential) ?? [];
    const forgedId = `tsf_${b64(16)}.${secret}`;
    const wrongSecret = `tsf_${id}.${b64(32)}`;
    const flipped = `tsf_${id}.${(secret ?? '').slice(0, -1)}${secret?.endsWith('A') ? 'B' : 'A'}`;
    const user = await client.signup({ transport: 'body' });
    for (const presented of [forgedId, wrongSecret, flipped, user.accessToken, user.refreshToken]) {
      const body = await expectProblem(await feed('', presented), 401, 'FEED_CREDENTIAL_INVALID');
      expect(JSON.stringify(body)).not.toContain(presented);
    }
    const access = await expectProblem(
      await feed('', user.accessToken),
      401,
      'FEED_CREDENTIAL_INVALID',
    );
    expect(access.detail).toMatch(/access token/);
    await expectProblem(await client.call('/auth/revocations'), 401, 'FEED_CREDENTIAL_INVALID');
    await expectProblem(
      await client.call('/auth/revocations', { headers: { authorization: `Basic ${credential}` } }),
      401,
      'FEED_CREDENTIAL_INVALID',
    );
  });

  it('refuses the feed credential everywhere else: as an access token, and as a refresh token', async () => {
    await expectProblem(
      await client.call('/auth/me', { bearer: credential }),
      401,
      'TOKEN_MALFORMED',
    );
    await expectProblem(
      await client.call('/auth/sessions', { bearer: credential }),
      401,
      'TOKEN_MALFORMED',
    );
    await expectProblem(
      await client.call('/auth/refresh', { json: { refresh_token: credential } }),
      401,
      'REFRESH_TOKEN_MALFORMED',
    );
  });

  it('refuses a revoked credential with 401 FEED_CREDENTIAL_REVOKED from the next request on', async () => {
    const { value } = await feeds.create('search-api');
    expect((await feed('', value)).status).toBe(200);
    expect(await feeds.revoke('search-api')).toBe(true);
    const body = await expectProblem(await feed('', value), 401, 'FEED_CREDENTIAL_REVOKED');
    expect(body.facts).toEqual({ name: 'search-api' });
    expect((await feed('')).status).toBe(200); // the other server's credential still works
    expect((await feeds.list()).map((row) => [row.name, row.state])).toEqual([
      ['billing-api', 'live'],
      ['search-api', 'revoked'],
    ]);
  });

  it('advertises the feed in the server metadata', async () => {
    const metadata = (await (
      await client.call('/.well-known/oauth-authorization-server')
    ).json()) as Record<string, unknown>;
    expect(metadata.tessera_revocations_endpoint).toBe('https://auth.test/auth/revocations');
  });
});
