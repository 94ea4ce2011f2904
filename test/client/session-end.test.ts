// "No logout nobody asked for", end to end on the simulated world: which refresh answers end the session,
// which keep it (misconfigured, reconnecting) and retry with backoff, the one console warning, the
// COOKIE_NOT_SENT diagnosis of a browser that held a session, and the server's Tessera-Warning.
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { createMemoryStorage } from '../../src/client/token-storage.js';
import type { AuthClientOptions } from '../../src/client/types.js';
import { BASE, makeClient } from './client-harness.js';
import { createFakeServer, createWorld, problem } from './fake-auth-server.js';

let warn: MockInstance<typeof console.warn>;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});
const warnings = (): string[] => warn.mock.calls.map((call) => String(call[0]));

function setup(client: Partial<AuthClientOptions> = {}) {
  const world = createWorld();
  const server = createFakeServer(world, { ttlS: 60, graceS: 4 });
  const storage = createMemoryStorage();
  const open = (extra: Partial<AuthClientOptions> = {}) =>
    makeClient(world, server.handle, { storage, proactiveRefresh: false, ...client, ...extra });
  return { world, server, storage, open, client: open() };
}
const loggedOut = (client: ReturnType<ReturnType<typeof setup>['open']>) =>
  client.events.filter((e) => e.name === 'loggedOut').map((e) => e.event);

describe('refusals of the set-up keep the session: misconfigured', () => {
  for (const [status, code] of [
    [403, 'CSRF_FAILED'],
    [404, 'NOT_FOUND'],
    [415, 'MEDIA_TYPE_UNSUPPORTED'],
    [400, 'REQUEST_INVALID'],
  ] as const) {
    it(`${status} ${code}: keeps the token and the refresh token, warns once, retries, recovers`, async () => {
      const { world, server, storage, client } = setup();
      await client.login('ada@example.com', 'correct horse');
      const { sessionId } = client.getState();
      const stored = storage.get();
      server.faults.refreshAnswer = () => problem(status, code);
      await expect(client.refresh()).rejects.toMatchObject({ code: 'REFRESH_UNAVAILABLE' });
      expect(client.getState()).toMatchObject({
        status: 'misconfigured',
        sessionId,
        lastError: code,
        lastErrorDetail: `fake ${code}`,
      });
      expect(client.remainingMs()).not.toBeNull();
      expect(storage.get()).toBe(stored);
      // No prompt retries for a set-up problem; then the background backoff: 1, 2, 4, 8 s.
      expect(server.stats.refusedRefreshes).toBe(1);
      await world.advance(15_500);
      expect(server.stats.refusedRefreshes).toBe(5);
      expect(client.getState().status).toBe('misconfigured');
      expect(warnings()).toHaveLength(1);
      expect(warnings()[0]).toContain(code);
      expect(warnings()[0]).toMatch(/Fix: /);
      expect(client.events.filter((e) => e.name === 'error')).toHaveLength(1);
      server.faults.refreshAnswer = null;
      await world.advance(16_000);
      expect(client.getState()).toMatchObject({ status: 'signed-in', sessionId, lastError: null });
      expect(loggedOut(client)).toEqual([]);
    });
  }

  it('a non-Tessera 401 from a proxy is a set-up problem too, not a logout', async () => {
    const { server, client } = setup();
    await client.login('ada@example.com', 'correct horse');
    server.faults.refreshAnswer = () => new Response('nope', { status: 401 });
    await expect(client.refresh()).rejects.toMatchObject({ code: 'REFRESH_UNAVAILABLE' });
    expect(client.getState()).toMatchObject({ status: 'misconfigured', lastError: 'HTTP_401' });
    expect(loggedOut(client)).toEqual([]);
  });

  it('CSRF_FAILED names the allowed origins in the one warning', async () => {
    const { server, client } = setup();
    vi.stubGlobal('location', { origin: 'https://app.example.com' });
    await client.login('ada@example.com', 'correct horse');
    server.faults.refreshAnswer = () => problem(403, 'CSRF_FAILED');
    await client.refresh().catch(() => undefined);
    await client.refresh().catch(() => undefined);
    expect(warnings()).toEqual([
      expect.stringMatching(/CSRF_FAILED.*add https:\/\/app\.example\.com to .*--allowed-origins/),
    ]);
  });

  it('while degraded, API calls use the held token to its end instead of refreshing each time', async () => {
    const { world, server, client } = setup();
    await client.login('ada@example.com', 'correct horse');
    await world.advance(50_000); // inside the 12 s margin: the next call refreshes
    server.faults.refreshAnswer = () => problem(403, 'CSRF_FAILED');
    expect((await client.fetch(`${BASE}/api/hello`)).status).toBe(200);
    expect(server.stats.refusedRefreshes).toBe(1);
    for (let i = 0; i < 5; i++) expect((await client.fetch(`${BASE}/api/hello`)).status).toBe(200);
    expect(server.stats.refusedRefreshes).toBe(1);
  });
});

describe('the server away or busy: reconnecting', () => {
  for (const [status, code] of [
    [503, 'STORE_UNAVAILABLE'],
    [429, 'RATE_LIMITED'],
    [502, 'HTTP_502'],
  ] as const) {
    it(`${status} ${code}: prompt retries in the grace window, then reconnecting with the session kept`, async () => {
      const { world, server, client } = setup();
      await client.login('ada@example.com', 'correct horse');
      server.faults.refreshAnswer = () =>
        code.startsWith('HTTP_') ? new Response('bad gateway', { status }) : problem(status, code);
      const pending = client.refresh().catch((error: unknown) => error);
      await world.advance(3_000);
      expect(await pending).toMatchObject({ code: 'REFRESH_UNAVAILABLE' });
      expect(server.stats.refusedRefreshes).toBeGreaterThanOrEqual(4);
      expect(client.getState()).toMatchObject({ status: 'reconnecting', lastError: code });
      expect(client.remainingMs()).not.toBeNull();
      expect(warnings()).toHaveLength(1);
      server.faults.refreshAnswer = null;
      await world.advance(5_000);
      expect(client.getState().status).toBe('signed-in');
      expect(loggedOut(client)).toEqual([]);
    });
  }

  it('a network failure warns once with the fix, however often the retry fails', async () => {
    const { world, server, client } = setup();
    await client.login('ada@example.com', 'correct horse');
    server.faults.refuseRefreshes = 1_000;
    void client.refresh().catch(() => undefined);
    await world.advance(30_000);
    expect(server.stats.refusedRefreshes).toBeGreaterThan(6);
    expect(warnings()).toEqual([expect.stringMatching(/NETWORK.*Fix: check that https:\/\/auth/)]);
  });
});

describe('refusals that mean the session is gone: a logout with the server code', () => {
  for (const code of [
    'REFRESH_TOKEN_REUSED',
    'REFRESH_TOKEN_REVOKED',
    'REFRESH_TOKEN_EXPIRED',
    'SESSION_EXPIRED',
    'REFRESH_TOKEN_UNKNOWN',
    'REFRESH_TOKEN_MALFORMED',
    'TRANSPORT_MISMATCH',
  ]) {
    it(`${code}: loggedOut once, no retry`, async () => {
      const { world, server, storage, client } = setup();
      await client.login('ada@example.com', 'correct horse');
      server.faults.refreshAnswer = () => problem(code === 'TRANSPORT_MISMATCH' ? 400 : 401, code);
      expect(await client.refresh()).toBeNull();
      await world.advance(60_000);
      expect(server.stats.refusedRefreshes).toBe(1);
      expect(client.getState()).toMatchObject({ status: 'signed-out', loggedOutReason: code });
      expect(loggedOut(client)).toEqual([{ reason: code, detail: `fake ${code}` }]);
      expect(storage.get()).toBeNull();
    });
  }

  it('a mangled token or the wrong transport is also said in the console (a set-up bug)', async () => {
    const { server, client } = setup();
    await client.login('ada@example.com', 'correct horse');
    server.faults.refreshAnswer = () => problem(400, 'TRANSPORT_MISMATCH');
    await client.refresh();
    expect(warnings()).toEqual([expect.stringMatching(/session ended: TRANSPORT_MISMATCH/)]);
  });

  it('at start-up, a stored refresh token the server refuses is a logout: the device held a session', async () => {
    const { server, open } = setup();
    await open().login('ada@example.com', 'correct horse');
    for (const session of server.sessions.values()) session.revoked = 'logout';
    const restarted = open();
    await restarted.restore();
    expect(loggedOut(restarted)).toEqual([
      { reason: 'REFRESH_TOKEN_REVOKED', detail: 'fake REFRESH_TOKEN_REVOKED' },
    ]);
  });

  it('at start-up with nothing stored: not signed in, no logout, no reason', async () => {
    const { server, client } = setup();
    await client.restore();
    expect(client.getState()).toMatchObject({ status: 'signed-out', loggedOutReason: null });
    expect(loggedOut(client)).toEqual([]);
    expect(server.stats.refresh).toBe(0);
  });
});

describe('cookie transport: the session marker and COOKIE_NOT_SENT', () => {
  function browser(appOrigin: string) {
    const items = new Map<string, string>();
    vi.stubGlobal('localStorage', {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    });
    vi.stubGlobal('location', { origin: appOrigin });
    // The fake server reads the refresh token from the body; the cookie client sends none, as a browser
    // that keeps a cross-site cookie home sends none.
    return { items, ...setup({ transport: 'cookie' }) };
  }

  it('a first visit without a cookie is simply not signed in', async () => {
    const { items, client } = browser('http://127.0.0.1:5173');
    await client.restore();
    expect(client.getState()).toMatchObject({ status: 'signed-out', loggedOutReason: null });
    expect(loggedOut(client)).toEqual([]);
    expect(items.size).toBe(0);
    expect(warnings()).toEqual([]);
  });

  it('login marks the browser (no token, no user data); a start-up without the cookie ends once with COOKIE_NOT_SENT', async () => {
    const { items, server, open, client } = browser('http://127.0.0.1:5173');
    await client.login('ada@example.com', 'correct horse');
    expect([...items]).toEqual([['tessera:session-marker', '1']]);
    const reloaded = open();
    await reloaded.restore();
    const [event] = loggedOut(reloaded);
    expect(event).toEqual({
      reason: 'COOKIE_NOT_SENT',
      detail: expect.stringMatching(/from http:\/\/127\.0\.0\.1:5173 to https:\/\/auth\.test/),
      cookie: {
        appOrigin: 'http://127.0.0.1:5173',
        authOrigin: 'https://auth.test',
        sameSite: false,
        fix: expect.stringMatching(/one site.*--cookie-same-site None over HTTPS.*body transport/),
      },
    });
    expect(loggedOut(reloaded)).toHaveLength(1);
    expect(reloaded.getState()).toMatchObject({
      status: 'signed-out',
      loggedOutReason: 'COOKIE_NOT_SENT',
    });
    expect(items.size).toBe(0);
    expect(server.stats.refresh).toBe(1);
    expect(warnings()).toEqual([expect.stringMatching(/COOKIE_NOT_SENT.*cross-site/)]);
    // The next start is a plain "not signed in": once, not a loop.
    const again = open();
    await again.restore();
    expect(loggedOut(again)).toEqual([]);
    expect(again.getState().loggedOutReason).toBeNull();
    expect(server.stats.refresh).toBe(2);
  });

  it('mid-session, a cookie that stops arriving is COOKIE_NOT_SENT too; same-site says so', async () => {
    const { client } = browser('https://app.auth.test');
    await client.login('ada@example.com', 'correct horse');
    await client.refresh();
    expect(loggedOut(client)).toEqual([
      expect.objectContaining({
        reason: 'COOKIE_NOT_SENT',
        cookie: expect.objectContaining({ sameSite: true }),
      }),
    ]);
  });

  it('logout clears the marker', async () => {
    const { items, client } = browser('http://127.0.0.1:5173');
    await client.login('ada@example.com', 'correct horse');
    await client.logout();
    expect(items.size).toBe(0);
  });
});

describe("the server's Tessera-Warning", () => {
  it('shows in the state with its fix and is warned once, then clears when the server stops', async () => {
    const { server, client } = setup();
    server.faults.warning = 'cookie-cross-site';
    await client.login('ada@example.com', 'correct horse');
    expect(client.getState().warning).toEqual({
      code: 'cookie-cross-site',
      fix: expect.stringMatching(/one site/),
    });
    await client.refresh();
    await client.refresh();
    expect(warnings()).toEqual([expect.stringMatching(/warns cookie-cross-site\. Fix: serve/)]);
    server.faults.warning = null;
    await client.refresh();
    expect(client.getState().warning).toBeNull();
  });
});
