// Bugs the HTTP tests found outside src/http, pinned with a stopped clock so they fail every time, not
// only when the wall clock happens to line up.
import type { Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/adapters/node.js';
import { createClient, type Client } from './support/client.js';
import { createTestServer, freshIp, type TestServer } from './support/server-kit.js';

let test: TestServer;
let http: Server;
let client: Client;

beforeAll(async () => {
  test = await createTestServer();
  const started = await listen(test.server.handler, { port: 0, host: '127.0.0.1' });
  http = started.server;
  client = createClient(`http://127.0.0.1:${started.port}`, test.now);
});

afterEach(() => test.setClock(undefined));

afterAll(async () => {
  await new Promise<void>((done) => http.close(() => done()));
  await test.server.close();
  test.cleanup();
});

/** An instant half a second into a whole second of the server's clock. */
const midSecond = (): number => Math.ceil(test.now() / 1000) * 1000 + 500;

describe('a sign-in in the same second as a user-wide revocation', () => {
  // revocation-view.ts compares the access token's iat (whole seconds, floored) with the cut in ms, so a
  // token issued later in the same second as logout-all, a password change or a reset reads as older than
  // the cut and is refused with TOKEN_REVOKED for its whole lifetime, while its session is live.
  it('gets a working access token after logout-all', async () => {
    const user = await client.signup();
    test.setClock(midSecond());
    expect(
      (await client.call('/auth/logout-all', { json: {}, bearer: user.accessToken })).status,
    ).toBe(204);
    const again = await client.login(user);
    const me = await client.call('/auth/me', { bearer: again.accessToken });
    expect({ status: me.status, body: await me.json() }).toMatchObject({ status: 200 });
  });

  it('gets a working access token right after a password reset', async () => {
    const user = await client.signup();
    await client.call('/auth/password-reset', { json: { email: user.email }, ip: freshIp() });
    test.setClock(midSecond());
    const confirm = await client.call('/auth/password-reset/confirm', {
      json: { token: test.resetTokens.at(-1)?.token, new_password: 'a fresh password' },
      ip: freshIp(),
    });
    expect(confirm.status).toBe(204);
    const again = await client.login({ email: user.email, password: 'a fresh password' });
    const me = await client.call('/auth/me', { bearer: again.accessToken });
    expect({ status: me.status, body: await me.json() }).toMatchObject({ status: 200 });
  });
});
