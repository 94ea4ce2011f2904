// A client that opens a connection and then stalls (half a request line, half the headers, a body that
// never finishes: slowloris) must be dropped after the header or request timeout, while an idle
// keep-alive connection between two requests must stay open: load balancers reuse it for up to 60 s and
// a server that closes first makes them see "socket hang up". The timeouts are injected small here
// (300 ms and 600 ms) so the test waits for the close instead of 10 s; nothing measures how long it took.
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTEN_TIMEOUTS, listen } from '../../src/adapters/node.js';
import { createTestServer, type TestServer } from './support/server-kit.js';

const HEADERS_MS = 300;
const REQUEST_MS = 600;

let test: TestServer;
let http: Server;
let port: number;

beforeAll(async () => {
  test = await createTestServer();
  const started = await listen(test.server.handler, {
    port: 0,
    host: '127.0.0.1',
    timeouts: { headersTimeout: HEADERS_MS, requestTimeout: REQUEST_MS },
  });
  http = started.server;
  port = started.port;
});

afterAll(async () => {
  http.closeAllConnections();
  await new Promise<void>((done) => http.close(() => done()));
  await test.server.close();
  test.cleanup();
});

interface RawConnection {
  readonly socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves with what was received once the server closes the connection. */
  readonly closed: Promise<string>;
}

function open(): Promise<RawConnection> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    const closed = new Promise<string>((done) => socket.once('close', () => done(data)));
    socket.once('error', reject);
    socket.once('connect', () => resolvePromise({ socket, received: () => data, closed }));
  });
}

async function untilReceived(connection: RawConnection, text: string): Promise<void> {
  while (!connection.received().includes(text)) {
    if (connection.socket.destroyed) throw new Error(`closed before "${text}" arrived`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

describe('connection timeouts of the node listener', () => {
  it('defaults to 10 s for headers and the whole request, and 65 s for idle keep-alive', async () => {
    const started = await listen(test.server.handler, { port: 0, host: '127.0.0.1' });
    try {
      expect(started.server.headersTimeout).toBe(10_000);
      expect(started.server.requestTimeout).toBe(10_000);
      expect(started.server.keepAliveTimeout).toBe(65_000);
      expect(LISTEN_TIMEOUTS).toEqual({
        headersTimeout: 10_000,
        requestTimeout: 10_000,
        keepAliveTimeout: 65_000,
      });
    } finally {
      await new Promise<void>((done) => started.server.close(() => done()));
    }
  });

  it.each([
    ['nothing at all', ''],
    ['half a request line', 'GET /heal'],
    ['half the headers', 'GET /healthz HTTP/1.1\r\nHost: auth.test\r\nAccept: app'],
  ])('drops a client that sends %s and stalls, with 408', async (_name, sent) => {
    const connection = await open();
    if (sent !== '') connection.socket.write(sent);
    const received = await connection.closed;
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).not.toContain('"ok"');
  });

  it('drops a client whose body never finishes (slowloris body)', async () => {
    const connection = await open();
    connection.socket.write(
      'POST /auth/refresh HTTP/1.1\r\nHost: auth.test\r\nContent-Type: application/json\r\n' +
        'Content-Length: 200\r\n\r\n{"refresh_token":"tsr_',
    );
    // Trickle a byte now and then, each well inside the header timeout: only the request timeout ends it.
    const trickle = setInterval(() => connection.socket.write('A'), HEADERS_MS / 3);
    try {
      await connection.closed;
    } finally {
      clearInterval(trickle);
    }
    expect(connection.socket.destroyed).toBe(true);
    // The server is still serving others.
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it('keeps an idle keep-alive connection open well past the header timeout and serves it again', async () => {
    const connection = await open();
    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: auth.test\r\n\r\n');
    await untilReceived(connection, '"ok"');
    expect(connection.received()).toMatch(/^HTTP\/1\.1 200 /);
    let closedEarly = false;
    void connection.closed.then(() => (closedEarly = true));
    await sleep(HEADERS_MS * 5);
    expect(closedEarly).toBe(false);
    connection.socket.write('GET /auth/time HTTP/1.1\r\nHost: auth.test\r\n\r\n');
    await untilReceived(connection, '"epoch_ms"');
    expect(connection.received().match(/HTTP\/1\.1 200 /g)).toHaveLength(2);
    connection.socket.destroy();
  });
});
