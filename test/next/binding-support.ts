// tessera-auth/next without Next, over a real in-process Tessera (SQLite, keyring, revocation view):
// the route handlers and the authenticator the binding tests attack. Requests and cookies are built
// here as a browser would send them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, expect } from 'vitest';
import { createResourceGuard } from '../../src/http/require-auth.js';
import { ACCESS_COOKIE } from '../../src/next/access-cookie.js';
import { createTesseraRoutes, type TesseraRouteHandlers } from '../../src/next/auth-routes.js';
import { createRequestAuthenticator, type SessionResult } from '../../src/next/request-session.js';
import { resolveConfig } from '../../src/server/config.js';
import { createTesseraServer, type TesseraServer } from '../../src/server/create-server.js';

export const ORIGIN = 'http://localhost:3000';
export const ISSUER = ORIGIN;
export const AUDIENCE = 'next-binding';

/** The in-process Tessera of one test file and the binding's parts over it. */
export interface Binding {
  readonly server: TesseraServer;
  readonly routes: TesseraRouteHandlers;
  readonly authenticate: (request: Request) => Promise<SessionResult>;
}

/** Starts a Tessera before the file's tests (60 s access tokens, no leeway) and closes it after. */
export function useBinding(): () => Binding {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-next-binding-'));
  let binding: Binding | undefined;
  beforeAll(async () => {
    const config = await resolveConfig({
      flags: {
        db: join(dir, 'tessera.db'),
        issuer: ISSUER,
        audience: AUDIENCE,
        'allowed-origins': ORIGIN,
        'access-ttl': '60s',
      },
      env: { TESSERA_KEY_SECRET: 'next-binding-secret-Qh3vN9xK2mP7wR4tY8zB1cD6' },
      cwd: dir,
    });
    // Mail is not what these tests check: kept off the console, where development prints its links.
    const server = await createTesseraServer({
      config,
      logger: pino({ level: 'silent' }),
      deliverMail: () => undefined,
    });
    const guard = createResourceGuard({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: server.keyring,
      revocations: server.revocations,
      leewaySeconds: 0,
    });
    binding = {
      server,
      routes: createTesseraRoutes({ handler: async () => server.handler }),
      authenticate: createRequestAuthenticator({ verify: (token) => guard.verify(token) }),
    };
  });
  afterAll(async () => {
    await binding?.server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (binding === undefined) throw new Error('the binding has not started');
    return binding;
  };
}

export const browserPost = (
  path: string,
  init: { cookie?: string; json?: unknown } = {},
): Request =>
  new Request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: {
      origin: ORIGIN,
      'tessera-csrf': '1',
      'content-type': 'application/json',
      ...(init.cookie === undefined ? {} : { cookie: init.cookie }),
    },
    body: JSON.stringify(init.json ?? {}),
  });

/** The `name=value` of each Set-Cookie, by name. */
export const setCookies = (response: Response): Map<string, string> =>
  new Map(
    response.headers.getSetCookie().map((line) => {
      const pair = line.split(';')[0] ?? '';
      return [pair.slice(0, pair.indexOf('=')), line];
    }),
  );
export const valueOf = (line: string | undefined): string =>
  (line ?? '').split(';')[0]?.split('=').slice(1).join('=') ?? '';

let users = 0;
/** Signs up through the Next route handlers; returns the two cookies as a browser would send them. */
export async function signUp(
  binding: Binding,
): Promise<{ refresh: string; access: string; userId: string }> {
  const response = await binding.routes.POST(
    browserPost('/auth/signup', {
      json: { email: `binding${++users}@example.com`, password: 'correct horse battery staple' },
    }),
  );
  expect(response.status).toBe(201);
  const cookies = setCookies(response);
  const access = cookies.get(ACCESS_COOKIE);
  expect(access).toMatch(/; Path=\/; Max-Age=60; HttpOnly; Secure; SameSite=Lax$/);
  const body = (await response.json()) as { access_token: string };
  expect(valueOf(access)).toBe(body.access_token);
  const result = await binding.authenticate(
    new Request(`${ORIGIN}/x`, { headers: { cookie: `${ACCESS_COOKIE}=${valueOf(access)}` } }),
  );
  if (!result.ok) throw result.error;
  return {
    refresh: valueOf(cookies.get('__Secure-tessera_rt')),
    access: valueOf(access),
    userId: result.session.userId,
  };
}

export const withAccessCookie = (
  token: string,
  init: RequestInit & { path?: string } = {},
): Request =>
  new Request(`${ORIGIN}${init.path ?? '/api/notes'}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), cookie: `${ACCESS_COOKIE}=${token}` },
  });

export const codeOf = (result: SessionResult): string => (result.ok ? 'ok' : result.error.code);

/** A well-formed Tessera access token for `userId` under the server's real kid, signed by another key. */
export async function forgedUnderRealKid(binding: Binding, userId: string): Promise<string> {
  const kid = binding.server.keyring.jwks().keys[0]?.kid ?? '';
  const attacker = await generateKeyPair('ES256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    sub: userId,
    client_id: 'tessera',
    sid: 'x'.repeat(22),
    jti: 'j'.repeat(22),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(attacker.privateKey);
}
