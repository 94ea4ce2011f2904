// The follower in Vercel's edge-runtime (no Buffer, no process, no node:*): bundled from its source as
// an edge function would be, run inside an EdgeVM whose fetch reaches a real Tessera server, refreshed
// lazily on requests ('on-request', no background timer) with an injected clock.
import { fileURLToPath } from 'node:url';
import { EdgeVM } from '@edge-runtime/vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFeedCredentials } from '../../src/sessions/feed-credentials.js';
import type { FeedCredentialStore } from '../../src/store/feed-credential-store.js';
import type { Client } from '../http/support/client.js';
import { useListeningServer } from '../http/support/listening-server.js';
import type { TestServer } from '../http/support/server-kit.js';

let test: TestServer;
let client: Client;
let vm: EdgeVM;
useListeningServer('sqlite', 'follower-edge', (started) => ({ test, client } = started));

beforeAll(async () => {
  const { value: credential } = await createFeedCredentials({
    store: test.server.store as typeof test.server.store & FeedCredentialStore,
  }).create('edge-api');
  const { rolldown } = await import('rolldown');
  const bundle = await rolldown({
    input: fileURLToPath(new URL('../../src/jwt/revocation-follower.ts', import.meta.url)),
    platform: 'neutral',
    logLevel: 'silent',
  });
  const { output } = await bundle.generate({ format: 'iife', name: 'Follower' });
  await bundle.close();
  vm = new EdgeVM();
  vm.evaluate(output[0].code);
  vm.evaluate(`
    globalThis.clock = ${test.now()};
    globalThis.follower = Follower.followRevocations({
      url: ${JSON.stringify(`${client.baseUrl}/auth/revocations`)},
      credential: ${JSON.stringify(credential)},
      polling: 'on-request',
      pollIntervalMs: 1000,
      stalenessSeconds: 30,
      now: () => globalThis.clock,
      // The VM's own fetch, with a switch for an outage of the auth server.
      fetch: (input, init) =>
        globalThis.feedDown ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init),
    });
    globalThis.feedDown = false;
    globalThis.check = async (claims) => {
      await follower.refresh();
      try {
        follower.assertNotRevoked(claims);
        return 'ok';
      } catch (error) {
        return error.code + ' ' + JSON.stringify(error.facts);
      }
    };
  `);
});

const check = (claims: { sid: string; sub: string; iat: number }): Promise<string> =>
  vm.evaluate(`check(${JSON.stringify(claims)})`);
const advance = (ms: number): void => void vm.evaluate(`clock += ${ms}`);
const claimsOf = (token: string): { sid: string; sub: string; iat: number } =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    sid: string;
    sub: string;
    iat: number;
  };

describe('the follower on an edge runtime', () => {
  it('runs where there is no Buffer, no process and no require', () => {
    expect(vm.evaluate('[typeof Buffer, typeof process, typeof require].join()')).toBe(
      'undefined,undefined,undefined',
    );
  });

  it('syncs lazily on requests and refuses a logged-out session after the next one', async () => {
    const user = await client.signup({ transport: 'body' });
    expect(await check(claimsOf(user.accessToken))).toBe('ok');
    await client.call('/auth/logout', { json: { refresh_token: user.refreshToken } });
    advance(1001);
    expect(await check(claimsOf(user.accessToken))).toBe('TOKEN_REVOKED {}');
  });

  it('fails closed with the numbers once its view is older than the bound, then recovers', async () => {
    const user = await client.signup({ transport: 'body' });
    advance(1001);
    expect(await check(claimsOf(user.accessToken))).toBe('ok');
    vm.evaluate('feedDown = true');
    advance(29_000);
    expect(await check(claimsOf(user.accessToken))).toBe('ok');
    advance(2_000);
    expect(await check(claimsOf(user.accessToken))).toBe(
      'REVOCATION_STALE {"ageSeconds":31,"maxStalenessSeconds":30}',
    );
    vm.evaluate('feedDown = false');
    advance(1001);
    expect(await check(claimsOf(user.accessToken))).toBe('ok');
  });
});
