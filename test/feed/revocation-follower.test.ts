// followRevocations against a real Tessera server over a real port, with an injected clock: when a
// logout reaches it, how it fails closed when the feed is gone (with the numbers), how it recovers, and
// how it answers a feed that refuses its credential or sends something it must not apply.
import { describe, expect, it } from 'vitest';
import type { RevocationFollowerOptions } from '../../src/jwt/revocation-follower.js';
import type { FeedCredentials } from '../../src/sessions/feed-credentials.js';
import type { Client } from '../http/support/client.js';
import type { TestServer } from '../http/support/server-kit.js';
import { claimsOf, followerOn, thrown, useFollowerServer } from './follower-support.js';

let test: TestServer;
let client: Client;
let feeds: FeedCredentials;
let credential: string;
useFollowerServer((started) => ({ test, client, feeds, credential } = started));

const follower = (
  options: Partial<RevocationFollowerOptions> = {},
): ReturnType<typeof followerOn> => followerOn({ test, client, credential }, options);

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
