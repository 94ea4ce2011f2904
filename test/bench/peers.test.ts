import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';

// The peer servers of `npm run bench -- --only peers` do the real work they are measured on: each runs
// here in its own process, as the bench starts it, and answers the flows a client would drive.

const PEERS = fileURLToPath(new URL('../../bench/peers/', import.meta.url));
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-test-peers-'));
  dirs.push(dir);
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

interface Peer {
  readonly url: string;
  readonly child: ChildProcess;
}

function startPeer(script: string, options: Record<string, unknown>): Promise<Peer> {
  const child = fork(join(PEERS, script), [], {
    env: {
      ...process.env,
      TESSERA_BENCH_PEER: JSON.stringify(options),
      BETTER_AUTH_TELEMETRY: '0',
      TESSERA_LOG_LEVEL: 'silent',
    },
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.push(child);
  return new Promise((resolvePromise, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.once('message', (message: { port?: number; error?: string }) => {
      if (message.error !== undefined) reject(new Error(message.error));
      else resolvePromise({ url: `http://127.0.0.1:${message.port}`, child });
    });
  });
}

function seed<T>(peer: Peer, users: number): Promise<T[]> {
  return new Promise((resolvePromise, reject) => {
    peer.child.once('message', (reply: { users?: T[]; error?: string }) =>
      reply.error !== undefined
        ? reject(new Error(reply.error))
        : resolvePromise(reply.users ?? []),
    );
    peer.child.send({ command: 'seed', users });
  });
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('hand-rolled peer (Express + jsonwebtoken + rotating refresh table)', () => {
  it('logs in, guards the route, and rotates refresh tokens so a used one is refused', async () => {
    const peer = await startPeer('handrolled-server.js', { dir: tempDir(), port: 0 });
    const credentials = { email: 'ada@example.test', password: 'correct horse battery' };
    expect((await fetch(`${peer.url}/register`, json(credentials))).status).toBe(201);
    expect((await fetch(`${peer.url}/register`, json(credentials))).status).toBe(409);
    expect(
      (await fetch(`${peer.url}/login`, json({ ...credentials, password: 'wrong password' })))
        .status,
    ).toBe(401);

    const login = await fetch(`${peer.url}/login`, json(credentials));
    expect(login.status).toBe(200);
    const first = (await login.json()) as { accessToken: string; refreshToken: string };
    const guarded = await fetch(`${peer.url}/protected`, {
      headers: { authorization: `Bearer ${first.accessToken}` },
    });
    expect(guarded.status).toBe(200);
    const { user } = (await guarded.json()) as { user: string };
    expect(user).toBe(decodeJwt(first.accessToken).sub);
    expect((await fetch(`${peer.url}/protected`)).status).toBe(401);
    // A token whose payload was swapped for another user's keeps its old signature: refused.
    const [header, , signature] = first.accessToken.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ sub: '999' })).toString('base64url');
    const forged = await fetch(`${peer.url}/protected`, {
      headers: { authorization: `Bearer ${header}.${forgedPayload}.${signature}` },
    });
    expect(forged.status).toBe(401);

    const refreshed = await fetch(
      `${peer.url}/refresh`,
      json({ refreshToken: first.refreshToken }),
    );
    expect(refreshed.status).toBe(200);
    const second = (await refreshed.json()) as { accessToken: string; refreshToken: string };
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(
      (
        await fetch(`${peer.url}/protected`, {
          headers: { authorization: `Bearer ${second.accessToken}` },
        })
      ).status,
    ).toBe(200);
    // The used token is gone from the table: presenting it again is refused.
    expect(
      (await fetch(`${peer.url}/refresh`, json({ refreshToken: first.refreshToken }))).status,
    ).toBe(401);
    expect(
      (await fetch(`${peer.url}/refresh`, json({ refreshToken: second.refreshToken }))).status,
    ).toBe(200);
  });

  it('seeds users whose tokens work on the real endpoints', async () => {
    const peer = await startPeer('handrolled-server.js', {
      dir: tempDir(),
      port: 0,
      bcryptRounds: 4,
    });
    const users = await seed<{ accessToken: string; refreshToken: string }>(peer, 3);
    expect(new Set(users.map((u) => decodeJwt(u.accessToken).sub)).size).toBe(3);
    for (const u of users)
      expect(
        (await fetch(`${peer.url}/refresh`, json({ refreshToken: u.refreshToken }))).status,
      ).toBe(200);
  });
});

describe('Better Auth peer (email and password, getSession, JWT plugin)', () => {
  const dir = tempDir();

  it('signs up, answers the protected route from its session, and issues a JWT that verifies against its JWKS', async () => {
    const port = await freePort();
    const baseURL = `http://127.0.0.1:${port}`;
    const peer = await startPeer('better-auth-server.js', {
      dir,
      port,
      cookieCache: false,
      migrate: true,
    });
    const signUp = await fetch(
      `${peer.url}/api/auth/sign-up/email`,
      json({ email: 'grace@example.test', password: 'correct horse battery', name: 'Grace' }),
    );
    expect(signUp.status).toBe(200);
    const { user } = (await signUp.json()) as { user: { id: string } };
    const cookie = signUp.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    expect(cookie).toContain('better-auth.session_token=');

    const guarded = await fetch(`${peer.url}/api/protected`, { headers: { cookie } });
    expect(guarded.status).toBe(200);
    expect(((await guarded.json()) as { user: string }).user).toBe(user.id);
    expect((await fetch(`${peer.url}/api/protected`)).status).toBe(401);
    // A session cookie whose value was altered fails its HMAC: no session.
    const tampered = cookie.replace(
      /session_token=./,
      (match) => match.slice(0, -1) + (match.endsWith('A') ? 'B' : 'A'),
    );
    expect(
      (await fetch(`${peer.url}/api/protected`, { headers: { cookie: tampered } })).status,
    ).toBe(401);

    const tokenReply = await fetch(`${peer.url}/api/auth/token`, { headers: { cookie } });
    expect(tokenReply.status).toBe(200);
    const { token } = (await tokenReply.json()) as { token: string };
    const jwks = (await (await fetch(`${peer.url}/api/auth/jwks`)).json()) as JSONWebKeySet;
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: baseURL,
      audience: baseURL,
    });
    expect(payload.sub).toBe(user.id);
    expect(protectedHeader.alg).toBe('EdDSA');
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...payload, sub: 'someone-else' })).toString('base64url')}.${signature}`;
    await expect(
      jwtVerify(forged, createLocalJWKSet(jwks), { issuer: baseURL, audience: baseURL }),
    ).rejects.toThrow();
    expect((await fetch(`${peer.url}/api/auth/token`)).status).toBe(401);

    const signIn = await fetch(
      `${peer.url}/api/auth/sign-in/email`,
      json({ email: 'grace@example.test', password: 'correct horse battery' }),
    );
    expect(signIn.status).toBe(200);
    const wrong = await fetch(
      `${peer.url}/api/auth/sign-in/email`,
      json({ email: 'grace@example.test', password: 'not the password' }),
    );
    expect(wrong.status).toBe(401);
    peer.child.kill('SIGKILL');
  });

  it('with session.cookieCache on, seeded users carry the session_data cookie and pass the route', async () => {
    const port = await freePort();
    const peer = await startPeer('better-auth-server.js', {
      dir,
      port,
      cookieCache: true,
      seedHash: 'fast',
    });
    const users = await seed<{ cookie: string; cacheCookie: string }>(peer, 3);
    for (const u of users) {
      expect(u.cacheCookie).toContain('better-auth.session_data=');
      const reply = await fetch(`${peer.url}/api/protected`, {
        headers: { cookie: u.cacheCookie },
      });
      expect(reply.status).toBe(200);
    }
    const sessions = await Promise.all(
      users.map(
        async (u) =>
          (
            (await (
              await fetch(`${peer.url}/api/protected`, { headers: { cookie: u.cookie } })
            ).json()) as {
              session: string;
            }
          ).session,
      ),
    );
    expect(new Set(sessions).size).toBe(3);

    // The cached rows measure the cookie cache, not the database: with the session row deleted, the
    // session_data cookie still answers, while the session token alone (a database lookup) is refused.
    const db = new Database(join(dir, 'better-auth.db'));
    db.prepare('DELETE FROM session WHERE id = ?').run(sessions[0]);
    db.close();
    const [gone] = users;
    if (gone === undefined) throw new Error('no user seeded');
    expect(
      (await fetch(`${peer.url}/api/protected`, { headers: { cookie: gone.cacheCookie } })).status,
    ).toBe(200);
    expect(
      (await fetch(`${peer.url}/api/protected`, { headers: { cookie: gone.cookie } })).status,
    ).toBe(401);
  });
});

describe('Tessera peer (createTesseraServer in Express)', () => {
  it('guards the route with requireAuth and rotates on /auth/refresh with the body transport', async () => {
    const peer = await startPeer('tessera-server.js', { dir: tempDir(), port: 0 });
    const [user] = await seed<{ accessToken: string; refreshToken: string }>(peer, 1);
    if (user === undefined) throw new Error('no user seeded');
    const guarded = await fetch(`${peer.url}/api/protected`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(guarded.status).toBe(200);
    expect(((await guarded.json()) as { user: string }).user).toBe('user-0');
    expect((await fetch(`${peer.url}/api/protected`)).status).toBe(401);

    const refreshed = await fetch(
      `${peer.url}/auth/refresh`,
      json({ refresh_token: user.refreshToken }),
    );
    expect(refreshed.status).toBe(200);
    const next = (await refreshed.json()) as { access_token: string; refresh_token: string };
    expect(next.refresh_token).not.toBe(user.refreshToken);
    expect(
      (
        await fetch(`${peer.url}/api/protected`, {
          headers: { authorization: `Bearer ${next.access_token}` },
        })
      ).status,
    ).toBe(200);
    expect(
      (await fetch(`${peer.url}/auth/refresh`, json({ refresh_token: next.refresh_token }))).status,
    ).toBe(200);
  });
});
