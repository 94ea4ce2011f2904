// The HTTP suite every adapter runs: a real server on port 0, real fetch, a fresh SQLite file per file.
import { afterAll, beforeAll, describe } from 'vitest';
import type { TesseraServer } from '../../../src/server/create-server.js';
import { createClient, type Client } from './client.js';
import { describeProtocol } from './suite-protocol.js';
import { describeSessions } from './suite-sessions.js';
import { describeTokens } from './suite-tokens.js';
import { createTestServer, type TestServer } from './server-kit.js';

/** What an adapter's `start` gives back: where it listens, and the app's own routes. */
export interface StartedApp {
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** Mounts the server's handler in a framework and listens on port 0. */
export type StartApp = (input: { server: TesseraServer; now: () => number }) => Promise<StartedApp>;

/** Everything a suite group needs, filled in by beforeAll. */
export interface SuiteContext {
  client: Client;
  test: TestServer;
  app: StartedApp;
  /** A GET route of the app guarded by the adapter's requireAuth(), answering `{ sub, sid }`; none on the bare listener. */
  readonly protectedPath: string | undefined;
}

/**
 * Runs the shared HTTP suite through one adapter.
 *
 * @example
 * runHttpSuite({ name: 'express', start: startExpress });
 */
export function runHttpSuite(options: {
  name: string;
  start: StartApp;
  protectedPath?: string;
}): void {
  describe(`HTTP suite through ${options.name}`, () => {
    const context = { protectedPath: options.protectedPath } as SuiteContext;
    beforeAll(async () => {
      context.test = await createTestServer();
      context.app = await options.start({ server: context.test.server, now: context.test.now });
      context.client = createClient(context.app.baseUrl, context.test.now);
    });
    afterAll(async () => {
      await context.app?.close();
      await context.test?.server.close();
      context.test?.cleanup();
    });
    describeTokens(context);
    describeSessions(context);
    describeProtocol(context);
  });
}
