// Issue 14 item 1 in Chromium: an old app left its jsonwebtoken JWT (and its refresh token) in
// localStorage; the upgraded page's client adopts it once across two tabs, the legacy keys are gone,
// unrelated keys stay, both tabs are signed in, and the token is never exchanged twice.
import { readFile } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import type { Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/adapters/node.js';
import type { TestServer } from '../http/support/server-kit.js';
import { legacyServer, legacyToken } from '../legacy/legacy-support.js';
import { launchBrowser } from './harness.js';

// The upgraded app's page: the client from the compiled package (dist/, which the suite's global setup
// builds), adopting `localStorage.token`.
const PAGE = `<!doctype html><title>app</title><script type="module">
import { createAuthClient } from '/client/auth-client.js';
import { legacyTokenAt } from '/client/legacy-readers.js';
const client = createAuthClient({
  baseUrl: location.origin,
  adoptLegacy: legacyTokenAt(localStorage, 'token', { alsoRemove: ['refreshToken'] }),
});
window.app = { client, token: client.getAccessToken().then((t) => t !== null) };
</script>`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        resolve(typeof address === 'object' && address !== null ? address.port : 0),
      );
    });
  });
}

let test: TestServer;
let http: Server;
let origin: string;
let browser: Browser;
beforeAll(async () => {
  const port = await freePort();
  origin = `http://localhost:${port}`;
  test = await legacyServer({}, {}, { 'allowed-origins': origin, issuer: origin });
  const handler = test.server.handler;
  const started = await listen(
    {
      handles: () => true,
      fetch: async (request, info) => {
        const { pathname } = new URL(request.url);
        if (/^\/(client|wire)\/[a-z][a-z-]*\.js$/.test(pathname))
          return new Response(await readFile(new URL(`../../dist${pathname}`, import.meta.url)), {
            headers: { 'content-type': 'text/javascript; charset=utf-8' },
          });
        if (pathname === '/app' || pathname === '/blank')
          return new Response(pathname === '/app' ? PAGE : '<!doctype html><title>blank</title>', {
            headers: { 'content-type': 'text/html; charset=utf-8' },
          });
        return handler.fetch(request, info);
      },
    },
    { port, host: '127.0.0.1' },
  );
  http = started.server;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((done) => (http === undefined ? done() : http.close(() => done())));
  await test?.server.close();
  test?.cleanup();
});

type AppWindow = Window & {
  app: { client: { getState(): { status: string } }; token: Promise<boolean> };
};

describe('a user signed in on the old app opens the upgraded one in two tabs', () => {
  it('is signed in through Tessera in both, with one exchange, and the legacy keys are gone', async () => {
    const context = await browser.newContext();
    try {
      const setup = await context.newPage();
      await setup.goto(`${origin}/blank`);
      const jwt = legacyToken(test, { userId: 'browser-user' });
      await setup.evaluate((token) => {
        localStorage.setItem('token', token);
        localStorage.setItem('refreshToken', 'old-opaque-refresh');
        localStorage.setItem('theme', 'dark');
      }, jwt);
      const [a, b] = await Promise.all([context.newPage(), context.newPage()]);
      await Promise.all([a.goto(`${origin}/app`), b.goto(`${origin}/app`)]);
      for (const page of [a, b]) {
        await page.waitForFunction(() => (window as unknown as AppWindow).app !== undefined);
        expect(await page.evaluate(() => (window as unknown as AppWindow).app.token)).toBe(true);
        expect(
          await page.evaluate(() => (window as unknown as AppWindow).app.client.getState().status),
        ).toBe('signed-in');
      }
      const stored = await a.evaluate(() => ({ ...localStorage }));
      expect(stored.token).toBeUndefined();
      expect(stored.refreshToken).toBeUndefined();
      expect(stored.theme).toBe('dark');
      const events = await test.server.store.listEvents({ userId: 'browser-user', limit: 20 });
      expect(
        events.map((event) => event.type).filter((type) => type.startsWith('legacy.')),
      ).toEqual(['legacy.exchanged']);
      const sessions = await test.server.store.listSessions('browser-user');
      expect(sessions).toHaveLength(1);
      expect(sessions[0]?.revokedAt).toBeNull();
      // The refresh token is in the httpOnly cookie, out of any script's reach.
      expect(await a.evaluate(() => document.cookie)).not.toContain('tsr_');
      const cookies = await context.cookies(`${origin}/auth/refresh`);
      expect(cookies.find((cookie) => cookie.name === '__Secure-tessera_rt')?.httpOnly).toBe(true);
    } finally {
      await context.close();
    }
  });
});
