// Issue 14 item 4 in Chromium: examples/express-prototype, the field guides' Express app (jsonwebtoken,
// bcrypt, a React page with an axios interceptor, both tokens in localStorage), upgraded to Tessera on
// the same data and port. A user signed in on the old app is signed in on the new one without a login
// and the old tokens leave storage; a user who only had a bcrypt password signs in with it; the old
// refresh token, replayed after its exchange, is refused and ends the session it became; the token of
// a user who logged out of the old app is refused by the hook. The README's diff is the folders' diff.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPages,
  EXAMPLE,
  exampleDiff,
  freePort,
  importUsers,
  startApp,
  stopAll,
  type RunningApp,
} from './express-prototype-app.js';
import { launchBrowser } from './harness.js';

const ALICE = { email: 'alice@example.com', password: 'alice-old-password-1' };
const BOB = { email: 'bob@example.com', password: 'bob-old-password-22' };
const CAROL = { email: 'carol@example.com', password: 'carol-old-password-3' };

let dataDir: string;
let port: number;
let origin: string;
let browser: Browser;
let app: RunningApp | undefined;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tessera-express-prototype-'));
  port = await freePort();
  origin = `http://localhost:${port}`;
  await buildPages();
  browser = await launchBrowser();
});
afterAll(async () => {
  await stopAll();
  await browser?.close();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

/** Opens the app and waits until its page has decided: signed in (the email) or the login form. */
async function openApp(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(origin);
  await page.waitForSelector('#whoami, #login-form');
  return page;
}

/** Fills the page's fresh form, presses `#signup` or `#login` and waits for `#whoami` or `#error`. */
async function submit(page: Page, button: '#signup' | '#login', user: typeof ALICE): Promise<void> {
  await page.fill('#email', user.email);
  await page.fill('#password', user.password);
  await page.click(button);
  await page.waitForSelector('#whoami, #error');
}

/** What one page asked of the server, as `METHOD /path status`. */
function trackRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.origin === origin)
      seen.push(`${response.request().method()} ${url.pathname} ${response.status()}`);
  });
  return seen;
}

/** Who the page says is signed in, or null when it shows something else (the form, an error). */
const whoami = async (page: Page): Promise<string | null> =>
  (await page.isVisible('#whoami')) ? page.textContent('#whoami') : null;

/** The RFC 8693 exchange of an old token at /oauth/token, as a native client or an attacker sends it. */
async function exchange(token: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${origin}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: token,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      client_id: 'tessera',
    }),
  });
  return { status: response.status, body: await response.json() };
}

/** Rows of one of the data folder's SQLite files (`app.db`, the old app's; `tessera.db`), read-only. */
function rows(file: string, sql: string, ...params: unknown[]): Record<string, unknown>[] {
  const db = new Database(join(dataDir, file), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

const storage = (page: Page): Promise<Record<string, string>> =>
  page.evaluate(() => ({ ...localStorage }));

// The steps build on each other: one old deployment, upgraded once.
describe('the express prototype, upgraded to Tessera on the same data', () => {
  let alice: Page;
  let legacy: Record<string, string>;
  let loggedOut: string;

  it('signs users up on the old app, with both tokens in localStorage', async () => {
    app = await startApp('before', { port, dataDir });
    alice = await openApp(await browser.newContext());
    expect(await alice.isVisible('#login-form')).toBe(true);
    await submit(alice, '#signup', ALICE);
    expect(await whoami(alice)).toBe(ALICE.email);
    await alice.evaluate(() => localStorage.setItem('theme', 'dark'));
    legacy = await storage(alice);
    expect(Object.keys(legacy).sort()).toEqual(['refreshToken', 'theme', 'token']);
    expect(legacy.refreshToken).toMatch(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/);
    // Bob signs up in his own browser and goes away: after the upgrade he has only his password.
    const bobContext = await browser.newContext();
    await submit(await openApp(bobContext), '#signup', BOB);
    await bobContext.close();
    // Carol signs up and logs out: her old refresh token is out of the old app's table.
    const carolContext = await browser.newContext();
    const carol = await openApp(carolContext);
    await submit(carol, '#signup', CAROL);
    loggedOut = (await storage(carol)).refreshToken ?? '';
    await carol.click('#logout');
    await carol.waitForSelector('#login-form');
    await carolContext.close();
    // The old app's own reload: still signed in, through its tokens.
    await alice.reload();
    await alice.waitForSelector('#whoami, #login-form');
    expect(await whoami(alice)).toBe(ALICE.email);
  });

  it('after the upgrade and restart, the next page load is signed in through Tessera, with no login, and the legacy keys are gone', async () => {
    await app?.stop();
    expect(await importUsers(dataDir)).toBe('Imported 3 user(s) (bcrypt 3).\n');
    app = await startApp('after', { port, dataDir });
    const requests = trackRequests(alice);
    const authorization = alice.waitForRequest((request) => request.url().endsWith('/api/me'));
    await alice.reload();
    await alice.waitForSelector('#whoami, #login-form');
    expect(await whoami(alice)).toBe(ALICE.email);
    const apiCall = await authorization;
    await apiCall.response();
    expect(requests.filter((line) => /\/(auth|api)\//.test(line))).toEqual([
      'POST /auth/adopt 200',
      'GET /api/me 200',
    ]);
    // The page's API call carried a Tessera access token (RFC 9068 at+jwt, the imported user id).
    const bearer = apiCall.headers().authorization?.replace(/^Bearer /, '') ?? '';
    const [header, payload] = bearer
      .split('.')
      .slice(0, 2)
      .map(
        (part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>,
      );
    expect(header?.typ).toBe('at+jwt');
    expect(payload?.sub).toBe('1');
    const kept = await storage(alice);
    expect(kept.token).toBeUndefined();
    expect(kept.refreshToken).toBeUndefined();
    expect(kept.theme).toBe('dark');
    // The rest is the client's own bookkeeping (the session marker, a tab counter), never a token.
    expect(Object.keys(kept).filter((key) => !key.startsWith('tessera:'))).toEqual(['theme']);
    expect(Object.values(kept).filter((value) => /eyJ|tsr_/.test(value))).toEqual([]);
    const cookies = await alice.context().cookies(`${origin}/auth/refresh`);
    expect(cookies.find((cookie) => cookie.name === '__Secure-tessera_rt')?.httpOnly).toBe(true);
    // One session for Alice, ending when her old refresh token would have (checkLegacyToken's answer).
    const [oldRefresh] = rows(
      'app.db',
      'SELECT expires_at FROM refresh_tokens WHERE token = ?',
      legacy.refreshToken,
    );
    expect(
      rows(
        'tessera.db',
        "SELECT absolute_expires_at, revoked_at FROM sessions WHERE user_id = '1'",
      ),
    ).toEqual([{ absolute_expires_at: oldRefresh?.expires_at, revoked_at: null }]);
    // Audit events reach the app's log through a pipe: wait for them.
    await expect
      .poll(() => app?.auditEvents().filter((type) => type.startsWith('legacy.')))
      .toEqual(['legacy.exchanged']);
  });

  it('signs in a user imported with a bcrypt hash, with the old password, and rehashes it', async () => {
    const context = await browser.newContext();
    try {
      const bob = await openApp(context);
      expect(await bob.isVisible('#login-form')).toBe(true);
      const requests = trackRequests(bob);
      const refused = bob.waitForResponse((response) => response.url().endsWith('/auth/login'));
      await submit(bob, '#login', { ...BOB, password: 'not-bobs-password' });
      expect(await whoami(bob)).toBeNull();
      expect(await (await refused).json()).toMatchObject({ code: 'CREDENTIALS_INVALID' });
      await bob.reload();
      await bob.waitForSelector('#login-form');
      await submit(bob, '#login', BOB);
      expect(await whoami(bob)).toBe(BOB.email);
      expect(requests.filter((line) => line.includes('/login'))).toEqual([
        'POST /auth/login 401',
        'POST /auth/login 200',
      ]);
      expect(rows('tessera.db', 'SELECT password_hash FROM users WHERE id = ?', '2')).toEqual([
        { password_hash: expect.stringMatching(/^\$argon2id\$/) },
      ]);
    } finally {
      await context.close();
    }
  });

  it('refuses the old refresh token replayed after its exchange, and ends the adopted session', async () => {
    expect(await exchange(legacy.refreshToken ?? '')).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', tessera_code: 'LEGACY_TOKEN_REPLAYED' },
    });
    await expect
      .poll(() => app?.auditEvents().filter((type) => type.startsWith('legacy.')))
      .toEqual(['legacy.exchanged', 'legacy.replay_detected']);
    expect(rows('tessera.db', "SELECT revoked_reason FROM sessions WHERE user_id = '1'")).toEqual([
      { revoked_reason: 'legacy-replay' },
    ]);
    // The next refresh of Alice's cookie is refused, and her next page load is signed out.
    const refresh = await alice.evaluate(async () => {
      const response = await fetch('/auth/refresh', {
        method: 'POST',
        headers: { 'Tessera-CSRF': '1' },
        credentials: 'include',
      });
      return { status: response.status, code: ((await response.json()) as { code?: string }).code };
    });
    expect(refresh).toEqual({ status: 401, code: 'REFRESH_TOKEN_REVOKED' });
    await alice.reload();
    await alice.waitForSelector('#whoami, #login-form');
    expect(await alice.isVisible('#login-form')).toBe(true);
  });

  it('refuses the old refresh token of a user who logged out of the old app (checkLegacyToken)', async () => {
    expect(loggedOut).toMatch(/^eyJ/);
    expect(await exchange(loggedOut)).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', tessera_code: 'LEGACY_TOKEN_REJECTED' },
    });
  });
});

describe("the example's README", () => {
  it('shows the diff of before/ and after/ as it is', async () => {
    const readme = readFileSync(join(EXAMPLE, 'README.md'), 'utf8');
    const shown = /```diff\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(shown).toBe(await exampleDiff());
  });
});
