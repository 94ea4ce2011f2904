import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RevocationRecord } from '../session-store.js';
import { DAY, MINUTE, T0, type ConformanceContext } from './fixtures.js';

/**
 * Declares the conformance cases for revoking sessions and users and the ordering of the revocation feed, as
 * `describe` blocks. `runStoreConformance` calls it inside its top-level `describe`, whose hooks give
 * `context.store` a fresh, migrated store per test.
 *
 * @example
 * ```ts
 * const context = createConformanceContext({ currentStore: () => store, createStore: options.createStore });
 * defineRevocationCases(context);
 * ```
 */
export function defineRevocationCases(context: ConformanceContext): void {
  const { create, session, allRevocations } = context;

  describe('revocation', () => {
    it('revokes a session once and appends exactly one feed record', async () => {
      const input = await create();
      const before = await allRevocations();
      const record = await context.store.revokeSession({
        sessionId: input.session.id,
        at: T0 + MINUTE,
        reason: 'logout',
      });
      expect(record).toEqual({
        seq: expect.any(Number),
        kind: 'session',
        sessionId: input.session.id,
        userId: input.session.userId,
        at: T0 + MINUTE,
      });
      expect(
        await context.store.revokeSession({
          sessionId: input.session.id,
          at: T0 + 2 * MINUTE,
          reason: 'admin',
        }),
      ).toBeUndefined();
      expect(
        await context.store.revokeSession({
          sessionId: `s-${randomUUID()}`,
          at: T0,
          reason: 'logout',
        }),
      ).toBeUndefined();
      expect((await allRevocations()).slice(before.length)).toEqual([record]);
      expect(await session(input.session.id)).toMatchObject({
        revokedAt: T0 + MINUTE,
        revokedReason: 'logout',
      });
    });

    it('revokes every live session of a user but one, with one user record', async () => {
      const userId = `u-${randomUUID()}`;
      const [a, b, c, gone] = [
        await create({ userId }),
        await create({ userId }),
        await create({ userId }),
        await create({ userId }),
      ];
      const stranger = await create();
      await context.store.revokeSession({ sessionId: gone.session.id, at: T0, reason: 'logout' });
      const before = await allRevocations();
      const record = await context.store.revokeUser({
        userId,
        at: T0 + DAY,
        reason: 'password-change',
        exceptSessionId: b.session.id,
      });
      expect(record).toEqual({
        seq: expect.any(Number),
        kind: 'user',
        userId,
        revokedBefore: T0 + DAY,
        exceptSessionId: b.session.id,
        at: T0 + DAY,
      });
      expect((await allRevocations()).slice(before.length)).toEqual([record]);
      for (const revoked of [a, c])
        expect(await session(revoked.session.id)).toMatchObject({
          revokedAt: T0 + DAY,
          revokedReason: 'password-change',
        });
      for (const live of [b, stranger])
        expect((await session(live.session.id)).revokedAt).toBeNull();
      expect(await session(gone.session.id)).toMatchObject({
        revokedAt: T0,
        revokedReason: 'logout',
      });
      const all = await context.store.revokeUser({
        userId,
        at: T0 + 2 * DAY,
        reason: 'admin',
        exceptSessionId: null,
      });
      expect(all).toMatchObject({ kind: 'user', exceptSessionId: null });
      expect((await session(b.session.id)).revokedAt).toBe(T0 + 2 * DAY);
      expect(
        await context.store.revokeUser({
          userId: `u-${randomUUID()}`,
          at: T0,
          reason: 'admin',
          exceptSessionId: null,
        }),
      ).toMatchObject({ kind: 'user' });
    });

    it('numbers the feed strictly increasing and pages through it without gaps', async () => {
      const sessions = await Promise.all(Array.from({ length: 7 }, () => create()));
      for (const [i, input] of sessions.entries())
        await context.store.revokeSession({
          sessionId: input.session.id,
          at: T0 + i,
          reason: 'logout',
        });
      const all = await allRevocations();
      expect(all.map((record) => record.kind === 'session' && record.sessionId)).toEqual(
        sessions.map((input) => input.session.id),
      );
      for (let i = 1; i < all.length; i += 1)
        expect(all[i]?.seq).toBeGreaterThan(all[i - 1]?.seq ?? Infinity);
      const paged: RevocationRecord[] = [];
      for (
        let page = await context.store.listRevocations({ afterSeq: 0, limit: 3 });
        page.length > 0;
      ) {
        expect(page.length).toBeLessThanOrEqual(3);
        paged.push(...page);
        page = await context.store.listRevocations({
          afterSeq: page[page.length - 1]?.seq ?? 0,
          limit: 3,
        });
      }
      expect(paged).toEqual(all);
      expect(
        await context.store.listRevocations({ afterSeq: all[all.length - 1]?.seq ?? 0, limit: 10 }),
      ).toEqual([]);
    });

    it('never lets a poller skip a record while revocations are written concurrently', async () => {
      const sessions = await Promise.all(Array.from({ length: 40 }, () => create()));
      let writing = true;
      const seen: RevocationRecord[] = [];
      const poll = async (): Promise<void> => {
        const page = await context.store.listRevocations({
          afterSeq: seen[seen.length - 1]?.seq ?? 0,
          limit: 7,
        });
        seen.push(...page);
      };
      const poller = (async () => {
        while (writing) await poll();
      })();
      await Promise.all(
        sessions.map((input, i) =>
          i % 5 === 0
            ? context.store.revokeUser({
                userId: input.session.userId,
                at: T0 + i,
                reason: 'admin',
                exceptSessionId: null,
              })
            : context.store.revokeSession({
                sessionId: input.session.id,
                at: T0 + i,
                reason: 'logout',
              }),
        ),
      );
      writing = false;
      await poller;
      for (let before = -1; before !== seen.length;) {
        before = seen.length;
        await poll();
      }
      expect(seen).toEqual(await allRevocations());
      expect(seen).toHaveLength(40);
    });

    it('never reuses a seq after sweep deleted the newest records', async () => {
      const first = await context.store.revokeUser({
        userId: 'u-1',
        at: T0,
        reason: 'admin',
        exceptSessionId: null,
      });
      await context.store.sweep({ now: T0, sealedBefore: T0, retainAfter: T0 + DAY });
      expect(await allRevocations()).toEqual([]);
      const next = await context.store.revokeUser({
        userId: 'u-1',
        at: T0 + 2 * DAY,
        reason: 'admin',
        exceptSessionId: null,
      });
      expect(next.seq).toBeGreaterThan(first.seq);
      expect(await context.store.listRevocations({ afterSeq: first.seq, limit: 10 })).toEqual([
        next,
      ]);
    });
  });
}
