// Two parsers reading one body differently is how a proxy checks one field and Tessera acts on another:
// JSON.parse keeps the last duplicate, so a duplicate member name, at any depth, is refused with its own
// code before any field is read. And HEAD is GET without the body (RFC 9110 section 9.3.2): monitors
// and caches send it, and a 405 there reads as an outage. Run on SQLite and on PostgreSQL.
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/adapters/node.js';
import { createResourceGuard } from '../../src/http/require-auth.js';
import { withDemoRoutes } from '../../src/server/demo-routes.js';
import { createClient, expectProblem, type Client, type SignedIn } from './support/client.js';
import { createScratchDatabase, type ScratchDatabase } from './support/scratch-database.js';
import { AUDIENCE, ISSUER, createTestServer, type TestServer } from './support/server-kit.js';

describe.each(['sqlite', 'postgres'] as const)('strict bodies and HEAD on %s', (kind) => {
  let database: ScratchDatabase | undefined;
  let test: TestServer;
  let http: Server;
  let client: Client;
  let user: SignedIn;

  beforeAll(async () => {
    database = kind === 'postgres' ? await createScratchDatabase('strict') : undefined;
    test = await createTestServer(database === undefined ? {} : { 'database-url': database.url });
    // The demo's routes in front, as `tessera serve` mounts them in development.
    const handler = withDemoRoutes(test.server.handler, {
      guard: createResourceGuard({
        issuer: ISSUER,
        audience: AUDIENCE,
        keys: test.server.keyring,
        revocations: test.server.revocations,
        now: test.now,
      }),
      now: test.now,
      distDir: new URL('../../dist/', import.meta.url),
    });
    const started = await listen(handler, { port: 0, host: '127.0.0.1' });
    http = started.server;
    client = createClient(`http://127.0.0.1:${started.port}`, test.now);
    user = await client.signup();
  });

  afterAll(async () => {
    await new Promise<void>((done) => http.close(() => done()));
    await test.server.close();
    test.cleanup();
    await database?.drop();
  });

  const raw = (path: string, body: string): Promise<Response> =>
    client.call(path, { method: 'POST', body, contentType: 'application/json' });

  describe('duplicate member names', () => {
    it('refuses a duplicated refresh_token with REQUEST_DUPLICATE_KEY, rotating nothing', async () => {
      const before = await test.server.store.findSession(user.sessionId);
      const body = `{"refresh_token":"${user.refreshToken}","refresh_token":"tsr_${'A'.repeat(22)}.${'B'.repeat(43)}"}`;
      const problem = await expectProblem(
        await raw('/auth/refresh', body),
        400,
        'REQUEST_DUPLICATE_KEY',
      );
      expect(JSON.stringify(problem)).not.toContain(user.refreshToken);
      expect(problem.facts).toEqual({ field: 'refresh_token' });
      const after = await test.server.store.findSession(user.sessionId);
      expect(after?.generation).toBe(before?.generation);
    });

    it('refuses a duplicated password at login without echoing either value', async () => {
      const body = `{"email":"${user.email}","password":"wrong-one-1","password":"${user.password}"}`;
      const problem = await expectProblem(
        await raw('/auth/login', body),
        400,
        'REQUEST_DUPLICATE_KEY',
      );
      const text = JSON.stringify(problem);
      expect(text).not.toContain('wrong-one-1');
      expect(text).not.toContain(user.password);
    });

    it.each([
      ['nested one level', '{"refresh_token":"x","n":{"k":1,"k":2}}'],
      ['nested in an array', '{"refresh_token":"x","n":[{"k":1},{"j":[{"k":1,"k":2}]}]}'],
      ['spelled with an escape', '{"refresh_token":"a","refresh\\u005ftoken":"b"}'],
      ['named __proto__ twice', '{"__proto__":{"a":1},"__proto__":{"b":2}}'],
      ['named with spaces around the colon', '{ "refresh_token" : "a" , "refresh_token" : "b" }'],
    ])('refuses a duplicate %s', async (_name, body) => {
      await expectProblem(await raw('/auth/refresh', body), 400, 'REQUEST_DUPLICATE_KEY');
    });

    it('names no field when the duplicated name is not a plain field name (it could be a pasted token)', async () => {
      const name = `tsr_${'A'.repeat(22)}.${'B'.repeat(43)}`;
      const problem = await expectProblem(
        await raw('/auth/refresh', `{"${name}":1,"${name}":2}`),
        400,
        'REQUEST_DUPLICATE_KEY',
      );
      expect(JSON.stringify(problem)).not.toContain(name);
      expect(problem.facts).toBeUndefined();
    });

    it('accepts one name in sibling objects and the same string as a key and a value (controls)', async () => {
      await expectProblem(
        await raw('/auth/refresh', '{"n":[{"k":1},{"k":2}],"m":{"k":"k"}}'),
        400,
        'REQUEST_INVALID',
      );
      const response = await raw('/auth/refresh', `{"refresh_token":"${user.refreshToken}"}`);
      expect(response.status).toBe(200);
      user = {
        ...user,
        refreshToken: ((await response.json()) as { refresh_token: string }).refresh_token,
      };
    });

    it('treats a __proto__ member as an unknown field, never as the prototype', async () => {
      const problem = await expectProblem(
        await raw('/auth/refresh', '{"__proto__":{"polluted":true},"refresh_token":"x"}'),
        400,
        'REQUEST_INVALID',
      );
      expect(String(problem.detail)).toContain('__proto__');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('HEAD', () => {
    const head = async (path: string, bearer?: string): Promise<void> => {
      const options = bearer === undefined ? {} : { bearer };
      const got = await client.call(path, options);
      const gotBody = new Uint8Array(await got.arrayBuffer());
      const headed = await client.call(path, { ...options, method: 'HEAD' });
      expect(headed.status, path).toBe(got.status);
      expect(new Uint8Array(await headed.arrayBuffer()).byteLength, path).toBe(0);
      for (const name of [
        'content-type',
        'cache-control',
        'www-authenticate',
        'content-security-policy',
      ])
        expect(headed.headers.get(name), `${path} ${name}`).toBe(got.headers.get(name));
      expect(headed.headers.get('content-length'), path).toBe(String(gotBody.byteLength));
    };

    it.each([
      '/healthz',
      '/.well-known/jwks.json',
      '/.well-known/oauth-authorization-server',
      '/auth/time',
      '/openapi.json',
      '/demo/client/auth-client.js',
    ])('answers HEAD %s like GET, without the body', async (path) => {
      await head(path);
      expect((await client.call(path)).status, path).toBe(200);
    });

    it('answers HEAD on the protected GET routes like GET, signed in or not', async () => {
      for (const path of ['/auth/me', '/auth/sessions', '/demo/api/hello']) {
        await head(path, user.accessToken);
        await head(path);
      }
    });

    it('still answers 405 to HEAD on a POST-only route, and 404 off any route', async () => {
      // A HEAD answer has no body to carry the problem: the status says it.
      expect((await client.call('/auth/refresh', { method: 'HEAD' })).status).toBe(405);
      expect((await client.call('/nowhere', { method: 'HEAD' })).status).toBe(404);
    });
  });
});
