// The client's adoption of an old app's session against a real in-process Tessera server: the legacy
// JWT in (simulated) localStorage, two tabs sharing one lock, one exchange, the old copies removed and
// every unrelated key kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthClient } from '../../src/client/auth-client.js';
import { adoptionOutcome } from '../../src/client/legacy-adoption.js';
import {
  legacyTokenAt,
  legacyTokenInJson,
  type KeyValueStorage,
  type LegacyTokenSource,
} from '../../src/client/legacy-readers.js';
import { createMemoryStorage } from '../../src/client/token-storage.js';
import type { TestServer } from '../http/support/server-kit.js';
import { APP_ORIGIN } from '../http/support/server-kit.js';
import { legacyServer, legacyToken } from '../legacy/legacy-support.js';
import { createTabHub } from './fake-auth-server.js';

const BASE = 'https://auth.test';
let test: TestServer;
beforeAll(async () => {
  test = await legacyServer();
});
afterAll(async () => {
  await test.server.close();
  test.cleanup();
});

function memoryStorage(initial: Record<string, string>): KeyValueStorage & {
  entries(): Record<string, string>;
} {
  const items = new Map(Object.entries(initial));
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
    entries: () => Object.fromEntries(items),
  };
}

/** One browser: the page's origin on every request and one cookie jar for every tab. */
function browser(): (request: Request) => Promise<Response> {
  let cookie: string | undefined;
  return async (request) => {
    const headers = new Headers(request.headers);
    headers.set('origin', APP_ORIGIN);
    if (cookie !== undefined && new URL(request.url).pathname.startsWith('/auth/'))
      headers.set('cookie', cookie);
    const response = await test.server.handler.fetch(new Request(request, { headers }), {
      remoteAddress: '198.51.100.20',
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      if (!pair.startsWith('__Secure-tessera_rt=')) continue;
      cookie = /max-age=0/i.test(line) ? undefined : pair;
    }
    return response;
  };
}

function tab(
  fetch: (request: Request) => Promise<Response>,
  tabs: ReturnType<ReturnType<typeof createTabHub>['join']>,
  source: LegacyTokenSource,
) {
  return createAuthClient({
    baseUrl: BASE,
    transport: 'cookie',
    fetch,
    tabs,
    lifecycle: null,
    proactiveRefresh: false,
    adoptLegacy: source,
  });
}

async function adoptedEvents(userId: string): Promise<string[]> {
  const events = await test.server.store.listEvents({ userId, limit: 20 });
  return events.map((event) => event.type).filter((type) => type.startsWith('legacy.'));
}

describe('adoptLegacy in a browser (cookie transport)', () => {
  it('adopts once across two tabs, removes the legacy keys and keeps unrelated ones', async () => {
    const localStorage = memoryStorage({
      token: legacyToken(test, { userId: 'client-tabs' }),
      refreshToken: 'old-opaque-refresh',
      theme: 'dark',
      'cart:items': '[1,2]',
    });
    const fetch = browser();
    const hub = createTabHub();
    const source = (): LegacyTokenSource =>
      legacyTokenAt(localStorage, 'token', { alsoRemove: ['refreshToken'] });
    const [a, b] = [tab(fetch, hub.join(), source()), tab(fetch, hub.join(), source())];
    try {
      const tokens = await Promise.all([a.getAccessToken(), b.getAccessToken()]);
      expect(tokens.every((token) => typeof token === 'string')).toBe(true);
      expect(a.getState().status).toBe('signed-in');
      expect(b.getState().status).toBe('signed-in');
      expect(localStorage.entries()).toEqual({ theme: 'dark', 'cart:items': '[1,2]' });
      expect(await adoptedEvents('client-tabs')).toEqual(['legacy.exchanged']);
      const sessions = await test.server.store.listSessions('client-tabs');
      expect(sessions).toHaveLength(1);
      expect(sessions[0]?.revokedAt).toBeNull();
      // The session lives on through the ordinary refresh cookie.
      expect(typeof (await a.refresh())).toBe('string');
    } finally {
      a.close();
      b.close();
    }
  });

  it('lets a tab whose storage still shows the exchanged token sign in by the cookie, not by a replay', async () => {
    // Chromium hands localStorage writes to other renderer processes asynchronously: the second tab
    // gets the lock after the first has exchanged and removed the token, and still reads it.
    const token = legacyToken(test, { userId: 'client-stale' });
    const first = memoryStorage({ token, theme: 'dark' });
    const stale = memoryStorage({ token, theme: 'dark' });
    const fetch = browser();
    const hub = createTabHub();
    const a = tab(fetch, hub.join(), legacyTokenAt(first, 'token'));
    const b = tab(fetch, hub.join(), legacyTokenAt(stale, 'token'));
    try {
      const tokens = await Promise.all([a.getAccessToken(), b.getAccessToken()]);
      expect(tokens.every((value) => typeof value === 'string')).toBe(true);
      expect([a.getState().status, b.getState().status]).toEqual(['signed-in', 'signed-in']);
      expect(await adoptedEvents('client-stale')).toEqual(['legacy.exchanged']);
      const sessions = await test.server.store.listSessions('client-stale');
      expect(sessions).toHaveLength(1);
      expect(sessions[0]?.revokedAt).toBeNull();
      expect([first.entries(), stale.entries()]).toEqual([{ theme: 'dark' }, { theme: 'dark' }]);
    } finally {
      a.close();
      b.close();
    }
  });

  it('exchanges after all when the tab it waited for adopted nothing', async () => {
    const waiting = memoryStorage({ token: legacyToken(test, { userId: 'client-late' }) });
    const fetch = browser();
    const hub = createTabHub();
    // The first tab has no legacy token and no session: it holds the lock, then signs nobody in.
    const a = tab(fetch, hub.join(), legacyTokenAt(memoryStorage({}), 'token'));
    const b = tab(fetch, hub.join(), legacyTokenAt(waiting, 'token'));
    try {
      const [none, adopted] = await Promise.all([a.getAccessToken(), b.getAccessToken()]);
      expect(none).toBeNull();
      expect(typeof adopted).toBe('string');
      expect(b.getState().status).toBe('signed-in');
      expect(await adoptedEvents('client-late')).toEqual(['legacy.exchanged']);
      expect(waiting.entries()).toEqual({});
    } finally {
      a.close();
      b.close();
    }
  });

  it('removes a token the server refuses for good and stays signed out', async () => {
    const localStorage = memoryStorage({
      token: legacyToken(test, { userId: 'client-expired' }, { expiresInS: -5 }),
      theme: 'light',
    });
    const client = tab(browser(), createTabHub().join(), legacyTokenAt(localStorage, 'token'));
    try {
      expect(await client.getAccessToken()).toBeNull();
      expect(client.getState().status).toBe('signed-out');
      expect(localStorage.entries()).toEqual({ theme: 'light' });
    } finally {
      client.close();
    }
  });
});

describe('adoptLegacy in a native app (body transport, RFC 8693)', () => {
  it('adopts a token kept inside a stored user object and keeps the rest of the object', async () => {
    const localStorage = memoryStorage({
      user: JSON.stringify({
        name: 'Ada',
        accessToken: legacyToken(test, { userId: 'client-json' }),
        refreshToken: 'old-refresh',
      }),
    });
    const storage = createMemoryStorage();
    const client = createAuthClient({
      baseUrl: BASE,
      transport: 'body',
      storage,
      fetch: (request) => test.server.handler.fetch(request, { remoteAddress: '198.51.100.21' }),
      tabs: null,
      lifecycle: null,
      proactiveRefresh: false,
      adoptLegacy: legacyTokenInJson(localStorage, 'user.accessToken'),
    });
    try {
      expect(typeof (await client.getAccessToken())).toBe('string');
      expect(client.getState().status).toBe('signed-in');
      expect(await storage.get()).toMatch(/^tsr_/);
      expect(localStorage.entries()).toEqual({ user: JSON.stringify({ name: 'Ada' }) });
      expect(await adoptedEvents('client-json')).toEqual(['legacy.exchanged']);
    } finally {
      client.close();
    }
  });
});

describe('the readers', () => {
  it('reads malformed JSON, a missing key, an array or a non-string as nothing, and removes nothing then', () => {
    for (const stored of ['{not json', '[1]', '{"accessToken": 5}', '"text"']) {
      const localStorage = memoryStorage({ user: stored });
      const source = legacyTokenInJson(localStorage, 'user.accessToken');
      expect(source.read()).toBeNull();
      source.remove();
      expect(localStorage.entries()).toEqual({ user: stored });
    }
    expect(legacyTokenAt(memoryStorage({}), 'token').read()).toBeNull();
  });

  it('reads nested paths and a "Bearer " prefix, and deletes the key when nothing is left', () => {
    const localStorage = memoryStorage({
      auth: JSON.stringify({ session: { accessToken: 'Bearer a.b.c', refresh_token: 'r' } }),
    });
    const source = legacyTokenInJson(localStorage, 'auth.session.accessToken');
    expect(source.read()).toBe('a.b.c');
    source.remove();
    expect(localStorage.entries()).toEqual({ auth: JSON.stringify({ session: {} }) });
    const flat = memoryStorage({ user: JSON.stringify({ accessToken: 'a.b.c' }) });
    legacyTokenInJson(flat, 'user.accessToken').remove();
    expect(flat.entries()).toEqual({});
  });

  it('treats a storage that throws as empty', () => {
    const blocked: KeyValueStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => undefined,
      removeItem: () => {
        throw new Error('SecurityError');
      },
    };
    expect(legacyTokenAt(blocked, 'token').read()).toBeNull();
    expect(() => legacyTokenAt(blocked, 'token').remove()).not.toThrow();
  });
});

describe('adoptionOutcome', () => {
  it('throws copies away only for a final LEGACY_* refusal', () => {
    expect(adoptionOutcome(200, undefined)).toBe('adopted');
    expect(adoptionOutcome(400, 'LEGACY_TOKEN_REPLAYED')).toBe('refused');
    expect(adoptionOutcome(400, 'LEGACY_NOT_CONFIGURED')).toBe('kept');
    expect(adoptionOutcome(403, 'CSRF_FAILED')).toBe('kept');
    expect(adoptionOutcome(503, 'STORE_UNAVAILABLE')).toBe('kept');
    expect(adoptionOutcome(0, undefined)).toBe('kept');
  });
});
