/**
 * The server's side of connection tickets: authenticating an EventSource or WebSocket request by its
 * `?ticket=`, the one credential a browser can put on those (neither can send an Authorization header,
 * and an access token in a URL is refused: URLs land in logs, history and Referer headers). A ticket
 * is single use, lives 30 s, belongs to one user and session, and dies with that session.
 */
import type { Accounts } from '../accounts/accounts.js';
import type { TicketIdentity } from '../accounts/tickets.js';
import { TesseraError } from '../errors/tessera-error.js';
import { problemResponse, toTesseraError } from './problem.js';
import type { RateRule } from './rate-limit.js';

export type { TicketIdentity } from '../accounts/tickets.js';

/** The query parameter a ticket travels in. */
export const TICKET_QUERY = 'ticket';

/**
 * How many tickets one session may ask `POST /auth/ticket` for: 30 a minute is one reconnect every
 * 2 s, far above what an app opening a few streams needs, and with the per-session cap of live
 * tickets (8) a loop asking for tickets can neither flood the route nor grow the table.
 */
export const TICKETS_PER_SESSION: RateRule = { limit: 30, windowSeconds: 60 };

/** Authenticates one request by its ticket; throws a {@link TesseraError} when it cannot. */
export type AuthenticateTicket = (request: Request | URL | string) => Promise<TicketIdentity>;

/**
 * Creates the ticket authenticator over the accounts that issued the tickets: it reads the one
 * `?ticket=` of a request (a Fetch `Request`, a `URL`, or the path of a Node upgrade request), uses it
 * and answers who it speaks for. `TICKET_INVALID` (401) when the ticket is missing, malformed,
 * unknown, used, older than 30 s or its session has ended; `REQUEST_INVALID` (400) for two tickets.
 * The app's streaming route must reach the same store as the auth server (same process or database).
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * import { createAccounts, createSqliteStore, createTicketAuthenticator, ticketRefusal } from 'tessera-auth';
 *
 * const store = createSqliteStore({ database: new Database('tessera.db') });
 * const authenticateTicket = createTicketAuthenticator({ accounts: createAccounts({ store }) });
 * export async function events(request: Request): Promise<Response> {
 *   try {
 *     const { userId } = await authenticateTicket(request);
 *     return new Response(`data: hello ${userId}\n\n`, { headers: { 'content-type': 'text/event-stream' } });
 *   } catch (error) {
 *     return ticketRefusal(error);
 *   }
 * }
 * ```
 */
export function createTicketAuthenticator(options: {
  accounts: Pick<Accounts, 'consumeTicket'>;
}): AuthenticateTicket {
  return async (request) => {
    const ticket = readTicket(request);
    return options.accounts.consumeTicket(ticket);
  };
}

/**
 * The ticket of a request URL. Only the query is read; the value is never quoted in an error.
 *
 * @example
 * ```ts
 * const ticket = readTicket('/events?ticket=tst_...');
 * ```
 */
export function readTicket(request: Request | URL | string): string {
  const raw =
    typeof request === 'string' ? request : request instanceof URL ? request.href : request.url;
  // A Node upgrade request's url is a path; the base only makes it parseable.
  const url = new URL(raw, 'http://ticket.invalid');
  const values = url.searchParams.getAll(TICKET_QUERY);
  if (values.length > 1)
    throw new TesseraError('REQUEST_INVALID', 'The URL carries two tickets; send one.');
  const [ticket] = values;
  if (ticket === undefined || ticket === '')
    throw new TesseraError(
      'TICKET_INVALID',
      'No ticket: open the connection at a URL with ?ticket= from POST /auth/ticket.',
    );
  return ticket;
}

/**
 * The problem+json answer for a refused ticket (401 `TICKET_INVALID` with its `WWW-Authenticate`, 400,
 * or 503 when the store is away); any error that is not a TesseraError answers as the store's.
 *
 * @example
 * ```ts
 * import { ticketRefusal, TesseraError } from 'tessera-auth';
 *
 * const response = ticketRefusal(new TesseraError('TICKET_INVALID', 'The ticket was used.'));
 * console.log(response.status); // 401
 * ```
 */
export function ticketRefusal(error: unknown): Response {
  return problemResponse(toTesseraError(error));
}
