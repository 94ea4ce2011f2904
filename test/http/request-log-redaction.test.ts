// Clients put tokens where they don't belong: in a path (`/reset/tsp_…`), in a query (`?access_token=`),
// percent-encoded or not. The request log must name the route and keep the rest readable, and no log
// line may carry such a value: logs travel to aggregators, tickets and screenshots. The attack half
// drives a real server over real sockets and reads what its logger actually wrote.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/adapters/node.js';
import { createResourceGuard } from '../../src/http/require-auth.js';
import { looksLikeToken, redactUrl } from '../../src/http/redact-url.js';
import { mintSecret } from '../../src/secrets/opaque-secret.js';
import { resolveConfig } from '../../src/server/config.js';
import { createTesseraServer, type TesseraServer } from '../../src/server/create-server.js';
import { withDemoRoutes } from '../../src/server/demo-routes.js';
import { createClient, type Client } from './support/client.js';
import { APP_ORIGIN, AUDIENCE, ISSUER } from './support/server-kit.js';

const REFRESH = mintSecret('tsr', { pepper: undefined }).value;
const RESET = mintSecret('tsp', { pepper: undefined }).value;
const TICKET = mintSecret('tst', { pepper: undefined }).value;
const SECRET_PART = (REFRESH.split('.')[1] as string).padEnd(43, 'x');

describe('redactUrl', () => {
  it.each([
    '/',
    '/healthz',
    '/.well-known/jwks.json',
    '/.well-known/oauth-authorization-server',
    '/demo/client/demo/demo-app.js',
    '/auth/sessions/Ab3dEfGh1jKlMn0pQrStUv',
    '/auth/time?lang=en&page=2',
    '/openapi.json?x',
    '/a/b%20c/d?q=hello%20world&empty=',
  ])('leaves %s as it is', (url) => {
    expect(redactUrl(url)).toBe(url);
  });

  it.each([
    [`/auth/reset/${RESET}`, '/auth/reset/[redacted]'],
    [`/x/${REFRESH}/y`, '/x/[redacted]/y'],
    ['/x/eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl', '/x/[redacted]'],
    ['/x/eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.', '/x/[redacted]'],
    [`/x/${SECRET_PART}`, '/x/[redacted]'],
    ['/x/0123456789abcdef0123456789abcdef0123', '/x/[redacted]'],
    ['/cb?code=4%2F0AbCd&state=ok', '/cb?code=[redacted]&state=ok'],
    [
      '/p?password=hunter2&Token=x&ACCESS_TOKEN=y',
      '/p?password=[redacted]&Token=[redacted]&ACCESS_TOKEN=[redacted]',
    ],
    [`/p?next=${encodeURIComponent(RESET)}`, '/p?next=[redacted]'],
    [
      `/p?ticket=${TICKET}&refresh_token=${REFRESH}&key=k1`,
      '/p?ticket=[redacted]&refresh_token=[redacted]&key=[redacted]',
    ],
    [`/p?${REFRESH}`, '/p?[redacted]'],
    [`https://auth.example.com/p/${REFRESH}?a=1#frag`, '/p/[redacted]?a=1'],
  ])('redacts %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('judges a standard-base64 secret sent percent-encoded', () => {
    const secret = Buffer.from('a'.repeat(20) + '\xff\xfe\xfd'.repeat(6), 'latin1').toString(
      'base64',
    );
    expect(secret).toMatch(/[+/=]/);
    expect(looksLikeToken(encodeURIComponent(secret))).toBe(true);
    expect(redactUrl(`/p?next=${encodeURIComponent(secret)}`)).toBe('/p?next=[redacted]');
  });

  it('survives a broken percent-escape and never throws', () => {
    expect(redactUrl('/a/%E0%A4%A?token=%')).toBe('/a/%E0%A4%A?token=[redacted]');
    expect(redactUrl('')).toBe('');
  });
});

describe('the request log of a real server', () => {
  let directory: string;
  let server: TesseraServer;
  let http: Server;
  let client: Client;
  const lines: string[] = [];

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'tessera-log-'));
    const config = await resolveConfig({
      flags: {
        db: join(directory, 'tessera.db'),
        issuer: ISSUER,
        audience: AUDIENCE,
        'allowed-origins': APP_ORIGIN,
        'trust-proxy': 'true',
      },
      env: {},
      cwd: directory,
    });
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    server = await createTesseraServer({ config, logger });
    const handler = withDemoRoutes(server.handler, {
      guard: createResourceGuard({
        issuer: ISSUER,
        audience: AUDIENCE,
        keys: server.keyring,
        revocations: server.revocations,
      }),
      logger,
    });
    const started = await listen(handler, { port: 0, host: '127.0.0.1' });
    http = started.server;
    client = createClient(`http://127.0.0.1:${started.port}`, Date.now);
  });

  afterAll(async () => {
    await new Promise<void>((done) => http.close(() => done()));
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('logs no token a client put in a path or a query, and keeps the route readable', async () => {
    const signup = await client.call('/auth/signup', {
      json: { email: `log-${process.pid}@example.test`, password: 'correct horse battery' },
      headers: { 'token-transport': 'body' },
      ip: '10.9.9.9',
    });
    expect(signup.status).toBe(201);
    const { access_token: jwt, refresh_token: refresh } = (await signup.json()) as {
      access_token: string;
      refresh_token: string;
    };
    const values = [jwt, refresh, RESET, TICKET, SECRET_PART, 'hunter2-not-logged'];
    const requests: [string, string][] = [
      ['GET', `/auth/me?access_token=${jwt}`],
      ['GET', `/.well-known/jwks.json?token=${refresh}&lang=en`],
      ['POST', `/auth/refresh/${refresh}`],
      ['DELETE', `/auth/sessions/${jwt}`],
      ['GET', `/auth/password-reset/${RESET}?password=hunter2-not-logged`],
      ['GET', `/auth/time?ticket=${TICKET}`],
      ['GET', `/nowhere/${SECRET_PART}?next=${encodeURIComponent(jwt)}`],
      ['GET', `/demo/api/hello?access_token=${jwt}`],
      ['GET', `/demo/client/${refresh}.js`],
    ];
    const before = lines.length;
    for (const [method, path] of requests) {
      const response = await fetch(`${client.baseUrl}${path}`, { method });
      await response.arrayBuffer();
    }
    const written = lines.slice(before);
    const logged = written
      .map((line) => JSON.parse(line) as { msg: string; path?: string })
      .filter((entry) => entry.msg === 'request');
    expect(logged).toHaveLength(requests.length);
    for (const line of written) for (const value of values) expect(line).not.toContain(value);
    expect(logged.map((entry) => entry.path)).toEqual([
      '/auth/me?access_token=[redacted]',
      '/.well-known/jwks.json?token=[redacted]&lang=en',
      '/auth/refresh/[redacted]',
      '/auth/sessions/[redacted]',
      '/auth/password-reset/[redacted]?password=[redacted]',
      '/auth/time?ticket=[redacted]',
      '/nowhere/[redacted]?next=[redacted]',
      '/demo/api/hello?access_token=[redacted]',
      '/demo/client/[redacted]',
    ]);
    // Nor does the answer repeat it: a 405 names the path, redacted.
    const wrongMethod = await fetch(`${client.baseUrl}/auth/sessions/${jwt}`, { method: 'PUT' });
    expect(wrongMethod.status).toBe(405);
    const detail = ((await wrongMethod.json()) as { detail: string }).detail;
    expect(detail).toBe('PUT is not allowed on /auth/sessions/[redacted].');
  });
});
