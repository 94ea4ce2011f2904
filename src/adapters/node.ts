import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AuthHandler } from '../http/auth-handler.js';

/**
 * A `node:http` request listener over the Fetch handler (the conversion is @hono/node-server's, a
 * well-kept one; writing our own would re-learn its edge cases around streams and aborted requests).
 *
 * @example
 * ```ts
 * http.createServer(toNodeListener(server.handler)).listen(8080);
 * ```
 */
export function toNodeListener(
  handler: AuthHandler,
): (request: IncomingMessage, response: ServerResponse) => void {
  // @hono/node-server loads when a listener is asked for, not when the package is imported.
  const ready = import('@hono/node-server').then(({ getRequestListener }) =>
    getRequestListener((request, env) =>
      handler.fetch(request, { remoteAddress: env.incoming.socket.remoteAddress }),
    ),
  );
  let listener: ((request: IncomingMessage, response: ServerResponse) => unknown) | undefined;
  ready.then(
    (loaded) => (listener = loaded),
    () => undefined,
  );
  return (request, response) => {
    if (listener !== undefined) {
      void listener(request, response);
      return;
    }
    ready.then(
      (loaded) => loaded(request, response),
      () => {
        // Only a broken install gets here; answer like every other store or runtime outage.
        response.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
      },
    );
  };
}

/**
 * Starts a `node:http` server for the handler and resolves once it listens.
 *
 * @example
 * ```ts
 * const { server, port } = await listen(handler, { port: 8080 });
 * ```
 */
export async function listen(
  handler: AuthHandler,
  options: { port: number; host?: string },
): Promise<{ server: Server; port: number }> {
  const server = createServer(toNodeListener(handler));
  // Keep idle connections longer than the usual load-balancer and client-agent idle timeouts (60 s):
  // a server that closes first races clients reusing the socket, which see "socket hang up".
  server.keepAliveTimeout = 65_000;
  // Slow-loris and hung clients must not hold sockets forever (Node needs headers <= request timeout).
  server.headersTimeout = 66_000;
  server.requestTimeout = 120_000;
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
