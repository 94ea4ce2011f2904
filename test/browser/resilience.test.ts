// "No logout nobody asked for" in Chromium: a refresh refused by the set-up (CSRF, origin not allowed)
// keeps the session as `misconfigured`; a refresh cookie the browser keeps home (a cross-site pair of
// origins) ends once as COOKIE_NOT_SENT, naming both origins; a server that is down or failing keeps the
// session as `reconnecting` until it is back.
import type { BrowserContext, Page } from 'playwright-core';
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

// Both names of this machine are allowed: localhost serves the demo, 127.0.0.1 is the "other site" app.
const suite = useBrowserSuite({
  'access-ttl': '4s',
  'refresh-grace': '4s',
  'allowed-origins': 'http://localhost:{port},http://127.0.0.1:{port}',
});

const state = clientState;
const refreshNow = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as DemoWindow).tessera.client.refresh().then(
      () => 'ok',
      (error: { code?: string }) => error.code ?? String(error),
    ),
  );
const remaining = (page: Page) =>
  page.evaluate(() => (window as unknown as DemoWindow).tessera.client.remainingMs());
const waitForStatus = (page: Page, status: string, timeout = 20_000) =>
  page.waitForFunction(
    (wanted) => (window as unknown as DemoWindow).tessera?.client.getState().status === wanted,
    status,
    { timeout },
  );
/** The client's console warnings (it prefixes them `tessera:`), collected from now on. */
function tesseraWarnings(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'warning' && message.text().startsWith('tessera:'))
      seen.push(message.text());
  });
  return seen;
}
const refreshCookie = async (context: BrowserContext) =>
  (await context.cookies(`${suite.server.url}/auth/refresh`)).find(
    (c) => c.name === '__Secure-tessera_rt',
  )?.value;

describe('(a) a refresh refused with CSRF_FAILED: the app origin is not allowed', () => {
  it('is misconfigured with the code, keeps the session, warns once, never logs out, recovers', async () => {
    const context = await (await suite.browser()).newContext();
    const page = await openTab(context, `${suite.server.url}/?proactive=off`);
    const warnings = tesseraWarnings(page);
    await signUp(page);
    const { sessionId } = await state(page);
    const cookie = await refreshCookie(context);
    expect(cookie).toMatch(/^tsr_/);
    // The operator redeploys with an allow-list that forgot this app.
    await suite.server.restart({ 'allowed-origins': 'https://app.example.com' });
    expect(await refreshNow(page)).toBe('REFRESH_UNAVAILABLE');
    expect(await state(page)).toMatchObject({
      status: 'misconfigured',
      sessionId,
      lastError: 'CSRF_FAILED',
      lastErrorDetail: expect.stringMatching(/allowed origins/),
      loggedOutReason: null,
    });
    expect(await remaining(page)).not.toBeNull();
    expect(await refreshCookie(context)).toBe(cookie);
    // The background retries (1 s, then 2 s later) are refused too, and say nothing new.
    await sleep(3_500);
    await suite.server.sync();
    expect(suite.server.count('POST /auth/refresh', 403)).toBeGreaterThanOrEqual(3);
    expect(warnings).toEqual([
      expect.stringMatching(/CSRF_FAILED.*add http:\/\/localhost:\d+ to .*--allowed-origins/),
    ]);
    expect(await page.textContent('#status')).toBe('misconfigured');
    expect(await page.textContent('#problem')).toMatch(/^CSRF_FAILED: .*allowed origins/);
    expect(await loggedOutEvents(page)).toEqual([]);
    // Fixed: the next background retry picks the same session up again.
    await suite.server.restart();
    await waitForStatus(page, 'signed-in');
    expect((await state(page)).sessionId).toBe(sessionId);
    expect(await callApi(page)).toBe(200);
    expect(await loggedOutEvents(page)).toEqual([]);
    expect(warnings).toHaveLength(1);
    await context.close();
  });
});

describe('(b) an app on another site: http://127.0.0.1 in front of an auth server on http://localhost', () => {
  it('signs in, and on reload ends once with COOKIE_NOT_SENT naming both origins, same-site false', async () => {
    const context = await (await suite.browser()).newContext();
    const appOrigin = suite.server.url.replace('localhost', '127.0.0.1');
    const url = `${appOrigin}/?proactive=off&auth=${encodeURIComponent(suite.server.url)}`;
    const page = await openTab(context, url);
    const warnings = tesseraWarnings(page);
    // A first visit is not a logout.
    expect(await loggedOutEvents(page)).toEqual([]);
    expect((await state(page)).loggedOutReason).toBeNull();
    const loginAnswer = page.waitForResponse((r) => r.url().endsWith('/auth/signup'));
    await signUp(page);
    expect((await state(page)).sessionId).not.toBeNull();
    // Chromium took the access token but refused the SameSite=Lax cookie of a cross-site response.
    expect(await refreshCookie(context)).toBeUndefined();
    // The server warned of the cross-site pair; the client shows it with the fix, and says it once.
    expect((await (await loginAnswer).allHeaders())['tessera-warning']).toBe('cookie-cross-site');
    expect((await state(page)).warning).toEqual({
      code: 'cookie-cross-site',
      fix: expect.stringMatching(/one site/),
    });
    expect(await page.textContent('#warning')).toMatch(/^cookie-cross-site: serve the app/);
    expect(warnings).toEqual([expect.stringMatching(/warns cookie-cross-site\. Fix: serve/)]);
    await suite.server.sync();
    const refreshes = suite.server.count('POST /auth/refresh');
    await page.reload();
    await waitForStatus(page, 'signed-out');
    const events = await loggedOutEvents(page);
    expect(events).toEqual([
      expect.objectContaining({
        reason: 'COOKIE_NOT_SENT',
        detail: expect.stringContaining(`from ${appOrigin} to ${suite.server.url} (cross-site)`),
        cookie: {
          appOrigin,
          authOrigin: suite.server.url,
          sameSite: false,
          fix: expect.stringMatching(
            /one site.*--cookie-same-site None over HTTPS.*body transport/,
          ),
        },
      }),
    ]);
    expect(await page.textContent('#reason')).toMatch(/^COOKIE_NOT_SENT: /);
    expect(warnings.filter((w) => w.includes('COOKIE_NOT_SENT'))).toHaveLength(1);
    // Once, not a retry loop: one refresh at start-up, none after it.
    await sleep(1_500);
    await suite.server.sync();
    expect(suite.server.count('POST /auth/refresh')).toBe(refreshes + 1);
    // The next start is a plain first visit again: the marker went with the session.
    await page.reload();
    await waitForStatus(page, 'signed-out');
    expect(await loggedOutEvents(page)).toEqual([]);
    expect((await state(page)).loggedOutReason).toBeNull();
    await context.close();
  });
});

describe('(c) the server down or failing during a refresh', () => {
  it('a network failure: reconnecting, session and cookie kept, one warning, recovers when it is back', async () => {
    const context = await (await suite.browser()).newContext();
    const page = await openTab(context, `${suite.server.url}/?proactive=off`);
    const warnings = tesseraWarnings(page);
    await signUp(page);
    const { sessionId } = await state(page);
    const cookie = await refreshCookie(context);
    await suite.server.stop();
    expect(await refreshNow(page)).toBe('REFRESH_UNAVAILABLE');
    expect(await state(page)).toMatchObject({
      status: 'reconnecting',
      sessionId,
      lastError: 'NETWORK',
    });
    expect(await remaining(page)).not.toBeNull();
    expect(await refreshCookie(context)).toBe(cookie);
    await sleep(2_500);
    expect(warnings).toEqual([
      expect.stringMatching(/NETWORK.*Fix: check that http:\/\/localhost/),
    ]);
    expect(await page.textContent('#status')).toBe('reconnecting');
    await suite.server.restart();
    await waitForStatus(page, 'signed-in');
    expect((await state(page)).sessionId).toBe(sessionId);
    expect(await callApi(page)).toBe(200);
    expect(await loggedOutEvents(page)).toEqual([]);
    await context.close();
  });

  it('a 503 from the server: reconnecting with its code, then signed in again on the same session', async () => {
    const context = await (await suite.browser()).newContext();
    const page = await openTab(context, `${suite.server.url}/?proactive=off`);
    await signUp(page);
    const { sessionId } = await state(page);
    await page.route('**/auth/refresh', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          code: 'STORE_UNAVAILABLE',
          detail: 'The session store is unavailable.',
        }),
      }),
    );
    expect(await refreshNow(page)).toBe('REFRESH_UNAVAILABLE');
    expect(await state(page)).toMatchObject({
      status: 'reconnecting',
      sessionId,
      lastError: 'STORE_UNAVAILABLE',
      lastErrorDetail: 'The session store is unavailable.',
    });
    await page.unroute('**/auth/refresh');
    await waitForStatus(page, 'signed-in');
    expect((await state(page)).sessionId).toBe(sessionId);
    expect(await loggedOutEvents(page)).toEqual([]);
    await context.close();
  });
});
