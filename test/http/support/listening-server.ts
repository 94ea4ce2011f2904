// One test server per describe block, on SQLite or on a scratch PostgreSQL database, listening on a real
// port, with a client for it; torn down after the block. The HTTP attack suites all start the same way.
import type { Server } from 'node:http';
import { afterAll, beforeAll } from 'vitest';
import { listen } from '../../../src/adapters/node.js';
import { createClient, type Client } from './client.js';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database.js';
import { createTestServer, type TestServer } from './server-kit.js';

/** What {@link useListeningServer} hands the block once the server is up. */
export interface ListeningServer {
  readonly test: TestServer;
  readonly client: Client;
}

/**
 * Registers the block's beforeAll and afterAll: a server on `kind` (a scratch database named after
 * `label` for PostgreSQL), listening on 127.0.0.1, and `ready` called with it before the first test.
 */
export function useListeningServer(
  kind: 'sqlite' | 'postgres',
  label: string,
  ready: (started: ListeningServer) => void,
): void {
  let database: ScratchDatabase | undefined;
  let test: TestServer | undefined;
  let http: Server | undefined;
  beforeAll(async () => {
    database = kind === 'postgres' ? await createScratchDatabase(label) : undefined;
    test = await createTestServer(database === undefined ? {} : { 'database-url': database.url });
    const started = await listen(test.server.handler, { port: 0, host: '127.0.0.1' });
    http = started.server;
    ready({ test, client: createClient(`http://127.0.0.1:${started.port}`, test.now) });
  });
  afterAll(async () => {
    await new Promise<void>((done) => (http === undefined ? done() : http.close(() => done())));
    await test?.server.close();
    test?.cleanup();
    await database?.drop();
  });
}
