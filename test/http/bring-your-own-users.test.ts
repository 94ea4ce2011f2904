// An app with its own users table (SQLite, bcrypt) signs people in itself and calls issueSession;
// Tessera's /auth/refresh and /auth/logout, mounted in the same Express app, take over from there.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Database from 'better-sqlite3';
import bcrypt from 'bcryptjs';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireAuth, tesseraRoutes } from '../../src/adapters/express.js';
import type { AccessTokenClaims } from '../../src/jwt/claims.js';
import { REFRESH_COOKIE } from '../../src/wire/names.js';
import {
  APP_ORIGIN,
  AUDIENCE,
  ISSUER,
  createTestServer,
  type TestServer,
} from './support/server-kit.js';

let test: TestServer;
let http: Server;
let base: string;
const appDb = new Database(':memory:');

beforeAll(async () => {
  appDb.exec(
    'CREATE TABLE app_users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, password_hash TEXT)',
  );
  appDb
    .prepare('INSERT INTO app_users (id, email, password_hash) VALUES (?, ?, ?)')
    .run(7, 'ada@example.com', bcrypt.hashSync('analytical engine', 4));
  // Sign-up stays the app's: Tessera's own /auth/signup is off.
  test = await createTestServer({ signup: 'false' });
  const tessera = test.server;

  const app = express();
  app.use(tesseraRoutes(tessera.handler));
  app.post('/login', express.json(), async (req, res) => {
    const { email, password } = req.body as { email: string; password: string };
    const user = appDb.prepare('SELECT * FROM app_users WHERE email = ?').get(email) as
      { id: number; password_hash: string } | undefined;
    if (user === undefined || !(await bcrypt.compare(password, user.password_hash))) {
      res.status(401).json({ error: 'wrong email or password' });
      return;
    }
    const session = await tessera.issueSession(String(user.id), {
      transport: req.get('token-transport') === 'body' ? 'body' : 'cookie',
      ip: req.ip ?? null,
      userAgent: req.get('user-agent') ?? null,
    });
    res.status(session.status).set(session.headers).json(session.body);
  });
  app.get(
    '/api/me',
    requireAuth({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: tessera.keyring,
      revocations: tessera.revocations,
      now: test.now,
    }),
    (_req, res) => {
      const { sub } = (res.locals as { auth: AccessTokenClaims }).auth;
      res.json(appDb.prepare('SELECT id, email FROM app_users WHERE id = ?').get(Number(sub)));
    },
  );
  http = await new Promise<Server>((done) => {
    const started = app.listen(0, '127.0.0.1', () => done(started));
  });
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((done) => http.close(done));
  await test.server.close();
  test.cleanup();
  appDb.close();
});

const browser = { origin: APP_ORIGIN, 'tessera-csrf': '1' };
const cookieOf = (response: Response): string => {
  const value = new RegExp(`${REFRESH_COOKIE}=([^;]*)`).exec(
    response.headers.get('set-cookie') ?? '',
  );
  return value?.[1] ?? '';
};
const login = (password: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email: 'ada@example.com', password }),
  });
const refresh = (cookie: string): Promise<Response> =>
  fetch(`${base}/auth/refresh`, {
    method: 'POST',
    headers: { ...browser, cookie: `${REFRESH_COOKIE}=${cookie}` },
  });
const me = (token: string): Promise<Response> =>
  fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${token}` } });

describe('bring your own users', () => {
  it("the app's login starts a Tessera session; Tessera refreshes it and logs it out", async () => {
    expect((await login('wrong')).status).toBe(401);
    const signedIn = await login('analytical engine');
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get('cache-control')).toBe('no-store');
    expect(signedIn.headers.get('set-cookie')).toMatch(
      new RegExp(
        `^${REFRESH_COOKIE}=tsr_[^;]+; Path=/auth; Max-Age=\\d+; HttpOnly; Secure; SameSite=Lax$`,
      ),
    );
    const first = (await signedIn.json()) as Record<string, unknown>;
    expect(first).toMatchObject({ token_type: 'Bearer', grace: false });
    expect(first.refresh_token).toBeUndefined();
    expect(await (await me(first.access_token as string)).json()).toEqual({
      id: 7,
      email: 'ada@example.com',
    });

    const refreshed = await refresh(cookieOf(signedIn));
    expect(refreshed.status).toBe(200);
    const second = (await refreshed.json()) as { access_token: string; session_id: string };
    expect(second.session_id).toBe(first.session_id);
    expect(cookieOf(refreshed)).not.toBe(cookieOf(signedIn));
    expect((await me(second.access_token)).status).toBe(200);

    const out = await fetch(`${base}/auth/logout`, {
      method: 'POST',
      headers: { ...browser, cookie: `${REFRESH_COOKIE}=${cookieOf(refreshed)}` },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(
      new RegExp(`^${REFRESH_COOKIE}=; Path=/auth; Max-Age=0;`),
    );
    const after = await refresh(cookieOf(refreshed));
    expect(after.status).toBe(401);
    expect(((await after.json()) as { code: string }).code).toBe('REFRESH_TOKEN_REVOKED');
    // The access token of the ended session stops working too (the revocation view on this node).
    const revoked = await me(second.access_token);
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as { code: string }).code).toBe('TOKEN_REVOKED');
  });

  it('a native client gets the refresh token in the body and refreshes with it', async () => {
    const signedIn = await login('analytical engine', { 'token-transport': 'body' });
    expect(signedIn.headers.get('set-cookie')).toBeNull();
    const { refresh_token } = (await signedIn.json()) as { refresh_token: string };
    const refreshed = await fetch(`${base}/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token }),
    });
    expect(refreshed.status).toBe(200);
    expect((await refreshed.json()) as object).toHaveProperty('refresh_token');
  });

  it("Tessera's own sign-up is off and its login does not know the app's users", async () => {
    const post = (path: string): Promise<Response> =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { ...browser, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ada@example.com', password: 'analytical engine' }),
      });
    expect(((await (await post('/auth/signup')).json()) as { code: string }).code).toBe(
      'SIGNUP_DISABLED',
    );
    expect(((await (await post('/auth/login')).json()) as { code: string }).code).toBe(
      'CREDENTIALS_INVALID',
    );
  });
});
