// Browser proofs 1-4 of issue 5: the real server, Debian's Chromium, the demo page at /.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  callApi,
  clientState,
  loggedOutEvents,
  openTab,
  signUp,
  sleep,
  useBrowserSuite,
  type DemoWindow,
} from './harness.js';

const suite = useBrowserSuite({ 'access-ttl': '4s', 'refresh-grace': '5s' });

const state = clientState;

describe('proof 1: past expiry, a call refreshes and retries transparently', () => {
  it('refreshes before sending when the client knows the token has expired', async () => {
    const context = await (await suite.browser()).newContext();
    const page = await openTab(context, `${suite.server.url}/?proactive=off`);
    await signUp(page);
    await suite.server.sync();
    const before = suite.server.count('POST /auth/refresh', 200);
    await sleep(5_000);
    expect(await callApi(page)).toBe(200);
    await suite.server.sync();
    expect(suite.server.count('POST /auth/refresh', 200)).toBe(before + 1);
    expect(await loggedOutEvents(page)).toEqual([]);
    await context.close();
  });

  it('answers a TOKEN_EXPIRED 401 with one refresh and one retry when the page clock stood still', async () => {
    const context = await (await suite.browser()).newContext();
    const page = await context.newPage();
    await page.clock.install();
    await page.goto(`${suite.server.url}/`);
    await page.waitForFunction(
      () => (window as unknown as DemoWindow).tessera?.client.getState().status === 'signed-out',
    );
    await signUp(page);
    // The page's clocks stop (a frozen tab): the client believes its token is fresh; the server knows better.
    // A margin, so a busy machine cannot make the pause point lie in the page's past by the time it arrives.
    await page.clock.pauseAt(await page.evaluate(() => Date.now() + 500));
    await sleep(5_000);
    await suite.server.sync();
    const [expired, refreshed, ok] = [
      suite.server.count('GET /demo/api/hello', 401),
      suite.server.count('POST /auth/refresh', 200),
      suite.server.count('GET /demo/api/hello', 200),
    ];
    expect(await callApi(page)).toBe(200);
    await suite.server.sync();
    expect(suite.server.count('GET /demo/api/hello', 401)).toBe(expired + 1);
    expect(suite.server.count('POST /auth/refresh', 200)).toBe(refreshed + 1);
    expect(suite.server.count('GET /demo/api/hello', 200)).toBe(ok + 1);
    expect((await state(page)).status).toBe('signed-in');
    await context.close();
  });
});

describe('proof 2: five tabs, twenty concurrent requests after expiry', () => {
  it('the server sees exactly one refresh, every request succeeds, no tab is logged out', async () => {
    const context = await (await suite.browser()).newContext();
    const tabs: Page[] = [];
    for (let i = 0; i < 5; i++)
      tabs.push(await openTab(context, `${suite.server.url}/?proactive=off`));
    await suite.server.sync();
    const refreshesAtLogin = suite.server.count('POST /auth/refresh');
    // Signing in in one tab signs in all five: the token travels over the BroadcastChannel.
    await signUp(tabs[0]!);
    for (const tab of tabs)
      await tab.waitForFunction(
        () => (window as unknown as DemoWindow).tessera.client.getState().status === 'signed-in',
      );
    await sleep(4_500);
    const statuses = (
      await Promise.all(
        tabs.map((tab) =>
          tab.evaluate(async () => {
            const { client } = (window as unknown as DemoWindow).tessera;
            return Promise.all(
              Array.from({ length: 4 }, async () => (await client.fetch('/demo/api/hello')).status),
            );
          }),
        ),
      )
    ).flat();
    expect(statuses).toEqual(Array(20).fill(200));
    await suite.server.sync();
    expect(suite.server.count('POST /auth/refresh')).toBe(refreshesAtLogin + 1);
    const after = await Promise.all(tabs.map(state));
    expect(after.map((s) => s.status)).toEqual(Array(5).fill('signed-in'));
    expect(new Set(after.map((s) => s.lastRefresh?.tabId)).size).toBe(1);
    for (const tab of tabs) expect(await loggedOutEvents(tab)).toEqual([]);
    await context.close();
  });
});

describe('a new tab', () => {
  it('asks the open tabs for the access token before it refreshes', async () => {
    const context = await (await suite.browser()).newContext();
    const first = await openTab(context, `${suite.server.url}/`);
    await signUp(first);
    await suite.server.sync();
    const refreshes = suite.server.count('POST /auth/refresh');
    const late = await openTab(context, `${suite.server.url}/`);
    expect(await state(late)).toMatchObject({
      status: 'signed-in',
      lastRefresh: { source: 'tab' },
    });
    await suite.server.sync();
    expect(suite.server.count('POST /auth/refresh')).toBe(refreshes);
    await context.close();
  });
});

describe('proof 3: logout in one tab', () => {
  it('logs out every other tab, whose next request carries no token', async () => {
    const context = await (await suite.browser()).newContext();
    const first = await openTab(context, `${suite.server.url}/`);
    await signUp(first);
    const others = [
      await openTab(context, `${suite.server.url}/`),
      await openTab(context, `${suite.server.url}/`),
    ];
    const sent: (string | undefined)[] = [];
    others[0]!.on('request', (request) => {
      if (request.url().endsWith('/demo/api/hello')) sent.push(request.headers().authorization);
    });
    const clickedAt = await first.evaluate(() => {
      const at = Date.now();
      document.getElementById('logout')?.click();
      return at;
    });
    for (const tab of others)
      await tab.waitForFunction(
        () => (window as unknown as DemoWindow).tessera.client.getState().status === 'signed-out',
      );
    const propagation = [];
    for (const tab of others) {
      const [event] = await loggedOutEvents(tab);
      expect(event).toMatchObject({ reason: 'LOGGED_OUT' });
      propagation.push((event!.at as number) - clickedAt);
    }
    console.info(`[proof 3] logout propagation to other tabs: ${propagation.join(' ms, ')} ms`);
    expect(await callApi(others[0]!)).toBe(401);
    expect(sent).toEqual([undefined]);
    await context.close();
  });
});

describe('proof 4: a page clock 10 minutes off the server', () => {
  for (const offsetMinutes of [10, -10]) {
    it(`no spurious logout over several refresh cycles with the page clock ${offsetMinutes > 0 ? 'ahead' : 'behind'}`, async () => {
      const context = await (await suite.browser()).newContext();
      const page = await context.newPage();
      await page.clock.install({ time: Date.now() + offsetMinutes * 60_000 });
      await page.goto(`${suite.server.url}/`);
      await page.waitForFunction(
        () => (window as unknown as DemoWindow).tessera?.client.getState().status === 'signed-out',
      );
      await signUp(page);
      await suite.server.sync();
      const refreshes = suite.server.count('POST /auth/refresh', 200);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        await sleep(2_000);
        statuses.push(await callApi(page));
      }
      // A jump of the page's wall clock mid-session (a user fixing the time) costs at most an early refresh.
      await page.clock.setSystemTime(
        await page.evaluate((shift) => Date.now() - shift, offsetMinutes * 60_000),
      );
      statuses.push(await callApi(page));
      expect(statuses).toEqual(Array(7).fill(200));
      await suite.server.sync();
      expect(suite.server.count('POST /auth/refresh', 200) - refreshes).toBeGreaterThanOrEqual(3);
      expect(await loggedOutEvents(page)).toEqual([]);
      const offset = (await state(page)).clockOffsetMs ?? 0;
      expect(Math.round(offset / 60_000)).toBe(-offsetMinutes);
      await context.close();
    });
  }
});
