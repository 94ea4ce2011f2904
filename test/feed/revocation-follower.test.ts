// followRevocations against a real Tessera server over a real port, with an injected clock: when a
// logout reaches it, how it fails closed when the feed is gone (with the numbers), how it recovers, and
// how it answers a feed that refuses its credential or sends something it must not apply.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { withFeedEnvironment } from '../../src/adapters/feed-environment.js';
import { isTesseraError, type TesseraError } from '../../src/errors/tessera-error.js';
import { createResourceGuard } from '../../src/http/require-auth.js';
import type { AccessTokenClaims } from '../../src/jwt/claims.js';
import {
  followRevocations,
  type RevocationFollowerOptions,
} from '../../src/jwt/revocation-follower.js';
import {
  createFeedCredentials,
  type FeedCredentials,
} from '../../src/sessions/feed-credentials.js';
import type { FeedCredentialStore } from '../../src/store/feed-credential-store.js';
import type { Client, SignedIn } from '../http/support/client.js';
import { useListeningServer } from '../http/support/listening-server.js';
import { AUDIENCE, ISSUER, type TestServer } from '../http/support/server-kit.js';

const claimsOf = (user: SignedIn): AccessTokenClaims =>
  JSON.parse(
    Buffer.from(user.accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'),
  ) as AccessTokenClaims;

const thrown = (run: () => void): TesseraError | undefined => {
  try {
    run();
  } catch (error) {
    if (isTesseraError(error)) return error;
    throw error;
  }
  return undefined;
};

let test: TestServer;
let client: Client;
let feeds: FeedCredentials;
let credential: string;
useListeningServer('sqlite', 'follower', (started) => ({ test, client } = started));
beforeAll(async () => {
  feeds = createFeedCredentials({
    store: test.server.store as typeof test.server.store & FeedCredentialStore,
    now: test.now,
  });
  ({ value: credential } = await feeds.create('orders-api'));
});

/** A follower on the real feed with its own clock, a switchable outage and a count of fetches. */
function follower(options: Partial<RevocationFollowerOptions> = {}): {
  follower: ReturnType<typeof followRevocations>;
  advance: (ms: number) => void;
  setDown: (down: boolean) => void;
  fetches: () => number;
} {
  let clock = test.now();
  let down = false;
  let count = 0;
  const made = followRevocations({
    url: `${client.baseUrl}/auth/revocations`,
    credential,
    stalenessSeconds: 30,
    pollIntervalMs: 1000,
    polling: 'on-request',
    now: () => clock,
    fetch: async (input, init) => {
      count += 1;
      if (down) throw new TypeError('fetch failed');
      return fetch(input, init);
    },
    ...options,
  });
  return {
    follower: made,
    advance: (ms) => void (clock += ms),
    setDown: (value) => void (down = value),
    fetches: () => count,
  };
}

describe('following the feed', () => {
  it('refuses a logged-out session once the next sync after the logout has run', async () => {
    const { follower: view, advance, fetches } = follower();
    const user = await client.signup({ transport: 'body' });
    await view.refresh();
    expect(thrown(() => view.assertNotRevoked(claimsOf(user)))).toBeUndefined();
    await client.call('/auth/logout', { json: { refresh_token: user.refreshToken } });
    // Within the poll interval no request syncs: the logout is not known yet.
    advance(900);
    const before = fetches();
    await view.refresh();
    expect(fetches()).toBe(before);
    expect(thrown(() => view.assertNotRevoked(claimsOf(user)))).toBeUndefined();
    advance(200);
    await view.refresh();
    expect(fetches()).toBe(before + 1);
    expect(thrown(() => view.assertNotRevoked(claimsOf(user)))?.code).toBe('TOKEN_REVOKED');
  });

  it("applies a logout-everywhere cut to the user's other sessions, not to the one it kept", async () => {
    const { follower: view, advance } = follower();
    const first = await client.signup({ transport: 'body' });
    const second = await client.login(first, { transport: 'body' });
    await view.refresh();
    advance(1500); // a new second: the cut refuses tokens issued in earlier seconds only
    test.setClock(test.now() + 1500);
    try {
      await client.call('/auth/logout-all', {
        json: { keep_current: true },
        bearer: second.accessToken,
      });
    } finally {
      test.setClock(undefined);
    }
    await view.refresh();
    expect(thrown(() => view.assertNotRevoked(claimsOf(first)))?.code).toBe('TOKEN_REVOKED');
    expect(thrown(() => view.assertNotRevoked(claimsOf(second)))).toBeUndefined();
  });

  it('shares one fetch among the requests that arrive while it syncs', async () => {
    const { follower: view, fetches } = follower();
    await Promise.all(Array.from({ length: 20 }, () => view.refresh()));
    expect(fetches()).toBe(1);
  });
});

describe('failing closed', () => {
  it('keeps serving within the bound while the feed is down, then refuses with the age and the bound', async () => {
    const { follower: view, advance, setDown } = follower();
    const user = await client.signup({ transport: 'body' });
    await view.refresh();
    setDown(true);
    advance(29_000);
    await view.refresh();
    expect(view.lastFailure?.code).toBe('REVOCATION_STALE');
    expect(thrown(() => view.assertNotRevoked(claimsOf(user)))).toBeUndefined();
    advance(2_000);
    await view.refresh();
    const stale = thrown(() => view.assertNotRevoked(claimsOf(user)));
    expect(stale?.code).toBe('REVOCATION_STALE');
    expect(stale?.facts).toEqual({ ageSeconds: 31, maxStalenessSeconds: 30 });
    expect(stale?.message).toMatch(/31 s.*bound 30 s.*TypeError/);
  });

  it('recovers on the first request after the feed returns, and learns what happened meanwhile', async () => {
    const { follower: view, advance, setDown } = follower();
    const user = await client.signup({ transport: 'body' });
    await view.refresh();
    setDown(true);
    await client.call('/auth/logout', { json: { refresh_token: user.refreshToken } });
    advance(40_000);
    await view.refresh();
    expect(thrown(() => view.assertNotRevoked(claimsOf(user)))?.code).toBe('REVOCATION_STALE');
    setDown(false);
    advance(1_001); // a failed sync is retried after one poll interval, not on every request
    await view.refresh();
    expect(view.lastFailure).toBeUndefined();
    expect(thrown(() => view.assertNotRevoked(claimsOf(user)))?.code).toBe('TOKEN_REVOKED');
    const other = await client.signup({ transport: 'body' });
    expect(thrown(() => view.assertNotRevoked(claimsOf(other)))).toBeUndefined();
  });

  it('refuses every token until its first sync succeeds', async () => {
    const { follower: view, setDown } = follower();
    setDown(true);
    await view.refresh();
    const error = thrown(() => view.assertNotRevoked({ sid: 's', sub: 'u', iat: 1 } as never));
    expect(error?.code).toBe('REVOCATION_STALE');
    expect(error?.facts).toEqual({ ageSeconds: null, maxStalenessSeconds: 30 });
    expect(error?.message).toMatch(/never synced/);
  });

  it('names a refused credential with its own code once the bound has passed', async () => {
    const { value } = await feeds.create('doomed-api');
    const { follower: view, advance } = follower({ credential: value });
    const user = await client.signup({ transport: 'body' });
    await view.refresh();
    await feeds.revoke('doomed-api');
    advance(1_001);
    await view.refresh();
    expect(view.lastFailure?.code).toBe('FEED_CREDENTIAL_REFUSED');
    expect(thrown(() => view.assertNotRevoked(claimsOf(user)))).toBeUndefined();
    advance(30_000);
    const refused = thrown(() => view.assertNotRevoked(claimsOf(user)));
    expect(refused?.code).toBe('FEED_CREDENTIAL_REFUSED');
    expect(refused?.facts).toEqual({ ageSeconds: 31, maxStalenessSeconds: 30, status: 401 });
    expect(refused?.message).not.toContain(value);
  });
});

describe('polling', () => {
  it('in the background: one unref-able timer started by the first request, stopped by stop()', async () => {
    const scheduled: { run: () => void; ms: number; cancelled: boolean }[] = [];
    const { follower: view, fetches } = follower({
      polling: 'background',
      schedule: (run, ms) => {
        const entry = { run, ms, cancelled: false };
        scheduled.push(entry);
        return () => void (entry.cancelled = true);
      },
    });
    expect(scheduled).toHaveLength(0); // nothing runs before a request needs it
    await view.refresh();
    expect(scheduled.map((entry) => entry.ms)).toEqual([1000]);
    expect(fetches()).toBe(1);
    scheduled[0]?.run();
    await view.sync();
    await new Promise((done) => setImmediate(done));
    expect(fetches()).toBe(2);
    expect(scheduled).toHaveLength(2);
    view.stop();
    expect(scheduled[1]?.cancelled).toBe(true);
  });

  it('in the background, a request syncs itself only when the timer is half a bound behind', async () => {
    const {
      follower: view,
      advance,
      fetches,
    } = follower({
      polling: 'background',
      schedule: () => () => undefined,
    });
    await view.refresh();
    advance(14_000);
    await view.refresh();
    expect(fetches()).toBe(1);
    advance(1_001);
    await view.refresh();
    expect(fetches()).toBe(2);
  });
});

describe('a feed answer it must not apply', () => {
  const entry = { seq: 1, kind: 'session', sessionId: 'victim', userId: 'u', at: Date.now() };
  it.each([
    [
      'a redirect',
      () => new Response(null, { status: 302, headers: { location: 'https://x' } }),
      /HTTP 302/,
    ],
    ['a server error', () => new Response('oops', { status: 500 }), /HTTP 500/],
    ['HTML', () => new Response('<html>', { status: 200 }), /not JSON/],
    ['no list', () => Response.json({ next: 0, more: false }), /no "revocations"/],
    [
      'a bad entry after a good one',
      () =>
        Response.json({ revocations: [entry, { seq: 2, kind: 'session' }], next: 2, more: false }),
      /entry 1 is not a revocation/,
    ],
    [
      'entries out of order',
      () => Response.json({ revocations: [entry, { ...entry, seq: 1 }], next: 1, more: false }),
      /out of order/,
    ],
    [
      'a next that is not the last entry',
      () => Response.json({ revocations: [entry], next: 9, more: false }),
      /"next"/,
    ],
    [
      'more with nothing',
      () => Response.json({ revocations: [], next: 0, more: true }),
      /"more" with no entries/,
    ],
    ['an oversized body', () => new Response(' '.repeat(4 * 1024 * 1024 + 1)), /oversized/],
  ])('%s: applies nothing, keeps its position, says why', async (_name, answer, why) => {
    const view = followRevocations({
      url: 'https://auth.example.com/auth/revocations',
      credential,
      polling: 'on-request',
      fetch: async () => answer(),
    });
    await expect(view.sync()).rejects.toMatchObject({ code: 'REVOCATION_STALE' });
    expect(view.lastFailure?.message).toMatch(why);
    expect(view.position.seq).toBe(0);
    expect(view.position.syncedAt).toBe(Number.NEGATIVE_INFINITY);
  });

  it('sends the credential as a Bearer header, never in the URL, and never follows a redirect', async () => {
    const seen: { url: string; init: RequestInit | undefined }[] = [];
    const view = followRevocations({
      url: 'https://auth.example.com/auth/revocations',
      credential,
      polling: 'on-request',
      fetch: async (input, init) => {
        seen.push({ url: String(input), init });
        return Response.json({ revocations: [], next: 0, more: false });
      },
    });
    await view.sync();
    expect(seen[0]?.url).toBe('https://auth.example.com/auth/revocations?since=0&limit=1000');
    expect(seen[0]?.url).not.toContain('tsf_');
    expect((seen[0]?.init?.headers as Record<string, string>).authorization).toBe(
      `Bearer ${credential}`,
    );
    expect(seen[0]?.init?.redirect).toBe('manual');
  });
});

describe('configuration', () => {
  const good = { url: 'https://auth.example.com/auth/revocations', credential: '' };
  it.each<[string, Partial<RevocationFollowerOptions>]>([
    ['plain http off localhost', { url: 'http://auth.example.com/auth/revocations' }],
    ['a query in the URL', { url: 'https://auth.example.com/auth/revocations?credential=x' }],
    ['not a URL', { url: 'auth/revocations' }],
    ['an access token for a credential', { credential: 'eyJhbGciOi.eyJzdWIi.sig' }],
    ['an empty credential', { credential: '' }],
    ['a poll interval at the bound', { pollIntervalMs: 30_000, stalenessSeconds: 30 }],
    ['a zero bound', { stalenessSeconds: 0 }],
    ['a timeout of no time', { timeoutMs: 0 }],
  ])('refuses %s at construction with CONFIG_INVALID', (_name, override) => {
    const options = { ...good, credential, ...override };
    let error: unknown;
    try {
      followRevocations(options);
    } catch (caught) {
      error = caught;
    }
    expect(isTesseraError(error, 'CONFIG_INVALID')).toBe(true);
    if (override.credential !== undefined && override.credential !== '')
      expect((error as Error).message).not.toContain(override.credential);
  });

  it("reads 'follow' from TESSERA_FEED_CREDENTIAL in the Node adapters, and refuses it unresolved", () => {
    const base = {
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUrl: `${ISSUER}/.well-known/jwks.json`,
    };
    const resolved = withFeedEnvironment(
      { ...base, revocations: 'follow' },
      { TESSERA_FEED_CREDENTIAL: credential },
    );
    expect(resolved.revocations).toEqual({ follow: { credential } });
    expect(createResourceGuard(resolved).followsRevocations).toBe(true);
    expect(() =>
      createResourceGuard(withFeedEnvironment({ ...base, revocations: 'follow' }, {})),
    ).toThrow(/TESSERA_FEED_CREDENTIAL/);
    expect(() => createResourceGuard({ ...base, revocations: 'follow' })).toThrow(
      /\{ follow: \{ credential \} \}/,
    );
  });

  it('imports nothing of Node: only errors and its own jwt siblings, no Buffer, no process', () => {
    for (const file of ['revocation-follower.ts', 'revocation-set.ts', 'feed-answer.ts']) {
      // Code only: the TSDoc examples show Node usage (process.env) on purpose.
      const source = readFileSync(new URL(`../../src/jwt/${file}`, import.meta.url), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      const imports = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1]);
      for (const path of imports) expect(path).toMatch(/^(\.\.\/errors\/|\.\/)/);
      expect(source).not.toMatch(/\bBuffer\b|\bprocess\b|node:/);
    }
  });
});
