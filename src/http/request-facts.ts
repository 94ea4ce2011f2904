/**
 * What the handlers read of a request: method, URL, headers and the body's bytes. A Fetch `Request`
 * is one, and so is the `node:http` adapter's view of an IncomingMessage (adapters/node.ts), which
 * spares the hot endpoints a full Request and its web streams. Routes take nothing else, so both
 * paths run the same code and give the same answers.
 */

/**
 * The header reading routes do: a Fetch `Headers` is one (names are asked for in lower case).
 *
 * @example
 * ```ts
 * const headers: HeaderReader = new Headers({ 'content-type': 'application/json' });
 * headers.get('content-type'); // 'application/json'
 * ```
 */
export interface HeaderReader {
  /** The value, several fields of one name joined as Fetch joins them; null when absent. */
  get(name: string): string | null;
  has(name: string): boolean;
}

/**
 * A request body: a web stream (Fetch) or any async iterable of byte chunks (a Node stream).
 *
 * @example
 * ```ts
 * const body: BodySource = new Request('http://a/', { method: 'POST', body: '{}' }).body!;
 * ```
 */
export type BodySource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * One request as the handlers see it.
 *
 * @example
 * ```ts
 * const facts: RequestFacts = new Request('http://localhost/auth/time');
 * await handler.fetch(facts);
 * ```
 */
export interface RequestFacts {
  readonly method: string;
  /** The absolute URL (scheme, host, path and query). */
  readonly url: string;
  readonly headers: HeaderReader;
  /** Null for GET and HEAD; otherwise the body, possibly empty. */
  readonly body: BodySource | null;
}
