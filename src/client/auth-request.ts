import { CSRF_HEADER, TRANSPORT_HEADER, type Transport } from '../wire/names.js';

/**
 * A POST to the auth server as the client makes it: the CSRF header browsers must send, the cookie
 * (credentials) for the cookie transport or `Token-Transport: body` for native apps.
 *
 * @example
 * ```ts
 * await postToAuth({ base, path: '/auth/refresh', transport: 'cookie', fetch });
 * ```
 */
export function postToAuth(input: {
  base: string;
  path: string;
  json?: unknown;
  transport: Transport;
  fetch: (request: Request) => Promise<Response>;
}): Promise<Response> {
  const headers: Record<string, string> = { [CSRF_HEADER]: '1' };
  if (input.json !== undefined) headers['content-type'] = 'application/json';
  if (input.transport === 'body') headers[TRANSPORT_HEADER] = input.transport;
  const body = input.json === undefined ? null : JSON.stringify(input.json);
  return input.fetch(
    new Request(input.base + input.path, {
      method: 'POST',
      headers,
      body,
      credentials: input.transport === 'cookie' ? 'include' : 'omit',
    }),
  );
}
