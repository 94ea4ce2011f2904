import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DAY, MINUTE, T0, newSession, type ConformanceContext } from './fixtures.js';

/**
 * Declares the conformance cases for migrating a store and creating, reading, listing and evicting sessions,
 * as `describe` blocks. `runStoreConformance` calls it inside its top-level `describe`, whose hooks give
 * `context.store` a fresh, migrated store per test.
 *
 * @example
 * ```ts
 * const context = createConformanceContext({ currentStore: () => store, createStore: options.createStore });
 * defineSessionCases(context);
 * ```
 */
export function defineSessionCases(context: ConformanceContext): void {
  const { create, session, allRevocations } = context;

  describe('migrate', () => {
    it('runs again without harm and keeps the data', async () => {
      const { session: created } = await create();
      await context.store.migrate();
      expect((await session(created.id)).userId).toBe(created.userId);
    });

    it('is safe when called concurrently on a fresh store', async () => {
      const fresh = await context.createStore();
      try {
        await Promise.all([fresh.migrate(), fresh.migrate(), fresh.migrate(), fresh.migrate()]);
        const input = newSession();
        await fresh.createSession(input);
        expect((await fresh.findSession(input.session.id))?.id).toBe(input.session.id);
      } finally {
        await fresh.close();
      }
    });
  });

  describe('sessions', () => {
    it('creates a session at generation 0 and reads every field back', async () => {
      const input = await create({ userAgent: null, ip: null });
      expect(await session(input.session.id)).toEqual({
        ...input.session,
        generation: 0,
        rotatedAt: null,
        successorSealed: null,
        graceCount: 0,
        revokedAt: null,
        revokedReason: null,
        rotationWindowStart: null,
        rotationCount: 0,
      });
      const withAgent = await create();
      expect((await session(withAgent.session.id)).userAgent).toBe(withAgent.session.userAgent);
    });

    it('finds a refresh token together with its session', async () => {
      const input = await create();
      expect(await context.store.findRefreshToken(input.token.id)).toEqual({
        token: { ...input.token, sessionId: input.session.id, generation: 0 },
        session: await session(input.session.id),
      });
    });

    it('creates nothing when the first token cannot be stored (one transaction)', async () => {
      const first = await create();
      const clash = newSession();
      await expect(
        context.store.createSession({ ...clash, token: { ...clash.token, id: first.token.id } }),
      ).rejects.toThrow();
      expect(await context.store.findSession(clash.session.id)).toBeUndefined();
      expect(await context.store.listSessions(clash.session.userId)).toEqual([]);
    });

    it('lists a user’s sessions, revoked ones included, newest first', async () => {
      const userId = `u-${randomUUID()}`;
      const a = await create({ userId, createdAt: T0 });
      const b = await create({ userId, createdAt: T0 + MINUTE });
      const c = await create({ userId, createdAt: T0 + 2 * MINUTE });
      await create();
      await context.store.revokeSession({
        sessionId: b.session.id,
        at: T0 + 3 * MINUTE,
        reason: 'logout',
      });
      const listed = await context.store.listSessions(userId);
      expect(listed.map((row) => row.id)).toEqual([c.session.id, b.session.id, a.session.id]);
      expect(listed[1]?.revokedAt).toBe(T0 + 3 * MINUTE);
      expect(await context.store.listSessions(`u-${randomUUID()}`)).toEqual([]);
    });

    it('evicts the oldest live sessions beyond maxSessionsPerUser, with feed records', async () => {
      const userId = `u-${randomUUID()}`;
      const other = await create();
      const expired = await create({ userId, createdAt: T0 - 20 * DAY, idleExpiresAt: T0 - DAY });
      const s1 = await create({ userId, createdAt: T0 });
      const s2 = await create({ userId, createdAt: T0 + MINUTE });
      const s3 = await create({ userId, createdAt: T0 + 2 * MINUTE });
      const revoked = await create({ userId, createdAt: T0 + 3 * MINUTE });
      await context.store.revokeSession({
        sessionId: revoked.session.id,
        at: T0 + 4 * MINUTE,
        reason: 'logout',
      });
      const before = await allRevocations();
      const s4 = await create({ userId, createdAt: T0 + 5 * MINUTE }, 2);
      const added = (await allRevocations()).slice(before.length);
      expect(added.map((record) => record.kind === 'session' && record.sessionId).sort()).toEqual(
        [s1.session.id, s2.session.id].sort(),
      );
      for (const record of added)
        expect(record).toMatchObject({ kind: 'session', userId, at: T0 + 5 * MINUTE });
      for (const evicted of [s1, s2])
        expect((await session(evicted.session.id)).revokedAt).toBe(T0 + 5 * MINUTE);
      for (const live of [s3, s4, other])
        expect((await session(live.session.id)).revokedAt).toBeNull();
      expect((await session(expired.session.id)).revokedAt).toBeNull();
      expect((await session(revoked.session.id)).revokedAt).toBe(T0 + 4 * MINUTE);
    });

    it('keeps exactly maxSessionsPerUser live sessions when a user logs in 12 times at once', async () => {
      const userId = `u-${randomUUID()}`;
      await Promise.all(
        Array.from({ length: 12 }, (_, i) => create({ userId, createdAt: T0 + i }, 3)),
      );
      const live = (await context.store.listSessions(userId)).filter(
        (row) => row.revokedAt === null,
      );
      expect(live).toHaveLength(3);
      const records = (await allRevocations()).filter((record) => record.userId === userId);
      expect(records).toHaveLength(9);
    });

    it('never evicts the session being created, and evicts nothing under the limit', async () => {
      const userId = `u-${randomUUID()}`;
      const newer = await create({ userId, createdAt: T0 + DAY });
      const older = await create({ userId, createdAt: T0 }, 1);
      expect((await session(older.session.id)).revokedAt).toBeNull();
      expect((await session(newer.session.id)).revokedAt).toBe(T0);
      const before = (await allRevocations()).length;
      await create({ userId: `u-${randomUUID()}` }, 3);
      expect(await allRevocations()).toHaveLength(before);
    });
  });
}
