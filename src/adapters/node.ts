import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AuthHandler } from '../http/auth-handler.js';
import { nodeRequestFacts, servesDirectly, writeAnswer } from './node-request.js';

/**
 * A `node:http` request listener over the Fetch handler. The conversion is @hono/node-server's, a
 * well-kept one that knows the edge cases around streams, aborted requests and odd request targets;
 * the hot endpoints (`POST /auth/refresh`, `POST /oauth/token`) with a plain request (a known-good
 * Host, a body of declared length within the limit) skip it: the handler reads them through
 * {@link nodeRequestFacts} and the answer is written as it is, the same answer either way.
 *
 * @example
 * ```ts
 * http.createServer(toNodeListener(server.handler)).listen(8080);
 * ```
 */
export function toNodeListener(
  handler: AuthHandler,
): (request: IncomingMessage, response: ServerResponse) => void {
  // @hono/node-server (and the undici it pulls in) loads on the first request that needs the Fetch
  // conversion, not when the listener is made: a server's start and its first guarded answer (an app
  // route, or the direct hot endpoints) never wait for it.
  let ready: Promise<(request: IncomingMessage, response: ServerResponse) => unknown> | undefined;
  let listener: ((request: IncomingMessage, response: ServerResponse) => unknown) | undefined;
  const load = (): NonNullable<typeof ready> => {
    ready ??= import('@hono/node-server').then(({ getRequestListener }) => {
      const loaded = getRequestListener((request, env) =>
        handler.fetch(request, { remoteAddress: env.incoming.socket.remoteAddress }),
      );
      listener = loaded;
      return loaded;
    });
    return ready;
  };
  const direct = (request: IncomingMessage, response: ServerResponse): void => {
    handler
      .fetch(nodeRequestFacts(request), { remoteAddress: request.socket.remoteAddress })
      .then((answer) => writeAnswer(answer, response))
      .catch(() => {
        // As the Fetch path answers a handler that throws (it never does: every error is a problem).
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
  };
  return (request, response) => {
    if (servesDirectly(request)) {
      direct(request, response);
      return;
    }
    if (listener !== undefined) {
      void listener(request, response);
      return;
    }
    load().then(
      (loaded) => loaded(request, response),
      () => {
        // Only a broken install gets here; answer like every other store or runtime outage.
        response.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
      },
    );
  };
}

/** Connection timeouts of {@link listen}, in milliseconds. */
export interface ListenTimeouts {
  /** Time to receive a request's headers from its first byte (default 10 s); then 408 and close. */
  readonly headersTimeout?: number;
  /** Time to receive a whole request, body included (default 10 s; at least headersTimeout). */
  readonly requestTimeout?: number;
  /** How long an idle keep-alive connection stays open between requests (default 65 s). */
  readonly keepAliveTimeout?: number;
}

/** The defaults of {@link ListenTimeouts}. */
export const LISTEN_TIMEOUTS = {
  headersTimeout: 10_000,
  requestTimeout: 10_000,
  keepAliveTimeout: 65_000,
} as const;

/**
 * Starts a `node:http` server for the handler and resolves once it listens. A client that stalls while
 * sending a request (slow headers, a slow body) is dropped after about 10 s; an idle keep-alive
 * connection between requests is kept for 65 s, longer than the 60 s idle timeout of common load
 * balancers and client agents, so the server is never the side that closes a socket they reuse.
 *
 * @example
 * ```ts
 * const { server, port } = await listen(handler, { port: 8080 });
 * ```
 */
export async function listen(
  handler: AuthHandler,
  options: { port: number; host?: string; timeouts?: ListenTimeouts },
): Promise<{ server: Server; port: number }> {
  const headersTimeout = options.timeouts?.headersTimeout ?? LISTEN_TIMEOUTS.headersTimeout;
  const requestTimeout = Math.max(
    headersTimeout,
    options.timeouts?.requestTimeout ?? LISTEN_TIMEOUTS.requestTimeout,
  );
  const server = createServer(
    {
      // Node 20 applies headersTimeout and requestTimeout only to a request in progress (from its first
      // byte), never to an idle keep-alive socket, so both can be far below keepAliveTimeout. Node checks
      // them every connectionsCheckingInterval (30 s by default, which would let a stalled client stay
      // 40 s): check about four times per timeout, at most once a second.
      headersTimeout,
      requestTimeout,
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(headersTimeout / 4))),
      keepAliveTimeout: options.timeouts?.keepAliveTimeout ?? LISTEN_TIMEOUTS.keepAliveTimeout,
    },
    toNodeListener(handler),
  );
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolvePromise());
  });
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address !== null ? address.port : options.port,
  };
}
