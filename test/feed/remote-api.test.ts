// A real Tessera server and a separate Express API that knows it only by URL (remote JWKS, the
// revocation feed with its own credential): a logout at the auth server is refused at the API after the
// follower's next sync; an auth-server outage stops the API after the staleness bound, with the numbers;
// the API recovers when the auth server comes back. The API's clock is injected.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireAuth } from '../../src/adapters/express.js';
import { listen } from '../../src/adapters/node.js';
import type { AccessTokenClaims } from '../../src/jwt/claims.js';
import {
  createFeedCredentials,
  type FeedCredentials,
} from '../../src/sessions/feed-credentials.js';
import type { FeedCredentialStore } from '../../src/store/feed-credential-store.js';
import { createClient, expectProblem, type Client } from '../http/support/client.js';
import { AUDIENCE, ISSUER, createTestServer, type TestServer } from '../http/support/server-kit.js';

let test: TestServer;
let auth: Server;
let authPort: number;
let client: Client;
let api: Server;
let apiUrl: string;
let feeds: FeedCredentials;
let ahead = 0;

const startAuth = async (port: number): Promise<void> => {
  const started = await listen(test.server.handler, { port, host: '127.0.0.1' });
  auth = started.server;
  authPort = started.port;
};
const stopAuth = (): Promise<void> =>
  new Promise((done) => {
    auth.close(() => done());
    auth.closeAllConnections();
  });
const callApi = (token: string): Promise<Response> =>
  fetch(`${apiUrl}/api/orders`, { headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  test = await createTestServer();
  await startAuth(0);
  client = createClient(`http://127.0.0.1:${authPort}`, test.now);
  feeds = createFeedCredentials({
    store: test.server.store as typeof test.server.store & FeedCredentialStore,
    now: test.now,
  });
  const { value: credential } = await feeds.create('orders-api');
  const base = `http://127.0.0.1:${authPort}`;
  const app = express();
  app.get(
    '/api/orders',
    requireAuth({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUrl: `${base}/.well-known/jwks.json`,
      revocations: {
        follow: {
          credential,
          url: `${base}/auth/revocations`,
          stalenessSeconds: 30,
          pollIntervalMs: 1000,
          polling: 'on-request',
        },
      },
      now: () => test.now() + ahead,
    }),
    (_req, res) => {
      res.json({ user: (res.locals as { auth: AccessTokenClaims }).auth.sub });
    },
  );
  api = await new Promise<Server>((done) => {
    const started = app.listen(0, '127.0.0.1', () => done(started));
  });
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((done) => api.close(() => done()));
  await stopAuth();
  await test.server.close();
  test.cleanup();
});

describe('revocation at a remote API', () => {
  it('refuses a token at the API once the follower has synced after the logout', async () => {
    const user = await client.signup({ transport: 'body' });
    expect((await callApi(user.accessToken)).status).toBe(200);
    expect(
      (await client.call('/auth/logout', { json: { refresh_token: user.refreshToken } })).status,
    ).toBe(204);
    ahead += 1001; // one poll interval: the next request syncs first
    const body = await expectProblem(await callApi(user.accessToken), 401, 'TOKEN_REVOKED');
    expect(body.detail).toMatch(/revoked/);
    const other = await client.signup({ transport: 'body' });
    expect((await callApi(other.accessToken)).status).toBe(200);
  });

  it('refuses its own feed credential presented to it as an access token', async () => {
    const { value } = await feeds.create('presented-api');
    await expectProblem(await callApi(value), 401, 'TOKEN_MALFORMED');
    await feeds.revoke('presented-api');
  });

  it('stops the API after the staleness bound of an auth-server outage, then recovers', async () => {
    const user = await client.signup({ transport: 'body' });
    const leaving = await client.signup({ transport: 'body' });
    ahead += 1001;
    expect((await callApi(user.accessToken)).status).toBe(200);
    await client.call('/auth/logout', { json: { refresh_token: leaving.refreshToken } });
    await stopAuth();
    // Within the bound the API keeps serving from what it has (and cannot know of the last logout).
    ahead += 20_000;
    expect((await callApi(user.accessToken)).status).toBe(200);
    ahead += 11_000;
    const stale = await expectProblem(await callApi(user.accessToken), 503, 'REVOCATION_STALE');
    const facts = stale.facts as { ageSeconds: number; maxStalenessSeconds: number };
    expect(facts.maxStalenessSeconds).toBe(30);
    expect(facts.ageSeconds).toBeGreaterThan(30);
    expect(facts.ageSeconds).toBeLessThan(60);
    expect(stale.detail).toMatch(/bound 30 s/);
    await startAuth(authPort);
    ahead += 1001;
    expect((await callApi(user.accessToken)).status).toBe(200);
    await expectProblem(await callApi(leaving.accessToken), 401, 'TOKEN_REVOKED');
  });

  it('answers FEED_CREDENTIAL_REFUSED once its credential is revoked and the bound has passed', async () => {
    const user = await client.signup({ transport: 'body' });
    expect(await feeds.revoke('orders-api')).toBe(true);
    ahead += 1001;
    expect((await callApi(user.accessToken)).status).toBe(200); // still within the bound
    ahead += 31_000;
    const refused = await expectProblem(
      await callApi(user.accessToken),
      503,
      'FEED_CREDENTIAL_REFUSED',
    );
    expect(refused.facts).toMatchObject({ status: 401, maxStalenessSeconds: 30 });
  });
});
