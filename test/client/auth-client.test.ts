import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/client/token-storage.js';
import type { AuthClientOptions } from '../../src/client/types.js';
import { BASE, makeClient } from './client-harness.js';
import { createFakeServer, createWorld } from './fake-auth-server.js';

function setup(
  options: { ttlS?: number; graceS?: number; client?: Partial<AuthClientOptions> } = {},
) {
  const world = createWorld();
  const server = createFakeServer(world, options);
  const client = makeClient(world, server.handle, options.client);
  return { world, server, client };
}

describe('a 401 from the API', () => {
  it('refreshes once and retries the original request once on TOKEN_EXPIRED', async () => {
    const { world, server, client } = setup();
    await client.login('ada@example.com', 'correct horse');
    world.advanceServer(61_000);
    const response = await client.fetch(`${BASE}/api/hello`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ hello: 'ada@example.com' });
    expect(server.stats).toMatchObject({ refresh: 1, api: 2 });
    expect(server.stats.authorizations[0]).not.toBe(server.stats.authorizations[1]);
    expect(client.getState().status).toBe('signed-in');
  });

  it('never loops: a second 401 after the refresh goes back to the caller', async () => {
    const { server, client } = setup();
    await client.login('ada@example.com', 'correct horse');
    server.faults.apiAlways401 = true;
    const response = await client.fetch(`${BASE}/api/hello`);
    expect(response.status).toBe(401);
    expect(server.stats).toMatchObject({ refresh: 1, api: 2 });
  });

  it('logs out with the server reason when the refresh is refused, without retrying', async () => {
    const { world, server, client } = setup();
    await client.login('ada@example.com', 'correct horse');
    for (const session of server.sessions.values()) session.revoked = 'reuse';
    world.advanceServer(61_000);
    const response = await client.fetch(`${BASE}/api/hello`);
    expect(response.status).toBe(401);
    expect(server.stats).toMatchObject({ refresh: 1, api: 1 });
    expect(client.getState()).toMatchObject({
      status: 'signed-out',
      loggedOutReason: 'REFRESH_TOKEN_REVOKED',
    });
    expect(client.events.filter((e) => e.name === 'loggedOut').map((e) => e.event)).toEqual([
      { reason: 'REFRESH_TOKEN_REVOKED', detail: 'fake REFRESH_TOKEN_REVOKED' },
    ]);
    // Signed out: the next request goes without a token and triggers no refresh.
    const next = await client.fetch(`${BASE}/api/hello`);
    expect(next.status).toBe(401);
    expect(server.stats).toMatchObject({ refresh: 1, api: 2 });
    expect(server.stats.authorizations[1]).toBeNull();
  });

  it('leaves other failures alone: no refresh for a 403 or a non-refreshable 401', async () => {
    const { server, client } = setup();
    await client.login('ada@example.com', 'correct horse');
    expect((await client.fetch(`${BASE}/api/forbidden`)).status).toBe(403);
    expect(server.stats.refresh).toBe(0);
  });

  it('shares one refresh among concurrent requests that hit expiry together', async () => {
    const { world, server, client } = setup();
    await client.login('ada@example.com', 'correct horse');
    world.advanceServer(61_000);
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => client.fetch(`${BASE}/api/hello`)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(server.stats.refresh).toBe(1);
  });

  it('sends the access token only to its own origins', async () => {
    const seen: (string | null)[] = [];
    const { world } = setup();
    const server = createFakeServer(world);
    const client = makeClient(world, async (request) => {
      if (new URL(request.url).origin !== BASE) {
        seen.push(request.headers.get('authorization'));
        return new Response('ok');
      }
      return server.handle(request);
    });
    await client.login('ada@example.com', 'correct horse');
    await client.fetch('https://tracker.example/pixel');
    expect(seen).toEqual([null]);
  });
});

describe('time', () => {
  it('ignores a device clock hours off: refreshes by expires_in, not by exp', async () => {
    const { world, server, client } = setup({ ttlS: 60 });
    world.setSkew(-6 * 3600_000);
    await client.login('ada@example.com', 'correct horse');
    const first = await client.getAccessToken();
    await world.advance(30_000);
    expect(await client.getAccessToken()).toBe(first);
    expect(server.stats.refresh).toBe(0);
    // Proactive refresh one margin (12 s for a 60 s token, give or take the tab's jitter) before the end.
    await world.advance(25_000);
    expect(server.stats.refresh).toBe(1);
    expect((await client.fetch(`${BASE}/api/hello`)).status).toBe(200);
  });

  it('counts sleep that the monotonic clock missed, and never sends the stale token', async () => {
    const { world, server, client } = setup({ ttlS: 60, client: { proactiveRefresh: false } });
    await client.login('ada@example.com', 'correct horse');
    const before = await client.getAccessToken();
    world.sleep(10 * 60_000);
    const response = await client.fetch(`${BASE}/api/hello`);
    expect(response.status).toBe(200);
    expect(server.stats.authorizations).toEqual([`Bearer ${await client.getAccessToken()}`]);
    expect(server.stats.authorizations[0]).not.toBe(`Bearer ${before}`);
    expect(server.stats.refresh).toBe(1);
  });

  it('a wall clock set back mid-session changes nothing: the monotonic clock still counts', async () => {
    const { world, server, client } = setup({ ttlS: 60, client: { proactiveRefresh: false } });
    await client.login('ada@example.com', 'correct horse');
    world.setSkew(-3600_000);
    await world.advance(59_000);
    expect((await client.fetch(`${BASE}/api/hello`)).status).toBe(200);
    expect(server.stats).toMatchObject({ refresh: 1, api: 1 });
  });

  it('measures the server clock offset with the round trip halved', async () => {
    const { world, client } = setup();
    world.setSkew(-600_000);
    expect(await client.measureClockOffset()).toBe(600_000);
    expect(client.getState().clockOffsetMs).toBe(600_000);
  });
});

describe('network failures during refresh', () => {
  it('a lost refresh answer is retried inside the grace window and gets the same successor', async () => {
    const { world, server, client } = setup({ client: { proactiveRefresh: false } });
    await client.login('ada@example.com', 'correct horse');
    world.advanceServer(61_000);
    server.faults.dropRefreshResponses = 1;
    const pending = client.fetch(`${BASE}/api/hello`);
    await world.advance(1_000);
    expect((await pending).status).toBe(200);
    expect(server.stats.refresh).toBe(2);
    expect(client.getState().lastRefresh).toMatchObject({ source: 'refresh', grace: true });
    expect(client.events.some((e) => e.name === 'loggedOut')).toBe(false);
  });

  it('an unreachable server is not a logout: it reports reconnecting, backs off, and recovers', async () => {
    const { world, server, client } = setup({ graceS: 4, client: { proactiveRefresh: false } });
    await client.login('ada@example.com', 'correct horse');
    world.advanceServer(61_000);
    server.faults.refuseRefreshes = 1_000;
    const pending = client.fetch(`${BASE}/api/hello`).catch((error: unknown) => error);
    await world.advance(5_000);
    expect(await pending).toMatchObject({ name: 'AuthClientError', code: 'REFRESH_UNAVAILABLE' });
    // Prompt retries inside half the 4 s grace window (200, 400, 800 ms), then the background backoff.
    expect(server.stats.refusedRefreshes).toBeGreaterThanOrEqual(4);
    expect(client.getState()).toMatchObject({ status: 'reconnecting', lastError: 'NETWORK' });
    expect(client.events.map((e) => e.name)).toEqual(['tokenRefreshed', 'error']);
    server.faults.refuseRefreshes = 0;
    await world.advance(5_000);
    expect(server.stats.refresh).toBe(1);
    expect(client.getState().status).toBe('signed-in');
    expect((await client.fetch(`${BASE}/api/hello`)).status).toBe(200);
  });
});

describe('body transport', () => {
  it('keeps the rotated refresh token in the storage adapter and removes it on logout', async () => {
    const world = createWorld();
    const server = createFakeServer(world);
    const storage = createMemoryStorage();
    const client = makeClient(world, server.handle, { storage });
    await client.login('ada@example.com', 'correct horse');
    const first = storage.get();
    await client.refresh();
    expect(storage.get()).not.toBe(first);
    expect([...server.sessions.values()][0]?.current).toBe(storage.get());
    await client.logout();
    expect(storage.get()).toBeNull();
    expect([...server.sessions.values()][0]?.revoked).toBe('logout');
  });

  it('restores a session from storage on a new start', async () => {
    const world = createWorld();
    const server = createFakeServer(world);
    const storage = createMemoryStorage();
    await makeClient(world, server.handle, { storage }).login('ada@example.com', 'correct horse');
    const restarted = makeClient(world, server.handle, { storage });
    expect((await restarted.fetch(`${BASE}/api/hello`)).status).toBe(200);
    expect(server.stats.refresh).toBe(1);
  });
});
