// Shared parts of the revocation follower tests (test/feed/revocation-follower.test.ts and
// follower-*.test.ts): a real Tessera server with a feed credential, a follower on its feed with an
// injected clock, and the readers the assertions use.
import { beforeAll } from 'vitest';
import { isTesseraError, type TesseraError } from '../../src/errors/tessera-error.js';
import type { AccessTokenClaims } from '../../src/jwt/claims.js';
import {
  followRevocations,
  type RevocationFollowerOptions,
} from '../../src/jwt/revocation-follower.js';
import {
  createFeedCredentials,
  type FeedCredentials,
} from '../../src/sessions/feed-credentials.js';
import type { FeedCredentialStore } from '../../src/store/feed-credential-store.js';
import type { Client, SignedIn } from '../http/support/client.js';
import { useListeningServer } from '../http/support/listening-server.js';
import type { TestServer } from '../http/support/server-kit.js';

/** The claims of a signed-in user's access token, read without verifying. */
export const claimsOf = (user: SignedIn): AccessTokenClaims =>
  JSON.parse(
    Buffer.from(user.accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'),
  ) as AccessTokenClaims;

/** The TesseraError `run` throws, or undefined when it returns. */
export const thrown = (run: () => void): TesseraError | undefined => {
  try {
    run();
  } catch (error) {
    if (isTesseraError(error)) return error;
    throw error;
  }
  return undefined;
};

/** The file's server, its feed credentials and one credential (`orders-api`) made on it. */
export interface FollowerServer {
  readonly test: TestServer;
  readonly client: Client;
  readonly feeds: FeedCredentials;
  readonly credential: string;
}

/** Registers the file's beforeAll and afterAll; `ready` gets the server before the first test. */
export function useFollowerServer(ready: (started: FollowerServer) => void): void {
  let test: TestServer;
  let client: Client;
  useListeningServer('sqlite', 'follower', (started) => ({ test, client } = started));
  beforeAll(async () => {
    const feeds = createFeedCredentials({
      store: test.server.store as typeof test.server.store & FeedCredentialStore,
      now: test.now,
    });
    const { value: credential } = await feeds.create('orders-api');
    ready({ test, client, feeds, credential });
  });
}

/**
 * A follower on the real feed of `server` with its own clock, a switchable outage and a count of
 * fetches.
 */
export function followerOn(
  server: Pick<FollowerServer, 'test' | 'client' | 'credential'>,
  options: Partial<RevocationFollowerOptions> = {},
): {
  follower: ReturnType<typeof followRevocations>;
  advance: (ms: number) => void;
  setDown: (down: boolean) => void;
  fetches: () => number;
} {
  const { test, client, credential } = server;
  let clock = test.now();
  let down = false;
  let count = 0;
  const made = followRevocations({
    url: `${client.baseUrl}/auth/revocations`,
    credential,
    stalenessSeconds: 30,
    pollIntervalMs: 1000,
    polling: 'on-request',
    now: () => clock,
    fetch: async (input, init) => {
      count += 1;
      if (down) throw new TypeError('fetch failed');
      return fetch(input, init);
    },
    ...options,
  });
  return {
    follower: made,
    advance: (ms) => void (clock += ms),
    setDown: (value) => void (down = value),
    fetches: () => count,
  };
}
