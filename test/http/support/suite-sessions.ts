// Logout, logout-all, password change and reset, the device list, and connection tickets.
import { describe, expect, it } from 'vitest';
import { createAccounts } from '../../../src/accounts/accounts.js';
import { isTesseraError } from '../../../src/errors/tessera-error.js';
import { hasAccountStore } from '../../../src/server/open-store.js';
import { expectProblem } from './client.js';
import type { SuiteContext } from './http-suite.js';
import { APP_ORIGIN, freshIp } from './server-kit.js';

const CLEARED = /^__Secure-tessera_rt=; Path=\/auth; Max-Age=0; HttpOnly; Secure; SameSite=Lax$/;

export function describeSessions(ctx: SuiteContext): void {
  describe('logout', () => {
    it('revokes the session, clears the cookie, and answers the same again (idempotent)', async () => {
      const user = await ctx.client.signup({ transport: 'cookie' });
      for (let i = 0; i < 2; i++) {
        const response = await ctx.client.call('/auth/logout', {
          method: 'POST',
          cookie: user.refreshToken,
          origin: APP_ORIGIN,
        });
        expect(response.status).toBe(204);
        expect(response.headers.getSetCookie()).toEqual([expect.stringMatching(CLEARED)]);
      }
      await expectProblem(await ctx.client.refresh(user), 401, 'REFRESH_TOKEN_REVOKED');
      await expectProblem(
        await ctx.client.call('/auth/me', { bearer: user.accessToken }),
        401,
        'TOKEN_REVOKED',
      );
      const nothing = await ctx.client.call('/auth/logout', { method: 'POST' });
      expect(nothing.status).toBe(204);
      expect(nothing.headers.getSetCookie()).toEqual([expect.stringMatching(CLEARED)]);
    });
  });

  describe('logout-all', () => {
    it('with keep_current revokes every other session and keeps this one', async () => {
      const here = await ctx.client.signup();
      const there = await ctx.client.login(here);
      const response = await ctx.client.call('/auth/logout-all', {
        json: { keep_current: true },
        bearer: here.accessToken,
      });
      expect(response.status).toBe(204);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect((await ctx.client.refresh(here)).status).toBe(200);
      await expectProblem(await ctx.client.refresh(there), 401, 'REFRESH_TOKEN_REVOKED');
      await expectProblem(
        await ctx.client.call('/auth/me', { bearer: there.accessToken }),
        401,
        'TOKEN_REVOKED',
      );
    });

    it('without keep_current revokes this session too and clears the cookie', async () => {
      const here = await ctx.client.signup({ transport: 'cookie' });
      const there = await ctx.client.login(here);
      const response = await ctx.client.call('/auth/logout-all', {
        json: {},
        bearer: here.accessToken,
        cookie: here.refreshToken,
        origin: APP_ORIGIN,
      });
      expect(response.status).toBe(204);
      expect(response.headers.getSetCookie()).toEqual([expect.stringMatching(CLEARED)]);
      await expectProblem(await ctx.client.refresh(here), 401, 'REFRESH_TOKEN_REVOKED');
      await expectProblem(await ctx.client.refresh(there), 401, 'REFRESH_TOKEN_REVOKED');
    });
  });

  describe('password change', () => {
    it('needs the current password, then revokes every other session and swaps the password', async () => {
      const here = await ctx.client.signup();
      const there = await ctx.client.login(here);
      await expectProblem(
        await ctx.client.call('/auth/password', {
          json: { current_password: 'not the password', new_password: 'a new password' },
          bearer: here.accessToken,
        }),
        401,
        'CREDENTIALS_INVALID',
      );
      expect((await ctx.client.refresh(there)).status).toBe(200);
      const changed = await ctx.client.call('/auth/password', {
        json: { current_password: here.password, new_password: 'a new password' },
        bearer: here.accessToken,
      });
      expect(changed.status).toBe(204);
      expect((await ctx.client.call('/auth/me', { bearer: here.accessToken })).status).toBe(200);
      expect((await ctx.client.refresh(here)).status).toBe(200);
      await expectProblem(
        await ctx.client.call('/auth/me', { bearer: there.accessToken }),
        401,
        'TOKEN_REVOKED',
      );
      await expectProblem(
        await ctx.client.call('/auth/login', {
          json: { email: here.email, password: here.password },
          ip: freshIp(),
        }),
        401,
        'CREDENTIALS_INVALID',
      );
      expect(
        (await ctx.client.login({ email: here.email, password: 'a new password' })).email,
      ).toBe(here.email);
    });
  });

  describe('devices', () => {
    it("lists the user's live sessions, marks the current one, and records the client address", async () => {
      const here = await ctx.client.signup();
      const there = await ctx.client.login(here);
      const response = await ctx.client.call('/auth/sessions', { bearer: here.accessToken });
      const { sessions } = (await response.json()) as {
        sessions: { id: string; current: boolean; ip: string | null }[];
      };
      expect(sessions.map((s) => [s.id, s.current]).sort()).toEqual(
        [
          [here.sessionId, true],
          [there.sessionId, false],
        ].sort(),
      );
      expect(sessions.every((s) => typeof s.ip === 'string' && s.ip.length > 0)).toBe(true);
    });

    it("answers 404 for another user's session and leaves it alive; revokes one's own", async () => {
      const alice = await ctx.client.signup();
      const aliceLaptop = await ctx.client.login(alice);
      const mallory = await ctx.client.signup();
      await expectProblem(
        await ctx.client.call(`/auth/sessions/${alice.sessionId}`, {
          method: 'DELETE',
          bearer: mallory.accessToken,
        }),
        404,
        'NOT_FOUND',
      );
      await expectProblem(
        await ctx.client.call('/auth/sessions/no-such-session', {
          method: 'DELETE',
          bearer: mallory.accessToken,
        }),
        404,
        'NOT_FOUND',
      );
      expect((await ctx.client.refresh(alice)).status).toBe(200);
      const deleted = await ctx.client.call(`/auth/sessions/${aliceLaptop.sessionId}`, {
        method: 'DELETE',
        bearer: alice.accessToken,
      });
      expect(deleted.status).toBe(204);
      await expectProblem(await ctx.client.refresh(aliceLaptop), 401, 'REFRESH_TOKEN_REVOKED');
      await expectProblem(
        await ctx.client.call(`/auth/sessions/${aliceLaptop.sessionId}`, {
          method: 'DELETE',
          bearer: alice.accessToken,
        }),
        404,
        'NOT_FOUND',
      );
    });
  });

  describe('password reset', () => {
    it('always answers 202, and only a known email gets a token', async () => {
      const before = ctx.test.resetTokens.length;
      const unknown = await ctx.client.call('/auth/password-reset', {
        json: { email: 'nobody-here@example.test' },
        ip: freshIp(),
      });
      expect(unknown.status).toBe(202);
      expect(ctx.test.resetTokens.length).toBe(before);
      const user = await ctx.client.signup();
      const known = await ctx.client.call('/auth/password-reset', {
        json: { email: user.email },
        ip: freshIp(),
      });
      expect(known.status).toBe(202);
      expect(ctx.test.resetTokens.at(-1)?.email).toBe(user.email);
    });

    it('confirm sets the password, revokes every session, and works once', async () => {
      const user = await ctx.client.signup();
      const other = await ctx.client.login(user);
      await ctx.client.call('/auth/password-reset', { json: { email: user.email }, ip: freshIp() });
      const token = ctx.test.resetTokens.at(-1)?.token as string;
      const confirm = await ctx.client.call('/auth/password-reset/confirm', {
        json: { token, new_password: 'brand new password' },
        ip: freshIp(),
      });
      expect(confirm.status).toBe(204);
      await expectProblem(await ctx.client.refresh(user), 401, 'REFRESH_TOKEN_REVOKED');
      await expectProblem(await ctx.client.refresh(other), 401, 'REFRESH_TOKEN_REVOKED');
      await expectProblem(
        await ctx.client.call('/auth/me', { bearer: user.accessToken }),
        401,
        'TOKEN_REVOKED',
      );
      expect(
        (await ctx.client.login({ email: user.email, password: 'brand new password' })).email,
      ).toBe(user.email);
      await expectProblem(
        await ctx.client.call('/auth/password-reset/confirm', {
          json: { token, new_password: 'third password!' },
          ip: freshIp(),
        }),
        400,
        'RESET_TOKEN_INVALID',
      );
    });
  });

  describe('tickets', () => {
    it('issues a 30 s single-use ticket with no-store', async () => {
      const user = await ctx.client.signup();
      const store = ctx.test.server.store;
      if (!hasAccountStore(store)) throw new Error('no account store');
      const consumer = createAccounts({ store, now: ctx.test.now });
      const issue = async (): Promise<string> => {
        const response = await ctx.client.call('/auth/ticket', {
          method: 'POST',
          bearer: user.accessToken,
        });
        expect(response.status).toBe(200);
        expect(response.headers.get('cache-control')).toBe('no-store');
        const body = (await response.json()) as { ticket: string; expires_in: number };
        expect(body.expires_in).toBe(30);
        return body.ticket;
      };
      const ticket = await issue();
      expect(await consumer.consumeTicket(ticket)).toEqual({
        userId: expect.any(String),
        sessionId: user.sessionId,
      });
      expect(
        await consumer
          .consumeTicket(ticket)
          .catch((error: unknown) => isTesseraError(error) && error.code),
      ).toBe('TICKET_INVALID');
      const late = await issue();
      const later = createAccounts({ store, now: () => ctx.test.now() + 31_000 });
      expect(
        await later
          .consumeTicket(late)
          .catch((error: unknown) => isTesseraError(error) && error.code),
      ).toBe('TICKET_INVALID');
    });
  });
}
