// Malformed refresh requests keep their exact codes while the session they aim at has spent its
// rotation budget: the limit applies after the token is read and decided, to rotations only, so a
// bad request is never a 429 and nothing becomes a 5xx. The reuse rule is not softened by the limit
// either: a stale token is REFRESH_TOKEN_REUSED, not a 429 that would hide the theft.
import type { Server } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/adapters/node.js';
import { ERROR_TABLE, type ErrorCode } from '../../src/errors/codes.js';
import { defaultRotationsPerMinute } from '../../src/sessions/rotation-limit.js';
import { createClient, expectProblem, type CallOptions, type Client } from './support/client.js';
import { APP_ORIGIN, createTestServer, type TestServer } from './support/server-kit.js';

let test: TestServer;
let http: Server;
let client: Client;
/** Tokens of one body session, oldest first; its budget is spent, so its current token gets 429. */
let chain: string[];
let accessToken: string;

beforeAll(async () => {
  test = await createTestServer();
  const started = await listen(test.server.handler, { port: 0, host: '127.0.0.1' });
  http = started.server;
  client = createClient(`http://127.0.0.1:${started.port}`, test.now);
  const user = await client.signup();
  accessToken = user.accessToken;
  chain = [user.refreshToken];
  for (let i = 0; i < defaultRotationsPerMinute(120); i++) {
    const response = await client.refresh({ ...user, refreshToken: chain.at(-1) as string });
    chain.push(((await response.json()) as { refresh_token: string }).refresh_token);
  }
});

afterAll(async () => {
  await new Promise<void>((done) => http.close(() => done()));
  await test.server.close();
  test.cleanup();
});

const current = (): string => chain.at(-1) as string;
const refresh = (options: CallOptions): Promise<Response> =>
  client.call('/auth/refresh', { method: 'POST', ...options });

async function expectCode(response: Response, code: ErrorCode): Promise<void> {
  await expectProblem(response, ERROR_TABLE[code].status, code);
}

describe('a malformed refresh request on a session at its rotation limit', () => {
  it('is limited itself only when it presents the current token', async () => {
    await expectCode(await refresh({ json: { refresh_token: current() } }), 'RATE_LIMITED');
  });

  const cases: [string, () => CallOptions, ErrorCode][] = [
    ['no body and no cookie', () => ({}), 'REFRESH_TOKEN_MISSING'],
    ['an empty object', () => ({ json: {} }), 'REFRESH_TOKEN_MISSING'],
    ['an empty token', () => ({ json: { refresh_token: '' } }), 'REFRESH_TOKEN_MISSING'],
    ['a number', () => ({ json: { refresh_token: 42 } }), 'REQUEST_INVALID'],
    ['null', () => ({ json: { refresh_token: null } }), 'REQUEST_INVALID'],
    ['an array body', () => ({ json: [current()] }), 'REQUEST_INVALID'],
    ['an extra field', () => ({ json: { refresh_token: current(), x: 1 } }), 'REQUEST_INVALID'],
    [
      'a token over 512 chars',
      () => ({ json: { refresh_token: `${current()}${'A'.repeat(512)}` } }),
      'REQUEST_INVALID',
    ],
    [
      'broken JSON',
      () => ({ body: '{"refresh_token":', contentType: 'application/json' }),
      'REQUEST_INVALID',
    ],
    [
      'a text body',
      () => ({ body: current(), contentType: 'text/plain' }),
      'MEDIA_TYPE_UNSUPPORTED',
    ],
    [
      'a body over 16 KB',
      () => ({ body: `{"x":"${'a'.repeat(17_000)}"}`, contentType: 'application/json' }),
      'REQUEST_TOO_LARGE',
    ],
    ['garbage', () => ({ json: { refresh_token: 'garbage' } }), 'REFRESH_TOKEN_MALFORMED'],
    [
      'the access token',
      () => ({ json: { refresh_token: accessToken } }),
      'REFRESH_TOKEN_MALFORMED',
    ],
    [
      'the current token cut short',
      () => ({ json: { refresh_token: current().slice(0, -1) } }),
      'REFRESH_TOKEN_MALFORMED',
    ],
    [
      'the current id with another secret',
      () => ({
        json: { refresh_token: `${current().slice(0, -1)}${current().endsWith('A') ? 'B' : 'A'}` },
      }),
      'REFRESH_TOKEN_UNKNOWN',
    ],
    [
      'a token of no session',
      () => ({ json: { refresh_token: `tsr_${'A'.repeat(22)}.${'B'.repeat(43)}` } }),
      'REFRESH_TOKEN_UNKNOWN',
    ],
    [
      'the token both in a cookie and the body',
      () => ({ json: { refresh_token: current() }, cookie: current(), origin: APP_ORIGIN }),
      'REQUEST_INVALID',
    ],
    [
      'a body session token in the cookie',
      () => ({ cookie: current(), origin: APP_ORIGIN }),
      'TRANSPORT_MISMATCH',
    ],
  ];
  it.each(cases)('%s gets its own code', async (_name, options, code) => {
    await expectCode(await refresh(options()), code);
  });

  it('never answers a generated token 429 or 5xx', async () => {
    const token = fc.oneof(
      fc.string({ maxLength: 120 }),
      fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 3 })).map(([at, insert]) => {
        const value = current();
        const cut = at % value.length;
        return `${value.slice(0, cut)}${insert}${value.slice(cut + 1)}`;
      }),
    );
    await fc.assert(
      fc.asyncProperty(token, async (value) => {
        fc.pre(value !== current());
        const response = await refresh({ json: { refresh_token: value } });
        const body = (await response.json()) as { code: ErrorCode };
        expect(response.status).toBe(ERROR_TABLE[body.code].status);
        expect(body.code).not.toBe('RATE_LIMITED');
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });

  it('still answers the previous token with grace, and an older one as reuse (last: it revokes)', async () => {
    expect(await (await refresh({ json: { refresh_token: chain.at(-2) } })).json()).toMatchObject({
      grace: true,
      refresh_token: current(),
    });
    await expectCode(
      await refresh({ json: { refresh_token: chain.at(-3) } }),
      'REFRESH_TOKEN_REUSED',
    );
    await expectCode(
      await refresh({ json: { refresh_token: current() } }),
      'REFRESH_TOKEN_REVOKED',
    );
  });
});
