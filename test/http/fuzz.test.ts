// Generated methods, paths, headers, cookies and bodies thrown at every endpoint of a real server: no 5xx,
// no crash, and no state change (the victims' sessions, generations and last-use times, and the global
// audit-event count, are what they were). The fuzzer holds only mutated copies of real credentials.
import { Agent, request as httpRequest, type Server } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/adapters/node.js';
import { createClient, type Client, type SignedIn } from './support/client.js';
import { APP_ORIGIN, createTestServer, type TestServer } from './support/server-kit.js';

let test: TestServer;
let http: Server;
let port: number;
let client: Client;
let victims: SignedIn[];
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

beforeAll(async () => {
  test = await createTestServer();
  const started = await listen(test.server.handler, { port: 0, host: '127.0.0.1' });
  http = started.server;
  port = started.port;
  client = createClient(`http://127.0.0.1:${port}`, test.now);
  victims = [
    await client.signup({ transport: 'cookie' }),
    await client.signup({ transport: 'body' }),
  ];
});

afterAll(async () => {
  agent.destroy();
  await new Promise<void>((done) => http.close(() => done()));
  await test.server.close();
  test.cleanup();
});

const PATHS = [
  '/auth/signup',
  '/auth/login',
  '/auth/refresh',
  '/auth/logout',
  '/auth/logout-all',
  '/auth/password',
  '/auth/password-reset',
  '/auth/password-reset/confirm',
  '/auth/ticket',
  '/auth/me',
  '/auth/sessions',
  '/auth/sessions/x',
  '/auth/time',
  '/oauth/token',
  '/.well-known/jwks.json',
  '/.well-known/oauth-authorization-server',
  '/healthz',
  '/openapi.json',
  '/',
  '/nope',
];

/** Printable ASCII and Latin-1: everything Node lets a client put in a header value. */
const headerText = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
    .map((c) => String.fromCharCode(c)),
  maxLength: 80,
});
const pathText = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 40,
});

/** A real credential with one character changed, cut short, or extended: never the credential itself. */
function mutated(original: () => string): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.nat(),
      fc.constantFrom('flip', 'cut', 'extend'),
      fc.constantFrom('A', 'b', '_', '-', '.', '0', '%', '"'),
    )
    .map(([at, how, char]) => {
      const value = original();
      const i = at % value.length;
      if (how === 'cut') return value.slice(0, i);
      if (how === 'extend') return value + char;
      return value.slice(0, i) + (value[i] === char ? '~' : char) + value.slice(i + 1);
    })
    .filter((value) => value !== original());
}

const accessToken = fc.oneof(
  mutated(() => victims[0]?.accessToken ?? ''),
  mutated(() => victims[1]?.accessToken ?? ''),
  headerText,
);
const refreshToken = fc.oneof(
  mutated(() => victims[0]?.refreshToken ?? ''),
  mutated(() => victims[1]?.refreshToken ?? ''),
  headerText,
  fc.constant('tsr_'),
);

const jsonBody = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc
    .record({ email: fc.string(), password: fc.string() }, { requiredKeys: [] })
    .map((v) => JSON.stringify(v)),
  fc
    .record(
      { refresh_token: fc.oneof(refreshToken, fc.integer(), fc.constant(null)) },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        keep_current: fc.oneof(fc.boolean(), fc.string()),
        current_password: fc.string(),
        new_password: fc.string(),
        token: fc.string(),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
);
const formBody = fc
  .dictionary(
    fc.constantFrom('grant_type', 'refresh_token', 'client_id', 'scope', 'x'),
    fc.oneof(refreshToken, fc.constantFrom('refresh_token', 'tessera', 'password')),
  )
  .map((v) => new URLSearchParams(v).toString());

const requestArb = fc.record({
  method: fc.constantFrom(
    'GET',
    'POST',
    'POST',
    'POST',
    'DELETE',
    'PUT',
    'PATCH',
    'OPTIONS',
    'HEAD',
  ),
  path: fc.oneof(
    fc.constantFrom(...PATHS),
    fc
      .constantFrom(...PATHS)
      .chain((p) =>
        pathText.map(
          (tail) => `${p}${tail.startsWith('/') || tail.startsWith('?') ? '' : '/'}${tail}`,
        ),
      ),
    fc.constant('/auth/sessions/%E0%A4%A'),
    fc.constant('/auth/me?access_token=x'),
  ),
  contentType: fc.option(
    fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'application/x-www-form-urlencoded',
        'text/plain',
        'multipart/form-data',
        'APPLICATION/JSON',
      ),
      headerText,
    ),
    { nil: undefined },
  ),
  body: fc.option(
    fc.oneof(
      jsonBody,
      formBody,
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
    ),
    { nil: undefined },
  ),
  authorization: fc.option(
    fc.oneof(
      accessToken.map((t) => `Bearer ${t}`),
      headerText,
      fc.constantFrom('Bearer', 'Bearer ', 'Bearer undefined', 'Basic eDp5'),
    ),
    { nil: undefined },
  ),
  cookie: fc.option(
    fc.oneof(
      refreshToken.map((t) => `__Secure-tessera_rt=${t}`),
      refreshToken.map((t) => `__Secure-tessera_rt=${t}; __Secure-tessera_rt=x`),
      headerText,
      fc.constant('__Secure-tessera_rt='),
    ),
    { nil: undefined },
  ),
  origin: fc.option(
    fc.oneof(fc.constantFrom(APP_ORIGIN, 'null', 'https://evil.test'), headerText),
    { nil: undefined },
  ),
  csrf: fc.option(fc.oneof(fc.constant('1'), headerText), { nil: undefined }),
  transport: fc.option(fc.oneof(fc.constantFrom('body', 'cookie', 'BODY'), headerText), {
    nil: undefined,
  }),
  forwarded: fc.option(headerText, { nil: undefined }),
});

type Generated = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

function send(
  input: Generated,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  const headers: Record<string, string> = {};
  if (input.contentType !== undefined) headers['content-type'] = input.contentType;
  if (input.authorization !== undefined) headers.authorization = input.authorization;
  if (input.cookie !== undefined) headers.cookie = input.cookie;
  if (input.origin !== undefined) headers.origin = input.origin;
  if (input.csrf !== undefined) headers['tessera-csrf'] = input.csrf;
  if (input.transport !== undefined) headers['token-transport'] = input.transport;
  if (input.forwarded !== undefined) headers['x-forwarded-for'] = input.forwarded;
  // Node's client frames a GET or DELETE body only when told its length; unframed, the bytes would read as a second request.
  if (input.body !== undefined) headers['content-length'] = String(Buffer.byteLength(input.body));
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: input.path, method: input.method, headers, agent },
      (res) => {
        res.resume();
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(input.body);
  });
}

async function snapshot(): Promise<unknown> {
  const store = test.server.store;
  const rows = [];
  for (const victim of victims) {
    const session = await store.findSession(victim.sessionId);
    rows.push([
      session?.generation,
      session?.revokedAt,
      session?.lastUsedAt,
      (await store.listSessions(session?.userId ?? '')).length,
    ]);
  }
  return { rows, events: (await store.listEvents({ limit: 1_000_000 })).length };
}

describe('fuzzing every endpoint', () => {
  it('never answers 5xx, keeps every response well-formed, and changes no state', async () => {
    const before = await snapshot();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestArb, async (input) => {
        const { status, headers } = await send(input);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(status).toBeLessThan(500);
        expect(headers.date).toBeDefined();
        expect(headers['access-control-allow-origin']).not.toBe('*');
        if (status === 401 && headers['www-authenticate'] !== undefined)
          expect(String(headers['www-authenticate'])).toMatch(
            /^Bearer realm="tessera"(, error="invalid_token", error_description="[\x20-\x21\x23-\x5b\x5d-\x7e]+")?$|^Basic realm="tessera"$/,
          );
      }),
      { numRuns: 600 },
    );
    expect(await snapshot()).toEqual(before);
    // A real spread of answers, not 600 copies of one refusal.
    expect([...statuses.keys()].length).toBeGreaterThanOrEqual(6);
    // Still serving, and the victims' credentials still work.
    expect((await client.call('/healthz')).status).toBe(200);
    for (const victim of victims) expect((await client.refresh(victim)).status).toBe(200);
  });
});
