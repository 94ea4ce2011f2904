// tessera-auth/verify follows the auth server's revocation feed itself: `revocations: { follow }` on
// both flavours, against a real Tessera server with a real feed credential. A logout is refused after
// the next sync; the web flavour syncs on requests by default (no timer outlives a request on an edge
// runtime); a refused credential fails closed after the bound. The verifier's clock is injected.
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/adapters/node.js';
import type { RevocationFollower } from '../../src/jwt/revocation-follower.js';
import { createFeedCredentials } from '../../src/sessions/feed-credentials.js';
import type { FeedCredentialStore } from '../../src/store/feed-credential-store.js';
import * as nodeFlavour from '../../src/verify/node.js';
import * as webFlavour from '../../src/verify/web.js';
import { createClient, type Client } from '../http/support/client.js';
import { AUDIENCE, ISSUER, createTestServer, type TestServer } from '../http/support/server-kit.js';

let test: TestServer;
let auth: Server;
let base = '';
let client: Client;
let credential = '';

beforeAll(async () => {
  test = await createTestServer();
  const started = await listen(test.server.handler, { port: 0, host: '127.0.0.1' });
  auth = started.server;
  base = `http://127.0.0.1:${started.port}`;
  client = createClient(base, test.now);
  const feeds = createFeedCredentials({
    store: test.server.store as typeof test.server.store & FeedCredentialStore,
    now: test.now,
  });
  credential = (await feeds.create('verify-follow')).value;
});

afterAll(async () => {
  auth.closeAllConnections();
  await new Promise<void>((done) => auth.close(() => done()));
  await test.server.close();
  test.cleanup();
});

const request = (token: string): Request =>
  new Request('https://api.test/orders', { headers: { authorization: `Bearer ${token}` } });

describe.each([
  ['node', nodeFlavour],
  ['web', webFlavour],
] as const)('tessera-auth/verify (%s flavour) following the feed', (name, flavour) => {
  let ahead = 0;
  let guard: ReturnType<typeof flavour.createGuard>;

  beforeAll(() => {
    guard = flavour.createGuard({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUrl: `${base}/.well-known/jwks.json`,
      revocations: {
        follow: { credential, url: `${base}/auth/revocations`, stalenessSeconds: 30 },
      },
      now: () => test.now() + ahead,
    });
  });
  afterAll(() => (guard.verifier.revocations as RevocationFollower).stop());

  it('builds a follower and says so', () => {
    expect(guard.followsRevocations).toBe(true);
    const follower = guard.verifier.revocations as RevocationFollower;
    expect(typeof follower.sync).toBe('function');
  });

  it('refuses a logged-out session after the next sync, and keeps serving the others', async () => {
    const user = await client.signup({ transport: 'body' });
    const other = await client.signup({ transport: 'body' });
    expect((await guard.authenticate(request(user.accessToken))).ok).toBe(true);
    const logout = await client.call('/auth/logout', {
      json: { refresh_token: user.refreshToken },
    });
    expect(logout.status).toBe(204);
    // The web flavour syncs on the first request after one poll interval; the node flavour polls in
    // the background and syncs lazily once a request finds the view half its bound old.
    ahead += name === 'web' ? 1001 : 16_000;
    const refused = await guard.authenticate(request(user.accessToken));
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.code).toBe('TOKEN_REVOKED');
    expect(refused.response.status).toBe(401);
    expect((await guard.authenticate(request(other.accessToken))).ok).toBe(true);
  });

  it('fails closed (FEED_CREDENTIAL_REFUSED, 503) once the feed refuses its credential past the bound', async () => {
    const user = await client.signup({ transport: 'body' });
    expect((await guard.authenticate(request(user.accessToken))).ok).toBe(true);
    // Its credential revoked at the auth server: the feed refuses, the view ages past its bound.
    const feeds = createFeedCredentials({
      store: test.server.store as typeof test.server.store & FeedCredentialStore,
      now: test.now,
    });
    const { value: spare } = await feeds.create(`spare-${name}`);
    const stale = flavour.createGuard({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUrl: `${base}/.well-known/jwks.json`,
      revocations: {
        follow: {
          credential: spare,
          url: `${base}/auth/revocations`,
          stalenessSeconds: 30,
          polling: 'on-request',
        },
      },
      now: () => test.now() + ahead,
    });
    expect((await stale.authenticate(request(user.accessToken))).ok).toBe(true);
    expect(await feeds.revoke(`spare-${name}`)).toBe(true);
    ahead += 31_000;
    const answer = await stale.authenticate(request(user.accessToken));
    expect(answer.ok).toBe(false);
    if (answer.ok) return;
    expect(answer.error.code).toBe('FEED_CREDENTIAL_REFUSED');
    expect(answer.response.status).toBe(503);
  });
});
