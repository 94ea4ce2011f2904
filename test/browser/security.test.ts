// Browser proofs 5-9 of issue 5: lost answers, restarts, stolen refresh tokens, what a page script can
// reach, and what a cross-origin page can do with the user's cookie.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

const suite = useBrowserSuite({ 'access-ttl': '4s', 'refresh-grace': '3s' });

const state = clientState;
const refreshNow = (page: Page) =>
  page.evaluate(
    async () => (await (window as unknown as DemoWindow).tessera.client.refresh()) !== null,
  );

describe('proof 5: the refresh answer is lost after the server rotated', () => {
  it('retries inside the grace window, gets the same successor, and stays signed in', async () => {
    const context = await (await suite.browser()).newContext();
    const page = await openTab(context, `${suite.server.url}/?proactive=off`);
    await signUp(page);
    await suite.server.sync();
    const before = suite.server.count('POST /auth/refresh', 200);
    let dropped = 0;
    await page.route('**/auth/refresh', async (route) => {
      if (dropped++ > 0) return route.continue();
      // The request reaches the server, which rotates and answers; the browser never sees the answer
      // (nor its Set-Cookie): the connection dies on the way back. (route.fetch() would store the cookie.)
      const headers = await route.request().allHeaders();
      expect(headers.cookie).toMatch(/__Secure-tessera_rt=tsr_/);
      const lost = await fetch(route.request().url(), {
        method: 'POST',
        headers: Object.fromEntries(
          Object.entries(headers).filter(([name]) => !name.startsWith(':')),
        ),
      });
      expect(lost.status).toBe(200);
      await route.abort('connectionreset');
    });
    expect(await refreshNow(page)).toBe(true);
    await suite.server.sync();
    expect(suite.server.count('POST /auth/refresh', 200)).toBe(before + 2);
    expect((await state(page)).lastRefresh).toMatchObject({ source: 'refresh', grace: true });
    expect(await callApi(page)).toBe(200);
    expect(await loggedOutEvents(page)).toEqual([]);
    await context.close();
  });
});

describe('proof 6: the server restarts between requests', () => {
  it('keeps the session: keys and sessions persisted', async () => {
    const context = await (await suite.browser()).newContext();
    const page = await openTab(context, `${suite.server.url}/`);
    await signUp(page);
    expect(await callApi(page)).toBe(200);
    await suite.server.restart();
    expect(await callApi(page)).toBe(200);
    await sleep(4_500);
    expect(await callApi(page)).toBe(200);
    expect((await state(page)).status).toBe('signed-in');
    expect(await loggedOutEvents(page)).toEqual([]);
    await context.close();
  });
});

describe('proof 7: a refresh token reused by an attacker after the grace window', () => {
  it('revokes the session and tells the real user why', async () => {
    const context = await (await suite.browser()).newContext();
    const page = await openTab(context, `${suite.server.url}/?proactive=off`);
    await signUp(page);
    // The attacker's copy of the refresh cookie (how they got it is beside the point here).
    const stolen = (await context.cookies()).find(
      (cookie) => cookie.name === '__Secure-tessera_rt',
    )?.value;
    expect(stolen).toMatch(/^tsr_/);
    expect(await refreshNow(page)).toBe(true);
    await sleep(3_500);
    const attack = await fetch(`${suite.server.url}/auth/refresh`, {
      method: 'POST',
      headers: {
        cookie: `__Secure-tessera_rt=${stolen}`,
        origin: suite.server.url,
        'tessera-csrf': '1',
      },
    });
    expect(attack.status).toBe(401);
    expect(((await attack.json()) as { code: string }).code).toBe('REFRESH_TOKEN_REUSED');
    expect(await callApi(page)).toBe(401);
    const [event] = await loggedOutEvents(page);
    expect(event).toMatchObject({ reason: 'REFRESH_TOKEN_REVOKED' });
    expect(String(event?.detail)).toMatch(/used twice/);
    expect(await page.textContent('#reason')).toMatch(/^REFRESH_TOKEN_REVOKED: .*used twice/);
    await context.close();
  });
});

describe('proof 8: no refresh token within reach of page scripts', () => {
  it('is not in document.cookie or any storage, and the server never hands one to a script', async () => {
    const context = await (await suite.browser()).newContext();
    const page = await openTab(context, `${suite.server.url}/`);
    await signUp(page);
    const cookie = (await context.cookies()).find((c) => c.name === '__Secure-tessera_rt');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, path: '/auth', sameSite: 'Lax' });
    const secret = cookie!.value.split('.')[1]!;
    const reachable = await page.evaluate(async () => {
      const dump = (storage: Storage) =>
        Object.keys(storage)
          .map((key) => `${key}=${storage.getItem(key)}`)
          .join('\n');
      const databases = await indexedDB.databases();
      // A script calling the server itself, even asking for the body transport.
      const refreshed = await fetch('/auth/refresh', {
        method: 'POST',
        headers: { 'tessera-csrf': '1', 'token-transport': 'body' },
      });
      const body = await refreshed.text();
      return {
        cookie: document.cookie,
        local: dump(localStorage),
        session: dump(sessionStorage),
        databases: databases.map((d) => d.name),
        refreshStatus: refreshed.status,
        refreshBody: body,
        setCookieVisible: refreshed.headers.get('set-cookie'),
      };
    });
    expect(reachable.cookie).toBe('');
    expect(reachable.databases).toEqual([]);
    expect(reachable.refreshStatus).toBe(200);
    expect(JSON.parse(reachable.refreshBody)).not.toHaveProperty('refresh_token');
    expect(reachable.setCookieVisible).toBeNull();
    const everything = JSON.stringify(reachable);
    expect(everything).not.toContain('tsr_');
    expect(everything).not.toContain(secret);
    // The access token is not in storage either: it lives in the client's memory.
    expect(reachable.local + reachable.session).not.toMatch(/eyJ/);
    await context.close();
  });
});

describe("proof 9: a cross-origin page and the user's cookie", () => {
  it('cannot refresh, log out or revoke sessions', async () => {
    const context = await (await suite.browser()).newContext();
    const victim = await openTab(context, `${suite.server.url}/`);
    await signUp(victim);
    const sessionId = (await state(victim)).sessionId!;
    await suite.server.sync();
    const mark = suite.server.logs.length;
    // Another site on this machine, served from a real loopback socket: 127.0.0.1 is not the same site as
    // localhost. (A page Playwright fulfils counts as public, and Chrome's Local Network Access would stop
    // it before the server, which would prove nothing about the suite.server.)
    const site = createServer((_request, response) =>
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><title>evil</title><form id="f" method="POST"></form>'),
    );
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const evilOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    const evil = await context.newPage();
    await evil.goto(`${evilOrigin}/`);
    const outcomes = await evil.evaluate(
      async ({ base, sid }) => {
        const attempt = async (path: string, init: RequestInit) => {
          try {
            const response = await fetch(base + path, { credentials: 'include', ...init });
            return response.type === 'opaque' ? 'opaque' : String(response.status);
          } catch {
            return 'blocked';
          }
        };
        return {
          refreshWithHeader: await attempt('/auth/refresh', {
            method: 'POST',
            headers: { 'tessera-csrf': '1' },
          }),
          refreshSimple: await attempt('/auth/refresh', { method: 'POST', mode: 'no-cors' }),
          logoutSimple: await attempt('/auth/logout', { method: 'POST', mode: 'no-cors' }),
          logoutAllSimple: await attempt('/auth/logout-all', {
            method: 'POST',
            mode: 'no-cors',
            body: '{}',
          }),
          revoke: await attempt(`/auth/sessions/${sid}`, {
            method: 'DELETE',
            headers: { 'tessera-csrf': '1' },
          }),
          sessions: await attempt('/auth/sessions', { method: 'GET' }),
        };
      },
      { base: suite.server.url, sid: sessionId },
    );
    expect(outcomes).toEqual({
      refreshWithHeader: 'blocked',
      refreshSimple: 'opaque',
      logoutSimple: 'opaque',
      logoutAllSimple: 'opaque',
      revoke: 'blocked',
      sessions: 'blocked',
    });
    // A top-level form POST (cookies of SameSite=Lax stay home on cross-site POSTs).
    await evil.evaluate((action) => {
      const form = document.getElementById('f') as HTMLFormElement;
      form.action = action;
      form.submit();
    }, `${suite.server.url}/auth/logout`);
    await evil.waitForURL(`${suite.server.url}/auth/logout`);
    await suite.server.sync();
    const answered = suite.server.logs
      .slice(mark)
      .filter((line) => line.msg === 'request' && line.path !== '/healthz')
      .map((line) => `${line.method} ${line.path} ${line.status} ${line.code ?? ''}`.trim());
    console.info(`[proof 9] server answers to the cross-origin page: ${answered.join('; ')}`);
    // Nothing the attacker sent succeeded; the preflights were answered without CORS permission.
    expect(
      answered.filter((line) => / (200|204) /.test(`${line} `) && !line.startsWith('OPTIONS')),
    ).toEqual([]);
    expect(answered).toContain('POST /auth/logout 403 CSRF_FAILED');
    // Even with the cookie (a browser that sent it anyway), a foreign Origin is refused before any rotation.
    const cookie = (await context.cookies()).find((c) => c.name === '__Secure-tessera_rt')!.value;
    const forced = await fetch(`${suite.server.url}/auth/refresh`, {
      method: 'POST',
      headers: { cookie: `__Secure-tessera_rt=${cookie}`, origin: evilOrigin, 'tessera-csrf': '1' },
    });
    expect(forced.status).toBe(403);
    expect(((await forced.json()) as { code: string }).code).toBe('CSRF_FAILED');
    // The victim is still signed in on the same session, with the same refresh chain.
    expect(await callApi(victim)).toBe(200);
    expect(await refreshNow(victim)).toBe(true);
    expect(await state(victim)).toMatchObject({ status: 'signed-in', sessionId });
    expect(await loggedOutEvents(victim)).toEqual([]);
    await context.close();
    site.close();
  });
});
