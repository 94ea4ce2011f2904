import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { HeaderReader, RequestFacts } from '../http/request-facts.js';
import { MAX_BODY_BYTES } from '../http/request-body.js';
import { responseText } from '../http/response-text.js';

// The direct node:http path of adapters/node.ts: the hot endpoints read an IncomingMessage through
// RequestFacts, without a Fetch Request, its Headers copy, AbortSignal or web streams. It takes only
// requests @hono/node-server would pass on unchanged, so the handler sees the same facts either way.

/** The endpoints served directly: the refresh paths, called by every client every few minutes. */
const DIRECT_TARGETS = new Set(['/auth/refresh', '/oauth/token']);

// @hono/node-server's own test of a Host it uses as it is (url.ts); any other goes through its checks.
const PLAIN_HOST = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/;

/**
 * Whether a request takes the direct path: HTTP/1 `POST` to a refresh endpoint, the exact path with
 * no query, a plain Host, and an unread body of declared length within the limit (or none). Anything else
 * (chunked or oversized bodies, odd targets, HTTP/2) goes through the Fetch conversion.
 *
 * @example
 * ```ts
 * if (servesDirectly(request)) await handler.fetch(nodeRequestFacts(request));
 * ```
 */
export function servesDirectly(request: IncomingMessage): boolean {
  if (request.method !== 'POST' || request.httpVersionMajor !== 1) return false;
  // A body some middleware already read (or kept as rawBody) is the Fetch conversion's to recover.
  if (request.readableFlowing !== null || 'rawBody' in request) return false;
  if (!DIRECT_TARGETS.has(request.url ?? '')) return false;
  const { headers } = request;
  if (headers['transfer-encoding'] !== undefined) return false;
  if (headers.host === undefined || !PLAIN_HOST.test(headers.host)) return false;
  const length = headers['content-length'];
  return length === undefined || (/^\d{1,6}$/.test(length) && Number(length) <= MAX_BODY_BYTES);
}

/**
 * An IncomingMessage as the handlers read a request: the URL @hono/node-server would build, headers
 * read from the raw list and joined as Fetch joins them (`; ` for Cookie, `, ` otherwise), and the
 * message itself as the body.
 *
 * @example
 * ```ts
 * const answer = await handler.fetch(nodeRequestFacts(request), { remoteAddress: request.socket.remoteAddress });
 * ```
 */
export function nodeRequestFacts(request: IncomingMessage): RequestFacts {
  const scheme = (request.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
  const method = request.method ?? 'GET';
  return {
    method,
    url: `${scheme}://${request.headers.host ?? ''}${request.url ?? '/'}`,
    headers: rawHeaderReader(request.rawHeaders),
    body: method === 'GET' || method === 'HEAD' ? null : bodyOf(request),
  };
}

// The body as one batch of chunks, read with plain listeners: cheaper than a stream's async iterator,
// and the direct path only takes bodies of declared length within the limit (readBodyText still counts).
function bodyOf(request: IncomingMessage): AsyncIterable<Uint8Array> {
  const chunks = new Promise<Uint8Array[]>((resolve, reject) => {
    if (request.readableEnded) return resolve([]);
    const read: Uint8Array[] = [];
    request.on('data', (chunk: Uint8Array) => read.push(chunk));
    request.once('end', () => resolve(read));
    request.once('error', reject);
    request.once('close', () => {
      if (!request.readableEnded)
        reject(new Error('The client closed the request before its body.'));
    });
  });
  // A route may answer before it reads the body (a wrong content type); a client gone by then is no error.
  chunks.catch(() => undefined);
  return {
    async *[Symbol.asyncIterator]() {
      yield* await chunks;
    },
  };
}

function rawHeaderReader(raw: readonly string[]): HeaderReader {
  const get = (name: string): string | null => {
    const lower = name.toLowerCase();
    const separator = lower === 'cookie' ? '; ' : ', ';
    let value: string | null = null;
    for (let i = 0; i < raw.length; i += 2) {
      const field = raw[i] as string;
      if (field.length !== lower.length || field.toLowerCase() !== lower) continue;
      const text = trimHttpWhitespace(raw[i + 1] as string);
      value = value === null ? text : value + separator + text;
    }
    return value;
  };
  return { get, has: (name) => get(name) !== null };
}

function trimHttpWhitespace(value: string): string {
  return value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
}

/**
 * Writes the handler's answer: status, headers (each Set-Cookie on its own line), the body with its
 * Content-Length, as @hono/node-server writes a Response with a string body.
 *
 * @example
 * ```ts
 * await writeAnswer(await handler.fetch(facts), response);
 * ```
 */
export async function writeAnswer(answer: Response, response: ServerResponse): Promise<void> {
  const text = responseText(answer);
  const body =
    text !== undefined || answer.body === null
      ? (text ?? null)
      : new Uint8Array(await answer.arrayBuffer());
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of answer.headers) if (name !== 'set-cookie') headers[name] = value;
  const cookies = answer.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  if (body !== null) {
    headers['content-type'] ??= 'text/plain; charset=UTF-8';
    headers['content-length'] ??= typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  }
  response.writeHead(answer.status, headers);
  response.end(body ?? undefined);
}
