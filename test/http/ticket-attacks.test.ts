// Attacks on connection tickets and reset tokens, each built here against a real server on a real
// SQLite file: a ticket flood (429s, and rows counted in the database), tickets after logout, forged
// tickets (right prefix and id with a wrong secret; a reset token's parts under the ticket prefix and
// the reverse), a ticket bound to another user's session, and expired tokens gone after a sweep.
import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccounts } from '../../src/accounts/accounts.js';
import { ticketSessionState } from '../../src/accounts/tickets.js';
import { isTesseraError } from '../../src/errors/tessera-error.js';
import { hasAccountStore } from '../../src/server/open-store.js';
import type { SessionRow } from '../../src/store/session-store.js';
import { startNode } from './support/apps.js';
import { createClient, expectProblem, type Client, type SignedIn } from './support/client.js';
import { createTestServer, freshIp, type TestServer } from './support/server-kit.js';

let test: TestServer;
let client: Client;
let stop: () => Promise<void>;
let database: Database.Database;

beforeAll(async () => {
  // Access tokens outlive the flood test's three minutes of stepped clock.
  test = await createTestServer({ 'access-ttl': '900s' });
  const app = await startNode({ server: test.server, now: test.now });
  client = createClient(app.baseUrl, test.now);
  stop = app.close;
  database = new Database(test.dbPath, { readonly: true });
});
afterAll(async () => {
  database.close();
  await stop();
  await test.server.close();
  test.cleanup();
});

const rows = (sessionId: string | null, kind: 'ticket' | 'reset'): number =>
  (
    database
      .prepare('SELECT count(*) AS n FROM one_time_tokens WHERE kind = ? AND session_id IS ?')
      .get(kind, sessionId) as { n: number }
  ).n;

/** Moves the server's clock, and lets the revocation view catch up as its poller would have. */
async function stepClock(ms: number): Promise<void> {
  test.setClock(ms);
  await test.server.revocations.sync();
}

const askTicket = (user: SignedIn): Promise<Response> =>
  client.call('/auth/ticket', { method: 'POST', bearer: user.accessToken });

async function ticketOf(user: SignedIn): Promise<string> {
  const response = await askTicket(user);
  expect(response.status).toBe(200);
  return ((await response.json()) as { ticket: string }).ticket;
}

const codeOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => 'accepted',
    (error: unknown) => (isTesseraError(error) ? error.code : error),
  );

/** The id and secret of an opaque `prefix_id.secret` value. */
function partsOf(value: string): { prefix: string; id: string; secret: string } {
  const match = /^(ts[a-z])_([^.]+)\.(.+)$/.exec(value);
  if (match === null) throw new Error('not an opaque secret');
  return { prefix: match[1]!, id: match[2]!, secret: match[3]! };
}

const authenticate = (ticket: string): Promise<unknown> =>
  codeOf(test.server.authenticateTicket(`/events?ticket=${encodeURIComponent(ticket)}`));

describe('a ticket flood from one session', () => {
  it('gets 429 with Retry-After after 30 a minute, and never more than 8 rows', async () => {
    test.setClock(test.now());
    try {
      const user = await client.signup();
      const other = await client.signup();
      const statuses: number[] = [];
      let refused: Response | undefined;
      for (let i = 0; i < 300; i++) {
        const response = await askTicket(user);
        statuses.push(response.status);
        if (response.status === 429) refused ??= response;
        else await response.body?.cancel();
      }
      expect(statuses.filter((status) => status === 200)).toHaveLength(30);
      expect(statuses.filter((status) => status === 429)).toHaveLength(270);
      expect(statuses.slice(0, 30).every((status) => status === 200)).toBe(true);
      const retryAfter = Number(refused?.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      await expectProblem(refused as Response, 429, 'RATE_LIMITED');
      expect(rows(user.sessionId, 'ticket')).toBe(8);
      // The limit is the session's, not the address's or the user's: another session still gets one.
      expect((await askTicket(other)).status).toBe(200);

      // Three more windows of 30 successful tickets each, no sweep in between: still 8 rows.
      for (let window = 1; window <= 3; window++) {
        await stepClock(test.now() + 61_000);
        for (let i = 0; i < 30; i++) expect((await askTicket(user)).status).toBe(200);
      }
      expect(rows(user.sessionId, 'ticket')).toBe(8);
    } finally {
      test.setClock(undefined);
    }
  });

  it('keeps the newest 8 tickets usable and the older ones dead', async () => {
    const user = await client.signup();
    const tickets: string[] = [];
    for (let i = 0; i < 10; i++) {
      tickets.push(await ticketOf(user));
      // Each a millisecond apart on the server's clock, so "newest" is well defined.
      test.setClock(test.now() + 1);
    }
    test.setClock(undefined);
    const outcomes = [];
    for (const ticket of tickets) outcomes.push(await authenticate(ticket));
    expect(outcomes.slice(0, 2)).toEqual(['TICKET_INVALID', 'TICKET_INVALID']);
    expect(outcomes.slice(2)).toEqual(Array.from({ length: 8 }, () => 'accepted'));
  });
});

describe('a ticket whose session ended', () => {
  it('is refused after a logout, with the session-ended reason', async () => {
    const user = await client.signup();
    const ticket = await ticketOf(user);
    const logout = await client.call('/auth/logout', {
      json: { refresh_token: user.refreshToken },
    });
    expect(logout.status).toBe(204);
    const refused = await test.server
      .authenticateTicket(`/events?ticket=${ticket}`)
      .catch((error: unknown) => error);
    expect(isTesseraError(refused, 'TICKET_INVALID')).toBe(true);
    expect(isTesseraError(refused) && refused.facts).toEqual({ session: 'revoked' });
  });

  it('is refused after logout-all from another device of the user', async () => {
    const here = await client.signup();
    const there = await client.login(here);
    const ticket = await ticketOf(here);
    const all = await client.call('/auth/logout-all', { json: {}, bearer: there.accessToken });
    expect(all.status).toBe(204);
    expect(await authenticate(ticket)).toBe('TICKET_INVALID');
  });

  it('is refused once the session passed its idle expiry, even inside the ticket lifetime', async () => {
    const store = test.server.store;
    if (!hasAccountStore(store)) throw new Error('no account store');
    const user = await client.signup();
    const session = (await store.findSession(user.sessionId)) as SessionRow;
    // A ticket that outlives the session: only the check at use can refuse it.
    const long = createAccounts({ store, now: test.now, ticketSeconds: 60 * 86_400 });
    const { ticket } = await long.createTicket({ userId: session.userId, sessionId: session.id });
    const late = createAccounts({ store, now: () => session.idleExpiresAt });
    expect(await codeOf(late.consumeTicket(ticket))).toBe('TICKET_INVALID');
  });

  it('cannot be issued for a revoked session, even with an access token that still verifies', async () => {
    const user = await client.signup();
    await test.server.sessions.revokeSession(user.sessionId, { reason: 'admin' });
    // The revocation view already refuses this access token; go past it as a node that has not seen
    // the revocation yet would.
    const store = test.server.store;
    if (!hasAccountStore(store)) throw new Error('no account store');
    const session = (await store.findSession(user.sessionId)) as SessionRow;
    const accounts = createAccounts({ store, now: test.now });
    expect(
      await codeOf(accounts.createTicket({ userId: session.userId, sessionId: session.id })),
    ).toBe('TOKEN_REVOKED');
    expect(rows(user.sessionId, 'ticket')).toBe(0);
  });
});

describe('a ticket bound to its user and session', () => {
  it('refuses a ticket row that names one user and another user’s session', async () => {
    const store = test.server.store;
    if (!hasAccountStore(store)) throw new Error('no account store');
    const alice = await client.signup();
    const bob = await client.signup();
    const aliceId = (await store.findSession(alice.sessionId))!.userId;
    // The hostile row: Alice's user id on Bob's live session, as a bug or a tampered store would write it.
    const accounts = createAccounts({ store, now: test.now });
    const refused = await codeOf(
      accounts.createTicket({ userId: aliceId, sessionId: bob.sessionId }),
    );
    expect(refused).toBe('TOKEN_REVOKED');
    const secret = randomBytes(32).toString('base64url');
    const id = randomBytes(16).toString('base64url');
    await store.createOneTimeToken({
      id,
      kind: 'ticket',
      userId: aliceId,
      sessionId: bob.sessionId,
      secretHash: createHash('sha256').update(secret).digest('base64url'),
      expiresAt: test.now() + 30_000,
    });
    const outcome = await test.server
      .authenticateTicket(`/events?ticket=tst_${id}.${secret}`)
      .catch((error: unknown) => error);
    expect(isTesseraError(outcome, 'TICKET_INVALID')).toBe(true);
    expect(isTesseraError(outcome) && outcome.facts).toEqual({ session: 'other-user' });
  });

  it('answers each session with its own identity', async () => {
    const here = await client.signup();
    const there = await client.login(here);
    const a = await test.server.authenticateTicket(`/e?ticket=${await ticketOf(here)}`);
    const b = await test.server.authenticateTicket(`/e?ticket=${await ticketOf(there)}`);
    expect(a.sessionId).toBe(here.sessionId);
    expect(b.sessionId).toBe(there.sessionId);
    expect(a.userId).toBe(b.userId);
  });

  it('decides the session state as a pure function', () => {
    const base = {
      userId: 'u1',
      revokedAt: null,
      idleExpiresAt: 2_000,
      absoluteExpiresAt: 3_000,
    } as unknown as SessionRow;
    expect(ticketSessionState(base, 'u1', 1_999)).toBe('live');
    expect(ticketSessionState(undefined, 'u1', 0)).toBe('unknown');
    expect(ticketSessionState(base, 'u2', 0)).toBe('other-user');
    expect(ticketSessionState({ ...base, revokedAt: 5 }, 'u1', 0)).toBe('revoked');
    expect(ticketSessionState(base, 'u1', 2_000)).toBe('expired');
    expect(ticketSessionState({ ...base, idleExpiresAt: 9_000 }, 'u1', 3_000)).toBe('expired');
  });
});

describe('forged tickets and reset tokens', () => {
  it('refuses the right prefix and id with a wrong secret, and the real ticket still works', async () => {
    const user = await client.signup();
    const ticket = await ticketOf(user);
    const { id } = partsOf(ticket);
    const forged = `tst_${id}.${randomBytes(32).toString('base64url')}`;
    expect(await authenticate(forged)).toBe('TICKET_INVALID');
    expect(await authenticate(ticket)).toBe('accepted');
    expect(await authenticate(ticket)).toBe('TICKET_INVALID');
  });

  it('refuses a reset token presented as a ticket, by its own prefix or under the ticket prefix', async () => {
    const user = await client.signup();
    const request = await client.call('/auth/password-reset', {
      json: { email: user.email },
      ip: freshIp(),
    });
    expect(request.status).toBe(202);
    const reset = test.resetTokens.at(-1)!.token;
    const { id, secret } = partsOf(reset);
    expect(await authenticate(reset)).toBe('TICKET_INVALID');
    expect(await authenticate(`tst_${id}.${secret}`)).toBe('TICKET_INVALID');
    // Neither attempt used the reset token up.
    const confirm = await client.call('/auth/password-reset/confirm', {
      json: { token: reset, new_password: 'a new password here' },
      ip: freshIp(),
    });
    expect(confirm.status).toBe(204);
  });

  it('refuses a ticket presented as a reset token, and the ticket still works', async () => {
    const user = await client.signup();
    const ticket = await ticketOf(user);
    const { id, secret } = partsOf(ticket);
    for (const token of [ticket, `tsp_${id}.${secret}`]) {
      await expectProblem(
        await client.call('/auth/password-reset/confirm', {
          json: { token, new_password: 'a new password here' },
          ip: freshIp(),
        }),
        400,
        'RESET_TOKEN_INVALID',
      );
    }
    expect(await authenticate(ticket)).toBe('accepted');
  });

  it('answers malformed, missing and doubled tickets with exact codes', async () => {
    const user = await client.signup();
    const ticket = await ticketOf(user);
    for (const bad of [
      '',
      'tst_',
      'tst_short.x',
      'x'.repeat(10_000),
      `${ticket}x`,
      `Bearer ${ticket}`,
    ])
      expect(await authenticate(bad)).toBe('TICKET_INVALID');
    expect(await codeOf(test.server.authenticateTicket('/events'))).toBe('TICKET_INVALID');
    expect(
      await codeOf(test.server.authenticateTicket(`/events?ticket=${ticket}&ticket=${ticket}`)),
    ).toBe('REQUEST_INVALID');
    // None of the refusals above used it.
    expect(await authenticate(ticket)).toBe('accepted');
  });
});

describe('sweeping one-time tokens', () => {
  it('deletes expired tickets and reset tokens, and keeps live ones', async () => {
    const start = test.now();
    test.setClock(start);
    try {
      const user = await client.signup();
      await ticketOf(user);
      await client.call('/auth/password-reset', { json: { email: user.email }, ip: freshIp() });
      const liveUser = await client.signup();
      expect(rows(user.sessionId, 'ticket')).toBe(1);
      const resetsBefore = rows(null, 'reset');
      expect(resetsBefore).toBeGreaterThanOrEqual(1);

      // Past the 30 s ticket lifetime only: the ticket goes, the reset token (15 min) stays.
      await stepClock(start + 31_000);
      await ticketOf(liveUser);
      const first = await test.server.store.sweep({
        now: test.now(),
        sealedBefore: test.now(),
        retainAfter: 0,
      });
      expect(first.oneTimeTokens).toBeGreaterThanOrEqual(1);
      expect(rows(user.sessionId, 'ticket')).toBe(0);
      expect(rows(liveUser.sessionId, 'ticket')).toBe(1);
      expect(rows(null, 'reset')).toBe(resetsBefore);

      // Past the reset lifetime: every reset token issued at `start` or before is gone.
      await stepClock(start + 901_000);
      await test.server.store.sweep({ now: test.now(), sealedBefore: test.now(), retainAfter: 0 });
      expect(rows(null, 'reset')).toBe(0);
      expect(rows(liveUser.sessionId, 'ticket')).toBe(0);
    } finally {
      test.setClock(undefined);
    }
  });
});
