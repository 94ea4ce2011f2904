// The text of the answers the handler builds itself (token bodies, problems), kept beside the Response
// so that an adapter writing to node:http sends the string as it is, instead of reading it back out of
// the Response's web stream. Any other Response is read the ordinary way (see adapters/node.ts).

const TEXTS = new WeakMap<Response, string>();

/**
 * A Response with a text body whose text stays readable through {@link responseText}.
 *
 * @example
 * ```ts
 * const response = textResponse('{"ok":true}', { headers: { 'content-type': 'application/json' } });
 * responseText(response); // '{"ok":true}'
 * ```
 */
export function textResponse(body: string, init: ResponseInit = {}): Response {
  const response = new Response(body, init);
  TEXTS.set(response, body);
  return response;
}

/**
 * What `Response.json` answers (`content-type: application/json` unless the headers name one), as
 * a {@link textResponse}.
 *
 * @example
 * ```ts
 * return jsonResponse({ ok: true }, { headers: { 'cache-control': 'no-store' } });
 * ```
 */
export function jsonResponse(value: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  return textResponse(JSON.stringify(value), { ...init, headers });
}

/**
 * The body text of a {@link textResponse}, or undefined for any other Response.
 *
 * @example
 * ```ts
 * const text = responseText(response) ?? (await response.text());
 * ```
 */
export function responseText(response: Response): string | undefined {
  return TEXTS.get(response);
}
