// The Next.js integration in a real app: `next build && next start` of test/next/app, driven by Debian's
// Chromium. Sign up, a server component that shows the user, the edge runtime, expiry, reload, no tab
// open, two tabs, logout, a forged cookie.
import { generateKeyPair, SignJWT } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser, sleep } from '../browser/harness.js';
import { buildApp, startApp, type BuiltApp, type RunningApp } from './next-harness.js';

const ACCESS_COOKIE = '__Host-tessera_at';
const REFRESH_COOKIE = '__Secure-tessera_rt';
// TESSERA_ACCESS_TTL of the fixture (next-harness.ts) plus a margin.
const PAST_EXPIRY_MS = 5_500;

let built: BuiltApp | undefined;
let app: RunningApp;
let browser: Browser;
let context: BrowserContext;
let userId = '';

beforeAll(async () => {
  built = await buildApp();
  // The build's wall time, for the CI budget (a few tens of seconds on two shared cores).
  console.info(`next build of test/next/app took ${built.buildMs} ms`);
  app = await startApp(built);
  browser = await launchBrowser();
  context = await browser.newContext();
}, 300_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.stop();
  built?.remove();
});

// All of the context's cookies, not those of one URL: the refresh cookie's Path=/auth hides it from `/`.
const cookie = async (name: string) =>
  (await context.cookies()).find((candidate) => candidate.name === name);

/** The paths a navigation passed through, oldest first, ending with where it landed. */
async function visit(page: Page, path: string): Promise<string[]> {
  const response = await page.goto(`${app.url}${path}`);
  const chain: string[] = [];
  for (
    let request = response?.request() ?? null;
    request !== null;
    request = request.redirectedFrom()
  )
    chain.unshift(new URL(request.url()).pathname);
  return chain;
}

async function signedInPage(page: Page): Promise<void> {
  await page.waitForSelector('#user');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'signed-in');
}

describe('tessera-auth/next in a built Next.js 16 app', () => {
  test('a signed-out visit to a protected page passes /auth/resume and lands on the sign-in page', async () => {
    const page = await context.newPage();
    expect(await visit(page, '/dashboard')).toEqual(['/dashboard', '/auth/resume', '/signin']);
    expect(new URL(page.url()).searchParams.get('next')).toBe('/dashboard');
    await page.close();
  });

  test('sign up: the server component, a server action and a route handler all see the user', async () => {
    const page = await context.newPage();
    await visit(page, '/signin?next=/dashboard');
    await page.waitForSelector('#signin[data-ready="yes"]');
    await page.fill('input[name=email]', `next-${Date.now()}@example.com`);
    await page.fill('input[name=password]', 'correct horse battery staple');
    await page.click('#signup');
    await page.waitForURL(`${app.url}/dashboard`);
    const shown = (await page.textContent('#user')) ?? '';
    expect(shown).toMatch(/^Signed in as [A-Za-z0-9_-]{22}$/);
    userId = shown.replace('Signed in as ', '');
    expect(await page.textContent('#via')).toBe('cookie');
    await page.click('#whoami');
    await page.waitForFunction(() => document.querySelector('#whoami-answer')?.textContent !== '');
    expect(await page.textContent('#whoami-answer')).toBe(userId);
    // A plain same-origin fetch carries the access cookie; the route handler verifies it as the page did.
    const fromRoute = await page.evaluate(async () => (await fetch('/api/notes')).json());
    expect(fromRoute).toEqual({ userId, via: 'cookie' });

    const access = await cookie(ACCESS_COOKIE);
    expect(access).toMatchObject({ path: '/', httpOnly: true, secure: true, sameSite: 'Lax' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('tessera');
    expect(await cookie(REFRESH_COOKIE)).toMatchObject({ path: '/auth', httpOnly: true });
    await page.close();
  });

  test('edge runtime: a server component reads the same cookie, verified with Web Crypto', async () => {
    // An open dashboard tab keeps the 4 s access cookie fresh while the edge page is asked.
    const page = await context.newPage();
    await visit(page, '/dashboard');
    await signedInPage(page);
    const edgePage = await context.newPage();
    await visit(edgePage, '/edge');
    expect(await edgePage.textContent('#edge-user')).toBe(`Signed in as ${userId}`);
    expect(await edgePage.textContent('#edge-runtime')).toBe('edge web');
    for (const open of [edgePage, page]) await open.close();
  });

  test('an open tab keeps the access cookie fresh past its lifetime, and a reload stays signed in', async () => {
    const page = await context.newPage();
    await visit(page, '/dashboard');
    await signedInPage(page);
    const before = (await cookie(ACCESS_COOKIE))?.value;
    await sleep(PAST_EXPIRY_MS);
    await page.reload();
    expect(await page.textContent('#user')).toBe(`Signed in as ${userId}`);
    const after = (await cookie(ACCESS_COOKIE))?.value;
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    await page.close();
  });

  test('with no tab open the access cookie expires, and the next visit resumes through the refresh cookie', async () => {
    expect(context.pages()).toHaveLength(0);
    await sleep(PAST_EXPIRY_MS);
    expect(await cookie(ACCESS_COOKIE)).toBeUndefined();
    const page = await context.newPage();
    expect(await visit(page, '/dashboard')).toEqual(['/dashboard', '/auth/resume', '/dashboard']);
    expect(await page.textContent('#user')).toBe(`Signed in as ${userId}`);
    await page.close();
  });

  test('two tabs: a logout in one ends both, and the protected page sends them to the sign-in page', async () => {
    const first = await context.newPage();
    const second = await context.newPage();
    await visit(first, '/dashboard');
    await visit(second, '/dashboard');
    await signedInPage(first);
    await signedInPage(second);
    await first.click('#signout');
    await first.waitForURL(/\/signin\?/);
    await second.waitForURL(/\/signin\?/);
    expect(await cookie(ACCESS_COOKIE)).toBeUndefined();
    expect(await cookie(REFRESH_COOKIE)).toBeUndefined();
    const third = await context.newPage();
    expect(await visit(third, '/dashboard')).toEqual(['/dashboard', '/auth/resume', '/signin']);
    for (const page of [first, second, third]) await page.close();
  });

  test('a forged access cookie shows no page: the navigation ends on the sign-in page', async () => {
    const attacker = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({
      sub: userId,
      client_id: 'tessera',
      sid: 's'.repeat(22),
      jti: 'j'.repeat(22),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'forged' })
      .setIssuer(app.url)
      .setAudience('next-fixture')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(attacker.privateKey);
    await context.addCookies([
      {
        name: ACCESS_COOKIE,
        value: forged,
        domain: 'localhost',
        path: '/',
        secure: true,
        httpOnly: true,
        sameSite: 'Lax',
      },
    ]);
    const page = await context.newPage();
    // On the edge runtime, where no proxy stands in front: the page sees no one.
    await visit(page, '/edge');
    expect(await page.textContent('#edge-user')).toBe('signed out');
    // On Node, through the proxy.
    expect(await visit(page, '/dashboard')).toEqual(['/dashboard', '/auth/resume', '/signin']);
    expect(await page.locator('#user').count()).toBe(0);
    // The resume found no session either, and cleared the forged cookie.
    expect(await cookie(ACCESS_COOKIE)).toBeUndefined();
    await page.close();
  });
});
