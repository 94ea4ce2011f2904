// tessera-auth/client/ticket: a URL for an EventSource or WebSocket, authenticated by a single-use 30 s
// ticket instead of the access token (a token in a URL lands in logs, history and Referer headers).
// A separate entry: the browser bundle of tessera-auth/client does not carry it.
import { CSRF_HEADER } from '../wire/names.js';
import { readProblem } from './problem.js';
import type { AuthClient } from './types.js';

/** Options of {@link ticketUrl}. */
export interface TicketUrlOptions {
  /** The signed-in client: its `fetch` sends the access token and refreshes it once when it expired. */
  readonly client: Pick<AuthClient, 'fetch'>;
  /** The auth server's base URL, as given to `createAuthClient`. */
  readonly baseUrl: string;
}

/**
 * Asks `POST /auth/ticket` for a ticket and returns `url` with `?ticket=` added. Ask right before each
 * connection (and each reconnect): a ticket works once, for 30 s. Rejects with an `AuthClientError`
 * (`RATE_LIMITED`, `TOKEN_REVOKED`, …) when the server refuses.
 *
 * @example
 * ```ts
 * import { createAuthClient } from 'tessera-auth/client';
 * import { ticketUrl } from 'tessera-auth/client/ticket';
 *
 * const auth = createAuthClient({ baseUrl: 'https://auth.example.com' });
 * const url = await ticketUrl('https://api.example.com/events', {
 *   client: auth,
 *   baseUrl: 'https://auth.example.com',
 * });
 * const events = new EventSource(url);
 * events.onmessage = (message) => console.log(message.data);
 * ```
 */
export async function ticketUrl(url: string | URL, options: TicketUrlOptions): Promise<string> {
  const base = options.baseUrl.replace(/\/$/, '');
  const response = await options.client.fetch(`${base}/auth/ticket`, {
    method: 'POST',
    headers: { [CSRF_HEADER]: '1' },
  });
  if (!response.ok) throw await readProblem(response);
  const { ticket } = (await response.json()) as { ticket: string };
  const target = new URL(url, globalThis.location?.href);
  target.searchParams.set('ticket', ticket);
  return target.href;
}
