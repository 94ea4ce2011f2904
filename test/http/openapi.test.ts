// The OpenAPI document checked against real responses: every answer of a real server to a tour of every
// endpoint must be a documented status with the documented media type and a body matching the schema,
// every documented success must be seen at least once, and the request bodies the tour sends must match
// the documented request schemas.
import type { Server } from 'node:http';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/adapters/node.js';
import { createFeedCredentials } from '../../src/sessions/feed-credentials.js';
import type { FeedCredentialStore } from '../../src/store/feed-credential-store.js';
import { createClient, type CallOptions, type Client } from './support/client.js';
import { checkSchema } from './support/schema-check.js';
import {
  APP_ORIGIN,
  createTestServer,
  freshEmail,
  freshIp,
  type TestServer,
} from './support/server-kit.js';

type Schema = Record<string, unknown>;

// Legacy adoption is on, so its two routes are toured too (issue 14).
const LEGACY = {
  secret: 'q8J0v2mYb7kZp4Nw1sLxT9cR6eHdU3aF5gQiVoWzKjE',
  algorithms: ['HS256'],
  userIdClaim: 'userId',
  windowEnds: '2099-01-01',
};
const legacyJwt = (userId: string): string =>
  jwt.sign({ userId, exp: Math.floor(test.now() / 1000) + 600 }, LEGACY.secret);

interface Exchange {
  method: string;
  path: string;
  template: string;
  status: number;
  contentType: string | null;
  text: string;
  requestJson?: unknown;
}

let test: TestServer;
let http: Server;
let client: Client;
let doc: Schema;
const exchanges: Exchange[] = [];

/** The document's path template for a concrete path (`/auth/sessions/abc` -> `/auth/sessions/{id}`). */
function templateOf(path: string): string {
  const bare = path.split('?')[0] as string;
  for (const template of Object.keys(doc.paths as Schema)) {
    if (new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare)) return template;
  }
  return bare;
}

async function record(
  path: string,
  options: CallOptions = {},
  via: Client = client,
): Promise<Response> {
  const response = await via.call(path, options);
  const text = await response.clone().text();
  const method = (
    options.method ?? (options.json !== undefined || options.body !== undefined ? 'POST' : 'GET')
  ).toLowerCase();
  exchanges.push({
    method,
    path,
    template: templateOf(path),
    status: response.status,
    contentType: response.headers.get('content-type'),
    text,
    ...(options.json === undefined ? {} : { requestJson: options.json }),
  });
  return response;
}

beforeAll(async () => {
  test = await createTestServer({}, {}, { legacy: LEGACY });
  const started = await listen(test.server.handler, { port: 0, host: '127.0.0.1' });
  http = started.server;
  client = createClient(`http://127.0.0.1:${started.port}`, test.now);
  doc = (await (await client.call('/openapi.json')).json()) as Schema;
  await tour();
  // Sign-up with --require-verified-email answers 202 whether or not the address is taken.
  const verified = await createTestServer({ 'require-verified-email': 'true' });
  const listening = await listen(verified.server.handler, { port: 0, host: '127.0.0.1' });
  const verifiedClient = createClient(`http://127.0.0.1:${listening.port}`, verified.now);
  const json = { email: freshEmail('doc-verified'), password: 'correct horse battery' };
  await record('/auth/signup', { json, ip: freshIp() }, verifiedClient);
  await record('/auth/signup', { json, ip: freshIp() }, verifiedClient);
  await new Promise<void>((done) => listening.server.close(() => done()));
  await verified.server.close();
  verified.cleanup();
});

afterAll(async () => {
  await new Promise<void>((done) => http.close(() => done()));
  await test.server.close();
  test.cleanup();
});

/** Visits every endpoint with successes and the common failures. */
async function tour(): Promise<void> {
  const email = freshEmail('doc');
  const password = 'correct horse battery';
  const ip = freshIp();
  const body = (r: Response): Promise<Record<string, string>> =>
    r.clone().json() as Promise<Record<string, string>>;
  const signup = await body(
    await record('/auth/signup', {
      json: { email, password },
      headers: { 'token-transport': 'body' },
      ip,
    }),
  );
  await record('/auth/signup', { json: { email, password }, ip });
  const verify = test.mails.find((mail) => mail.kind === 'verify' && mail.to === email);
  await record('/auth/verify-email', { json: { token: verify?.token }, ip });
  await record('/auth/verify-email', { json: { token: verify?.token }, ip });
  await record('/auth/signup', { body: 'x', contentType: 'text/plain', ip });
  await record('/auth/signup', { json: { email: 'not an email', password }, ip });
  const login = await body(
    await record('/auth/login', {
      json: { email, password },
      headers: { 'token-transport': 'body' },
      ip,
    }),
  );
  await record('/auth/login', { json: { email, password: 'wrong password' }, ip });
  const cookieLogin = await record('/auth/login', { json: { email, password }, ip });
  const refreshed = await body(
    await record('/auth/refresh', { json: { refresh_token: signup.refresh_token } }),
  );
  await record('/auth/refresh', { json: { refresh_token: 'tsr_nope' } });
  await record('/auth/refresh', { method: 'POST', cookie: 'tsr_x.y', origin: 'https://evil.test' });
  const access = refreshed.access_token as string;
  await record('/auth/me', { bearer: access });
  await record('/auth/me');
  const sessions = (await (await record('/auth/sessions', { bearer: access })).clone().json()) as {
    sessions: { id: string }[];
  };
  expect(sessions.sessions.length).toBe(3);
  await record('/auth/ticket', { method: 'POST', bearer: access });
  await record(`/auth/sessions/${login.session_id}`, { method: 'DELETE', bearer: access });
  await record('/auth/sessions/unknown', { method: 'DELETE', bearer: access });
  await record('/auth/time');
  const token = await body(
    await record('/oauth/token', {
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshed.refresh_token as string,
        client_id: 'tessera',
      }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    }),
  );
  expect(token.refresh_token).toMatch(/^tsr_/);
  await record('/oauth/token', {
    body: 'grant_type=refresh_token&refresh_token=tsr_nope&client_id=tessera',
    contentType: 'application/x-www-form-urlencoded',
  });
  await record('/oauth/token', {
    body: 'grant_type=refresh_token&refresh_token=tsr_nope',
    contentType: 'application/x-www-form-urlencoded',
  });
  const exchangeForm = (subject: string): string =>
    new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: subject,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      client_id: 'tessera',
    }).toString();
  const contentType = 'application/x-www-form-urlencoded';
  const exchanged = legacyJwt('doc-native');
  await record('/oauth/token', { body: exchangeForm(exchanged), contentType });
  await record('/oauth/token', { body: exchangeForm(exchanged), contentType });
  await record('/auth/adopt', {
    json: { subject_token: legacyJwt('doc-web') },
    origin: APP_ORIGIN,
  });
  await record('/auth/adopt', { json: { subject_token: 'not-a-jwt' }, origin: APP_ORIGIN });
  await record('/auth/adopt', { json: { subject_token: legacyJwt('doc-csrf') } });
  // The revocation feed takes a feed credential, never an access token.
  const feeds = createFeedCredentials({ store: test.server.store as FeedCredentialStore });
  const { value: feedCredential } = await feeds.create('openapi-tour');
  await record('/auth/revocations?since=0&limit=2', { bearer: feedCredential });
  await record('/auth/revocations', { bearer: access });
  await record('/auth/revocations?since=-1', { bearer: feedCredential });
  for (const path of [
    '/.well-known/jwks.json',
    '/.well-known/oauth-authorization-server',
    '/healthz',
    '/openapi.json',
  ])
    await record(path);
  // logout-all before the password changes: see regressions.test.ts for a login right after a user-wide cut.
  await record('/auth/logout-all', { json: { keep_current: true }, bearer: access });
  await record('/auth/password', {
    json: { current_password: 'wrong password', new_password: 'second password' },
    bearer: access,
  });
  await record('/auth/password', {
    json: { current_password: password, new_password: 'second password' },
    bearer: access,
  });
  await record('/auth/password-reset', { json: { email }, ip });
  await record('/auth/password-reset/confirm', {
    json: { token: test.resetTokens.at(-1)?.token, new_password: 'third password' },
    ip,
  });
  await record('/auth/password-reset/confirm', {
    json: { token: 'tsp_nope', new_password: 'third password' },
    ip,
  });
  const relogin = await body(
    await record('/auth/login', {
      json: { email, password: 'third password' },
      headers: { 'token-transport': 'body' },
      ip,
    }),
  );
  await record('/auth/logout', { json: { refresh_token: relogin.refresh_token } });
  await record('/auth/logout', {
    method: 'POST',
    cookie: (cookieLogin.headers.getSetCookie()[0] ?? '').split(';')[0]?.split('=')[1],
    origin: APP_ORIGIN,
  });
  const attacker = freshIp();
  for (let i = 0; i < 11; i++)
    await record('/auth/login', { json: { email, password: `guess ${i} wrong` }, ip: attacker });
}

describe('the OpenAPI document against real responses', () => {
  it('is OpenAPI 3.1 and names every route the server has', () => {
    expect(doc.openapi).toBe('3.1.0');
    const served = [
      '/auth/signup',
      '/auth/login',
      '/auth/refresh',
      '/auth/logout',
      '/auth/logout-all',
      '/auth/password',
      '/auth/password-reset',
      '/auth/password-reset/confirm',
      '/auth/verify-email',
      '/auth/ticket',
      '/auth/me',
      '/auth/sessions',
      '/auth/sessions/{id}',
      '/auth/adopt',
      '/auth/revocations',
      '/auth/time',
      '/oauth/token',
      '/.well-known/jwks.json',
      '/.well-known/oauth-authorization-server',
      '/healthz',
      '/openapi.json',
    ];
    expect(Object.keys(doc.paths as Schema).sort()).toEqual(served.sort());
  });

  it('documents the status and media type of every real answer, and every JSON body matches its schema', () => {
    const problems: string[] = [];
    for (const x of exchanges) {
      const where = `${x.method.toUpperCase()} ${x.path} -> ${x.status}`;
      const operation = ((doc.paths as Record<string, Schema>)[x.template] ?? {})[x.method] as
        Schema | undefined;
      const answer = (operation?.responses as Record<string, Schema> | undefined)?.[
        String(x.status)
      ];
      if (answer === undefined) {
        problems.push(`${where}: status not documented`);
        continue;
      }
      const content = answer.content as Record<string, { schema: Schema }> | undefined;
      if (content === undefined) {
        if (x.text !== '') problems.push(`${where}: documented without a body, but one came`);
        continue;
      }
      const media = (x.contentType ?? '').split(';')[0]?.trim() ?? '';
      const documented = content[media];
      if (documented === undefined) {
        problems.push(
          `${where}: media type ${media} not documented (${Object.keys(content).join(', ')})`,
        );
        continue;
      }
      problems.push(
        ...checkSchema(documented.schema, JSON.parse(x.text), doc).map((p) => `${where}: ${p}`),
      );
    }
    expect(problems).toEqual([]);
    expect(exchanges.length).toBeGreaterThan(40);
  });

  it('saw every documented success at least once', () => {
    const seen = new Set(exchanges.map((x) => `${x.method} ${x.template} ${x.status}`));
    const missing: string[] = [];
    for (const [template, item] of Object.entries(
      doc.paths as Record<string, Record<string, Schema>>,
    )) {
      for (const [method, operation] of Object.entries(item)) {
        for (const status of Object.keys(operation.responses as Schema))
          if (status.startsWith('2') && !seen.has(`${method} ${template} ${status}`))
            missing.push(`${method} ${template} ${status}`);
      }
    }
    expect(missing).toEqual([]);
    expect(seen).toContain('post /auth/login 429');
  });

  it('accepts the request bodies that real clients send', () => {
    const problems: string[] = [];
    for (const x of exchanges.filter((e) => e.requestJson !== undefined && e.status < 300)) {
      const operation = ((doc.paths as Record<string, Schema>)[x.template] ?? {})[
        x.method
      ] as Schema;
      const schema = (
        (operation.requestBody as Schema | undefined)?.content as
          Record<string, { schema: Schema }> | undefined
      )?.['application/json']?.schema;
      if (schema === undefined)
        problems.push(`${x.method} ${x.path}: a JSON body was accepted but none is documented`);
      else
        problems.push(
          ...checkSchema(schema, x.requestJson, doc).map(
            (p) => `${x.method} ${x.path} request: ${p}`,
          ),
        );
    }
    expect(problems).toEqual([]);
  });

  it('has a validator that catches wrong types, missing members, bad enums and unknown keywords', () => {
    const root = {
      components: {
        schemas: {
          P: {
            type: 'object',
            properties: { n: { type: 'integer' }, b: { enum: ['x', null] } },
            required: ['n'],
          },
        },
      },
    };
    expect(checkSchema({ $ref: '#/components/schemas/P' }, { n: 1, b: null }, root)).toEqual([]);
    expect(checkSchema({ $ref: '#/components/schemas/P' }, { n: 1.5 }, root)).toEqual([
      '$.n: expected integer, got number',
    ]);
    expect(checkSchema({ $ref: '#/components/schemas/P' }, { b: 'y' }, root)).toHaveLength(2);
    expect(
      checkSchema({ type: 'array', items: { const: 'Bearer' } }, ['Bearer', 'bearer'], root),
    ).toEqual(['$[1]: expected "Bearer"']);
    expect(() => checkSchema({ additionalProperties: false }, {}, root)).toThrow(/not supported/);
  });
});
