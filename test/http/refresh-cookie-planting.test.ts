// A sibling subdomain (or an old deployment's Domain cookie) puts a second `__Secure-tessera_rt` next to
// this server's own, and the browser sends both. The name and path cannot change (that would log every
// user out), so the server must pick: the live one is refreshed, the rest are ignored, and nothing the
// planter sends rotates, revokes or refuses the real session. Before, any two refresh cookies drew a
// 400 REQUEST_INVALID, which let the sibling lock the user out. Run on SQLite and on PostgreSQL.
import { describe, expect, it } from 'vitest';
import { refreshOutcome } from '../../src/client/refresh-outcome.js';
import { MAX_REFRESH_COOKIES } from '../../src/http/refresh-cookies.js';
import { expectProblem, type Client, type SignedIn } from './support/client.js';
import { useListeningServer } from './support/listening-server.js';
import { APP_ORIGIN, refreshCookieOf, type TestServer } from './support/server-kit.js';

const NAME = '__Secure-tessera_rt';
/** Well-formed (tsr_ + 22 + . + 43) but of no session. */
const FOREIGN = `tsr_${'A'.repeat(22)}.${'B'.repeat(43)}`;
const foreign = (i: number): string => `tsr_${String(i).padStart(22, 'Q')}.${'C'.repeat(43)}`;

describe.each(['sqlite', 'postgres'] as const)('planted refresh cookies on %s', (kind) => {
  let test: TestServer;
  let client: Client;
  useListeningServer(kind, 'planted', (started) => ({ test, client } = started));

  /** A browser request to a cookie route carrying exactly these refresh cookies, in this order. */
  const withCookies = (path: string, values: readonly string[]): Promise<Response> =>
    client.call(path, {
      method: 'POST',
      origin: APP_ORIGIN,
      headers: { cookie: values.map((value) => `${NAME}=${value}`).join('; ') },
    });

  const sessionOf = async (user: SignedIn): Promise<{ generation: number; revoked: boolean }> => {
    const row = await test.server.store.findSession(user.sessionId);
    if (row === undefined) throw new Error('no such session');
    return { generation: row.generation, revoked: row.revokedAt !== null };
  };

  /** Refreshes with the planted values around the real one; expects the real session to rotate once. */
  async function expectRealRefresh(user: SignedIn, planted: readonly string[]): Promise<string> {
    const before = await sessionOf(user);
    const response = await withCookies('/auth/refresh', [...planted, user.refreshToken]);
    const body = (await response.json()) as { session_id: string; grace: boolean };
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ session_id: user.sessionId, grace: false });
    const next = refreshCookieOf(response);
    expect(next).toMatch(/^tsr_/);
    expect(next).not.toBe(user.refreshToken);
    expect(await sessionOf(user)).toEqual({ generation: before.generation + 1, revoked: false });
    return next as string;
  }

  it('refreshes the real session past a garbage cookie, before or after it', async () => {
    const user = await client.signup({ transport: 'cookie' });
    const next = await expectRealRefresh(user, [
      'garbage',
      '',
      'tsr_.',
      'eyJhbGciOiJub25lIn0.e30.',
    ]);
    const response = await withCookies('/auth/refresh', [next, 'x'.repeat(300)]);
    expect(response.status).toBe(200);
    expect((await sessionOf(user)).revoked).toBe(false);
  });

  it('refreshes the real session past a well-formed token of no session, revoking nothing', async () => {
    const user = await client.signup({ transport: 'cookie' });
    await expectRealRefresh(user, [FOREIGN]);
  });

  it('ignores a stale token of the same session (an old Domain cookie) instead of reading it as theft', async () => {
    const user = await client.signup({ transport: 'cookie' });
    const second = await expectRealRefresh(user, []);
    const third = await expectRealRefresh({ ...user, refreshToken: second }, [user.refreshToken]);
    // Two generations behind: alone it would be reuse and revoke the session.
    await expectRealRefresh({ ...user, refreshToken: third }, [user.refreshToken, second]);
  });

  it('ignores the planter’s own stale token and a body-transport token, touching neither session', async () => {
    const user = await client.signup({ transport: 'cookie' });
    const attacker = await client.signup({ transport: 'cookie' });
    // Two rotations: the first token is now past the grace answer, so alone it would read as theft.
    const first = await client.refresh(attacker);
    const second = refreshCookieOf(first) as string;
    expect((await client.refresh({ ...attacker, refreshToken: second })).status).toBe(200);
    const native = await client.signup({ transport: 'body' });
    await expectRealRefresh(user, [attacker.refreshToken, native.refreshToken]);
    expect(await sessionOf(attacker)).toEqual({ generation: 2, revoked: false });
    expect(await sessionOf(native)).toEqual({ generation: 0, revoked: false });
  });

  it(`judges at most ${MAX_REFRESH_COOKIES} well-formed cookies: past that, a conflict, never a logout code`, async () => {
    const user = await client.signup({ transport: 'cookie' });
    const within = Array.from({ length: MAX_REFRESH_COOKIES - 1 }, (_, i) => foreign(i));
    const next = await expectRealRefresh(user, within);
    const flood = Array.from({ length: MAX_REFRESH_COOKIES }, (_, i) => foreign(i));
    const refused = await withCookies('/auth/refresh', [...flood, next]);
    await expectProblem(refused, 409, 'REFRESH_COOKIE_CONFLICT');
    expect(refreshCookieOf(refused)).toBeUndefined();
    expect(await sessionOf(user)).toEqual({ generation: 1, revoked: false });
  });

  it('answers live sessions of two users with a conflict: neither rotated nor revoked, and logout ends both', async () => {
    // Picking either could sign the user into the planter's account (the successor cookie would replace
    // the user's own), and no header says which cookie this server set: refuse, with a code the client
    // reads as a set-up problem, not a logout. The planter's session is named in the log for the operator.
    const user = await client.signup({ transport: 'cookie' });
    const attacker = await client.signup({ transport: 'cookie' });
    const refused = await withCookies('/auth/refresh', [attacker.refreshToken, user.refreshToken]);
    const problem = await expectProblem(refused, 409, 'REFRESH_COOKIE_CONFLICT');
    expect(JSON.stringify(problem)).not.toContain(user.refreshToken);
    expect(JSON.stringify(problem)).not.toContain(attacker.refreshToken);
    // The shipped client keeps the session on this answer (a set-up problem), it does not log out.
    expect(refreshOutcome(409, 'REFRESH_COOKIE_CONFLICT')).toBe('misconfigured');
    expect(await sessionOf(user)).toEqual({ generation: 0, revoked: false });
    expect(await sessionOf(attacker)).toEqual({ generation: 0, revoked: false });
    // Once the planted session is gone (an operator revoked it), the user's refresh goes through again.
    expect(
      await test.server.sessions.revokeSession(attacker.sessionId, { reason: 'revoked-by-user' }),
    ).toBe(true);
    await expectRealRefresh(user, [attacker.refreshToken]);
    // And a user who logs out with both cookies ends the live ones: their own and the planted one.
    const other = await client.signup({ transport: 'cookie' });
    const planted = await client.signup({ transport: 'cookie' });
    const logout = await withCookies('/auth/logout', [planted.refreshToken, other.refreshToken]);
    expect(logout.status).toBe(204);
    expect((await sessionOf(other)).revoked).toBe(true);
    expect((await sessionOf(planted)).revoked).toBe(true);
  });

  it('logs out the real session past garbage and unknown cookies', async () => {
    const user = await client.signup({ transport: 'cookie' });
    const logout = await withCookies('/auth/logout', ['garbage', FOREIGN, user.refreshToken]);
    expect(logout.status).toBe(204);
    expect((await sessionOf(user)).revoked).toBe(true);
  });

  it('with no live session among them answers the real one’s refusal, not the planted one’s', async () => {
    const user = await client.signup({ transport: 'cookie' });
    expect(await test.server.sessions.revokeSession(user.sessionId, { reason: 'logout' })).toBe(
      true,
    );
    await expectProblem(
      await withCookies('/auth/refresh', [FOREIGN, user.refreshToken]),
      401,
      'REFRESH_TOKEN_REVOKED',
    );
  });

  it('still revokes a stolen session: a planted cookie cannot switch off reuse detection', async () => {
    const victim = await client.signup({ transport: 'cookie' });
    // The thief rotates twice with a copy of the cookie; the victim's browser then sends its token,
    // now two generations old, with a well-formed cookie the thief planted alongside.
    const first = await client.refresh(victim);
    const thiefToken = refreshCookieOf(first) as string;
    expect((await client.refresh({ ...victim, refreshToken: thiefToken })).status).toBe(200);
    await expectProblem(
      await withCookies('/auth/refresh', [FOREIGN, victim.refreshToken]),
      401,
      'REFRESH_TOKEN_REUSED',
    );
    expect((await sessionOf(victim)).revoked).toBe(true);
  });
});
