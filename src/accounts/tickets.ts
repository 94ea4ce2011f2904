/**
 * Connection tickets: a single-use, 30 s secret a signed-in client trades its access token for, so a
 * browser's EventSource or WebSocket (which cannot send an Authorization header) can authenticate by
 * `?ticket=` without ever putting the access token in a URL. A ticket belongs to the user and the
 * session that asked for it and dies with that session: it is checked against the session row when it
 * is used, not only when it was issued.
 */
import { TesseraError } from '../errors/tessera-error.js';
import { hashSecret, mintSecret, parseSecret, secretMatches } from '../secrets/opaque-secret.js';
import type { AccountStore } from '../store/account-store.js';
import type { SessionRow, SessionStore } from '../store/session-store.js';

/** Who a ticket speaks for once used. */
export interface TicketIdentity {
  readonly userId: string;
  readonly sessionId: string;
}

/** Why a session cannot carry a ticket, or `live` when it can. */
export type TicketSessionState = 'live' | 'unknown' | 'other-user' | 'revoked' | 'expired';

/** Live tickets one session may hold by default; an older one beyond this is deleted. */
export const DEFAULT_MAX_TICKETS_PER_SESSION = 8;

/**
 * Whether `session` may carry a ticket for `userId` at `at`: it exists, belongs to that user, is not
 * revoked (logout, logout-all, reuse, password change) and has reached neither its idle nor its
 * absolute expiry.
 *
 * @example
 * ```ts
 * const state = ticketSessionState(undefined, 'u1', Date.now());
 * console.log(state); // 'unknown'
 * ```
 */
export function ticketSessionState(
  session: SessionRow | undefined,
  userId: string,
  at: number,
): TicketSessionState {
  if (session === undefined) return 'unknown';
  if (session.userId !== userId) return 'other-user';
  if (session.revokedAt !== null) return 'revoked';
  if (session.idleExpiresAt <= at || session.absoluteExpiresAt <= at) return 'expired';
  return 'live';
}

/** What {@link createTicketService} works on. */
export interface TicketServiceOptions {
  readonly store: AccountStore;
  /** Where a ticket's session is read when it is issued and when it is used. */
  readonly sessions: Pick<SessionStore, 'findSession'> | undefined;
  readonly now: () => number;
  readonly ticketSeconds: number;
  readonly maxPerSession: number;
}

/** The ticket half of `Accounts`. */
export interface TicketService {
  createTicket(input: TicketIdentity): Promise<{ ticket: string; expiresIn: number }>;
  consumeTicket(ticket: string): Promise<TicketIdentity>;
}

const INVALID =
  'The ticket is unknown, already used, or older than its lifetime; ask /auth/ticket for a new one.';
const SESSION_ENDED =
  'The session this ticket was issued to has ended (logged out, revoked or expired); sign in again.';

/**
 * The ticket service `createAccounts` delegates to.
 *
 * @example
 * ```ts
 * const tickets = createTicketService({ store, sessions: store, now: Date.now, ticketSeconds: 30, maxPerSession: 8 });
 * const { ticket } = await tickets.createTicket({ userId: 'u1', sessionId: 's1' });
 * ```
 */
export function createTicketService(options: TicketServiceOptions): TicketService {
  const { store, now } = options;
  const ticketMs = options.ticketSeconds * 1000;
  const sessionsOf = (): Pick<SessionStore, 'findSession'> => {
    if (options.sessions === undefined)
      throw new TesseraError(
        'CONFIG_INVALID',
        'Tickets need the session store to check their session; pass createAccounts({ sessions }).',
      );
    return options.sessions;
  };

  return {
    async createTicket({ userId, sessionId }) {
      const at = now();
      const state = ticketSessionState(await sessionsOf().findSession(sessionId), userId, at);
      // The access token verified, but its session ended after it was signed (another node's logout
      // not yet seen, an idle expiry): answer as the access token itself soon will.
      if (state === 'revoked' || state === 'other-user')
        throw new TesseraError('TOKEN_REVOKED', 'The session of this access token was revoked.');
      if (state !== 'live')
        throw new TesseraError('SESSION_EXPIRED', 'The session of this access token has ended.');
      const minted = mintSecret('tst', { pepper: undefined });
      await store.createOneTimeToken(
        {
          id: minted.id,
          kind: 'ticket',
          userId,
          sessionId,
          secretHash: minted.secretHash,
          expiresAt: at + ticketMs,
        },
        { maxPerSession: options.maxPerSession },
      );
      return { ticket: minted.value, expiresIn: ticketMs / 1000 };
    },

    async consumeTicket(ticket) {
      const parts = parseSecret('tst', ticket);
      if (parts === undefined) throw new TesseraError('TICKET_INVALID', INVALID);
      const sessions = sessionsOf();
      const at = now();
      const row = await store.consumeOneTimeToken({
        id: parts.id,
        kind: 'ticket',
        secretHash: hashSecret(parts.secret, undefined),
        at,
      });
      if (
        row === undefined ||
        row.sessionId === null ||
        !secretMatches(parts.secret, row.secretHash, undefined)
      )
        throw new TesseraError('TICKET_INVALID', INVALID);
      const state = ticketSessionState(await sessions.findSession(row.sessionId), row.userId, at);
      if (state !== 'live')
        throw new TesseraError('TICKET_INVALID', SESSION_ENDED, { session: state });
      return { userId: row.userId, sessionId: row.sessionId };
    },
  };
}
