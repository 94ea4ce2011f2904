import { describe, expect, it } from 'vitest';
import { createBrowserTabSync } from '../../src/client/tab-sync.js';
import { createMemoryStorage } from '../../src/client/token-storage.js';
import { BASE, makeClient } from './client-harness.js';
import { createFakeServer, createTabHub, createWorld, flush } from './fake-auth-server.js';

// One simulated browser: tabs share the lock, the channel and (standing in for the cookie jar) the storage.
function browser(tabCount: number, options: { ttlS?: number } = {}) {
  const world = createWorld();
  const server = createFakeServer(world, options);
  const hub = createTabHub();
  const jar = createMemoryStorage();
  const open = (extra = {}) =>
    makeClient(world, server.handle, {
      storage: jar,
      tabs: hub.join(),
      proactiveRefresh: false,
      ...extra,
    });
  const tabs = Array.from({ length: tabCount }, () => open());
  return { world, server, tabs, open };
}

describe('across tabs', () => {
  it('one refresh for the whole browser when every tab hits expiry at once', async () => {
    const { world, server, tabs } = browser(5);
    await tabs[0]!.login('ada@example.com', 'correct horse');
    await flush();
    expect(tabs.map((tab) => tab.getState().status)).toEqual(Array(5).fill('signed-in'));
    world.advanceServer(61_000);
    const responses = await Promise.all(
      tabs.flatMap((tab) => Array.from({ length: 4 }, () => tab.fetch(`${BASE}/api/hello`))),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(server.stats.refresh).toBe(1);
    expect(tabs.map((tab) => tab.getState().status)).toEqual(Array(5).fill('signed-in'));
  });

  it('a tab that waited for the lock takes the token another tab just got', async () => {
    const { world, server, tabs } = browser(2, { ttlS: 60 });
    await tabs[0]!.login('ada@example.com', 'correct horse');
    await world.advance(59_000);
    const [a, b] = await Promise.all([tabs[0]!.refresh(), tabs[1]!.refresh()]);
    expect(a).toBe(b);
    expect(server.stats.refresh).toBe(1);
    expect(tabs[1]!.getState().lastRefresh).toMatchObject({
      source: 'tab',
      tabId: tabs[0]!.getState().tabId,
    });
  });

  it('a new tab asks the open tabs before refreshing', async () => {
    const { world, server, tabs, open } = browser(1);
    await tabs[0]!.login('ada@example.com', 'correct horse');
    const late = open();
    const restoring = late.restore();
    await world.advance(200);
    await restoring;
    expect(late.getState().status).toBe('signed-in');
    expect(await late.getAccessToken()).toBe(await tabs[0]!.getAccessToken());
    expect(server.stats.refresh).toBe(0);
  });

  it('a logout in one tab reaches every tab, and their next request carries no token', async () => {
    const { server, tabs } = browser(3);
    await tabs[0]!.login('ada@example.com', 'correct horse');
    await flush();
    await tabs[1]!.logout();
    await flush();
    expect(tabs.map((tab) => tab.getState())).toMatchObject(
      Array(3).fill({ status: 'signed-out', loggedOutReason: 'LOGGED_OUT' }),
    );
    expect(tabs[2]!.events.filter((e) => e.name === 'loggedOut').map((e) => e.event)).toEqual([
      { reason: 'LOGGED_OUT', detail: 'You signed out.' },
    ]);
    const response = await tabs[2]!.fetch(`${BASE}/api/hello`);
    expect(response.status).toBe(401);
    expect(server.stats.authorizations).toEqual([null]);
    expect(server.stats.refresh).toBe(0);
  });

  it('the storage-event fallback never writes a token to storage', async () => {
    const items = new Map<string, string>();
    const written: string[] = [];
    const localStorage = {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => {
        written.push(value);
        items.set(key, value);
      },
    } as unknown as Storage;
    const sync = createBrowserTabSync({
      name: BASE,
      scope: { localStorage, addEventListener: () => undefined },
    });
    sync.publishGeneration(4);
    sync.post({
      t: 'token',
      from: sync.tabId,
      token: 'at-secret',
      remainingMs: 1000,
      gen: 4,
      sid: 's',
      ms: 3,
      grace: false,
      source: 'refresh',
      by: sync.tabId,
    });
    expect(sync.sharedGeneration()).toBe(4);
    expect(written.join('\n')).not.toContain('at-secret');
    expect(written.some((value) => value.includes('"t":"token"'))).toBe(true);
  });
});

describe('a logout racing a refresh in another tab', () => {
  it('wins: the refresh cannot sign the browser back in', async () => {
    const { world, server, tabs } = browser(2, { ttlS: 60 });
    await tabs[0]!.login('ada@example.com', 'correct horse');
    await flush();
    await world.advance(59_000);
    const refreshing = tabs[1]!.refresh();
    const leaving = tabs[0]!.logout();
    await Promise.all([refreshing, leaving]);
    await flush();
    expect(tabs.map((tab) => tab.getState().status)).toEqual(['signed-out', 'signed-out']);
    expect([...server.sessions.values()][0]?.revoked).toBe('logout');
  });
});
