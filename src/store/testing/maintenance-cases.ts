import { describe, expect, it } from 'vitest';
import {
  BAD_IDS,
  DAY,
  MINUTE,
  T0,
  byKid,
  rotationOf,
  storedKey,
  type ConformanceContext,
} from './fixtures.js';

/**
 * Declares the conformance cases for the audit events, sweeping, the key store and bad input, as `describe`
 * blocks. `runStoreConformance` calls it inside its top-level `describe`, whose hooks give `context.store` a
 * fresh, migrated store per test.
 *
 * @example
 * ```ts
 * const context = createConformanceContext({ currentStore: () => store, createStore: options.createStore });
 * defineMaintenanceCases(context);
 * ```
 */
export function defineMaintenanceCases(context: ConformanceContext): void {
  const { create, session, allRevocations } = context;

  describe('events', () => {
    it('lists events newest first, filtered by user and session, at most limit', async () => {
      const base = { ip: '198.51.100.1', detail: '{"n":0}' };
      await context.store.appendEvent({
        ...base,
        at: T0,
        type: 'login',
        userId: 'u-1',
        sessionId: 's-1',
      });
      await context.store.appendEvent({
        ...base,
        at: T0 + 2,
        type: 'refresh',
        userId: 'u-1',
        sessionId: 's-2',
      });
      await context.store.appendEvent({
        ...base,
        at: T0 + 1,
        type: 'refresh',
        userId: 'u-1',
        sessionId: 's-1',
      });
      await context.store.appendEvent({
        ...base,
        at: T0 + 1,
        type: 'logout',
        userId: 'u-1',
        sessionId: 's-1',
        detail: '{"n":1}',
      });
      await context.store.appendEvent({
        at: T0 + 3,
        type: 'user.revoked',
        userId: null,
        sessionId: null,
        ip: null,
        detail: '{}',
      });
      await context.store.appendEvent({
        ...base,
        at: T0 + 4,
        type: 'login',
        userId: 'u-2',
        sessionId: 's-3',
      });
      const types = (events: { type: string }[]): string[] => events.map((event) => event.type);
      expect(types(await context.store.listEvents({ userId: 'u-1', limit: 10 }))).toEqual([
        'refresh',
        'logout',
        'refresh',
        'login',
      ]);
      expect(types(await context.store.listEvents({ sessionId: 's-1', limit: 10 }))).toEqual([
        'logout',
        'refresh',
        'login',
      ]);
      expect(
        types(await context.store.listEvents({ userId: 'u-1', sessionId: 's-2', limit: 10 })),
      ).toEqual(['refresh']);
      expect(
        await context.store.listEvents({ userId: 'u-2', sessionId: 's-1', limit: 10 }),
      ).toEqual([]);
      expect(types(await context.store.listEvents({ limit: 2 }))).toEqual([
        'login',
        'user.revoked',
      ]);
      expect((await context.store.listEvents({ limit: 10 }))[1]).toEqual({
        at: T0 + 3,
        type: 'user.revoked',
        userId: null,
        sessionId: null,
        ip: null,
        detail: '{}',
      });
      expect(await context.store.listEvents({ userId: 'u-1', limit: 0 })).toEqual([]);
    });
  });

  describe('sweep', () => {
    it('erases old sealed successors, expired sessions with their tokens, old events, feed records and IPs', async () => {
      const now = T0 + 40 * DAY;
      const live = await create({
        createdAt: now - DAY,
        idleExpiresAt: now + DAY,
        absoluteExpiresAt: now + 20 * DAY,
      });
      const idle = await create({
        createdAt: now - 10 * DAY,
        idleExpiresAt: now - 1,
        absoluteExpiresAt: now + DAY,
      });
      const absolute = await create({
        createdAt: now - 30 * DAY,
        idleExpiresAt: now + DAY,
        absoluteExpiresAt: now - 1,
      });
      const recent = await create({
        createdAt: now - DAY,
        lastUsedAt: now - DAY,
        idleExpiresAt: now + DAY,
      });
      const old = await create({
        createdAt: now - 10 * DAY,
        lastUsedAt: now - 10 * DAY,
        idleExpiresAt: now + DAY,
      });
      await context.store.rotate({
        ...rotationOf(absolute.session.id, 0, now - 20 * DAY),
        idleExpiresAt: now + DAY,
      });
      await context.store.rotate({
        ...rotationOf(live.session.id, 0, now - 2 * MINUTE),
        idleExpiresAt: now + DAY,
      });
      await context.store.rotate({
        ...rotationOf(recent.session.id, 0, now - 5 * 1000),
        idleExpiresAt: now + DAY,
      });
      for (const at of [now - 10 * DAY, now - 8 * DAY, now - DAY])
        await context.store.appendEvent({
          at,
          type: 'login',
          userId: 'u',
          sessionId: null,
          ip: null,
          detail: '{}',
        });
      await context.store.revokeUser({
        userId: 'u-old',
        at: now - 10 * DAY,
        reason: 'admin',
        exceptSessionId: null,
      });
      const kept = await context.store.revokeUser({
        userId: 'u-new',
        at: now - DAY,
        reason: 'admin',
        exceptSessionId: null,
      });
      const policy = { now, sealedBefore: now - MINUTE, retainAfter: now - 7 * DAY };
      expect(await context.store.sweep(policy)).toMatchObject({
        sessions: 2,
        tokens: 3,
        events: 2,
      });
      for (const gone of [idle, absolute]) {
        expect(await context.store.findSession(gone.session.id)).toBeUndefined();
        expect(await context.store.findRefreshToken(gone.token.id)).toBeUndefined();
      }
      expect((await session(live.session.id)).successorSealed).toBeNull();
      expect((await session(recent.session.id)).successorSealed).not.toBeNull();
      expect((await session(recent.session.id)).ip).toBe(recent.session.ip);
      expect((await session(old.session.id)).ip).toBeNull();
      expect(await context.store.findRefreshToken(live.token.id)).toBeDefined();
      expect(
        (await context.store.listEvents({ userId: 'u', limit: 10 })).map((event) => event.at),
      ).toEqual([now - DAY]);
      expect(await allRevocations()).toEqual([kept]);
      expect(await context.store.sweep(policy)).toMatchObject({
        sessions: 0,
        tokens: 0,
        events: 0,
      });
    });
  });

  describe('keys', () => {
    it('stores a first set only when empty and replaces the whole set on save', async () => {
      expect(await context.store.loadKeys()).toEqual([]);
      const first = [
        storedKey('k1'),
        { ...storedKey('k2'), alg: 'EdDSA', retiresAt: T0 + 9 * DAY },
      ];
      expect(byKid(await context.store.initKeys(first))).toEqual(first);
      expect(byKid(await context.store.initKeys([storedKey('other')]))).toEqual(first);
      const next = [storedKey('k2'), storedKey('k3')];
      await context.store.saveKeys(next);
      expect(byKid(await context.store.loadKeys())).toEqual(next);
    });

    it('gives two concurrent initKeys with different keys the same stored set', async () => {
      const [a, b] = await Promise.all([
        context.store.initKeys([storedKey('a1'), storedKey('a2')]),
        context.store.initKeys([storedKey('b1')]),
      ]);
      expect(byKid(a)).toEqual(byKid(b));
      expect([['a1', 'a2'], ['b1']]).toContainEqual(byKid(a).map((key) => key.kid));
      expect(byKid(await context.store.loadKeys())).toEqual(byKid(a));
    });
  });

  describe('bad input', () => {
    it('answers unknown and strange ids with undefined, false or [] rather than a driver error', async () => {
      const input = await create();
      for (const id of BAD_IDS) {
        expect(await context.store.findSession(id)).toBeUndefined();
        expect(await context.store.findRefreshToken(id)).toBeUndefined();
        expect(await context.store.rotate(rotationOf(id, 0))).toBe(false);
        expect(
          await context.store.takeGraceAnswer({ sessionId: id, generation: 1, max: 5, usedAt: T0 }),
        ).toBeUndefined();
        expect(
          await context.store.revokeSession({ sessionId: id, at: T0, reason: 'logout' }),
        ).toBeUndefined();
        expect(await context.store.listSessions(id)).toEqual([]);
        expect(await context.store.listEvents({ userId: id, sessionId: id, limit: 5 })).toEqual([]);
      }
      expect(
        await context.store.rotate({ ...rotationOf(input.session.id, 0), expectedGeneration: -1 }),
      ).toBe(false);
      expect(await context.store.listRevocations({ afterSeq: 0, limit: -1 })).toEqual([]);
      expect((await session(input.session.id)).generation).toBe(0);
    });
  });
}
