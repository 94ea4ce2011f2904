import type { AuditEventType } from '../vocabulary.js';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MINUTE, T0, newSession, rotationOf, type ConformanceContext } from './fixtures.js';
import { defineRotationBudgetCases } from './rotation-budget-cases.js';
import { defineTokenRotationCases } from './token-rotation-cases.js';

/**
 * Declares the conformance cases for the compare-and-swap of `rotate` and the counted grace answers of
 * `takeGraceAnswer`, as `describe` blocks. `runStoreConformance` calls it inside its top-level `describe`,
 * whose hooks give `context.store` a fresh, migrated store per test.
 *
 * @example
 * ```ts
 * const context = createConformanceContext({ currentStore: () => store, createStore: options.createStore });
 * defineRotationCases(context);
 * ```
 */
export function defineRotationCases(context: ConformanceContext): void {
  const { create, session } = context;
  defineTokenRotationCases(context);
  defineRotationBudgetCases(context);

  describe('rotate', () => {
    it('writes the audit event of a login and of a rotation in the same transaction, and only when the swap happens', async () => {
      const input = newSession();
      const event = (type: AuditEventType) => ({
        at: T0,
        type,
        userId: input.session.userId,
        sessionId: input.session.id,
        ip: null,
        detail: '{}',
      });
      await context.store.createSession({ ...input, event: event('login') });
      expect(
        await context.store.rotate({ ...rotationOf(input.session.id, 0), event: event('refresh') }),
      ).toBe(true);
      expect(
        await context.store.rotate({
          ...rotationOf(input.session.id, 0),
          event: event('refresh.grace'),
        }),
      ).toBe(false);
      const types = (
        await context.store.listEvents({ sessionId: input.session.id, limit: 10 })
      ).map((row) => row.type);
      expect(types.sort()).toEqual(['login', 'refresh']);
    });

    it('swaps generation 0 for 1 once: the second rotation with the same expected generation changes nothing', async () => {
      const input = await create();
      const first = rotationOf(input.session.id, 0);
      expect(await context.store.rotate(first)).toBe(true);
      const after = await session(input.session.id);
      expect(after).toEqual({
        ...input.session,
        generation: 1,
        rotatedAt: first.rotatedAt,
        successorSealed: first.successorSealed,
        idleExpiresAt: first.idleExpiresAt,
        claims: first.claims,
        lastUsedAt: first.rotatedAt,
        graceCount: 0,
        revokedAt: null,
        revokedReason: null,
        rotationWindowStart: first.rotatedAt,
        rotationCount: 1,
      });
      expect(await context.store.findRefreshToken(first.token.id)).toEqual({
        token: { ...first.token, sessionId: input.session.id, generation: 1 },
        session: after,
      });
      expect((await context.store.findRefreshToken(input.token.id))?.token.generation).toBe(0);
      const second = rotationOf(input.session.id, 0, T0 + 2 * MINUTE);
      expect(await context.store.rotate(second)).toBe(false);
      expect(await session(input.session.id)).toEqual(after);
      expect(await context.store.findRefreshToken(second.token.id)).toBeUndefined();
    });

    it('follows a chain of rotations and resets the grace count', async () => {
      const input = await create();
      expect(await context.store.rotate(rotationOf(input.session.id, 0))).toBe(true);
      expect(
        await context.store.takeGraceAnswer({
          sessionId: input.session.id,
          generation: 1,
          max: 5,
          usedAt: T0 + MINUTE,
        }),
      ).toBeDefined();
      expect(await context.store.rotate(rotationOf(input.session.id, 1, T0 + 2 * MINUTE))).toBe(
        true,
      );
      expect(await context.store.rotate(rotationOf(input.session.id, 3, T0 + 3 * MINUTE))).toBe(
        false,
      );
      expect(await session(input.session.id)).toMatchObject({
        generation: 2,
        graceCount: 0,
        rotatedAt: T0 + 2 * MINUTE,
      });
    });

    it('refuses a revoked or unknown session and stores no token', async () => {
      const input = await create();
      await context.store.revokeSession({ sessionId: input.session.id, at: T0, reason: 'logout' });
      const refused = rotationOf(input.session.id, 0);
      expect(await context.store.rotate(refused)).toBe(false);
      expect(await context.store.findRefreshToken(refused.token.id)).toBeUndefined();
      expect((await session(input.session.id)).generation).toBe(0);
      expect(await context.store.rotate(rotationOf(`s-${randomUUID()}`, 0))).toBe(false);
    });

    it('changes nothing when the new token cannot be stored (one transaction)', async () => {
      const input = await create();
      const clash = rotationOf(input.session.id, 0);
      await expect(
        context.store.rotate({ ...clash, token: { ...clash.token, id: input.token.id } }),
      ).rejects.toThrow();
      expect(await session(input.session.id)).toMatchObject({
        generation: 0,
        successorSealed: null,
      });
    });

    it('lets exactly one of 32 concurrent rotations win', async () => {
      const input = await create();
      const rotations = Array.from({ length: 32 }, () => rotationOf(input.session.id, 0));
      const results = await Promise.all(
        rotations.map((rotation) => context.store.rotate(rotation)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = rotations[results.indexOf(true)];
      const after = await session(input.session.id);
      expect(after).toMatchObject({ generation: 1, successorSealed: winner?.successorSealed });
      const stored = await Promise.all(
        rotations.map((rotation) => context.store.findRefreshToken(rotation.token.id)),
      );
      expect(stored.filter((found) => found !== undefined).map((found) => found?.token.id)).toEqual(
        [winner?.token.id],
      );
    });
  });

  describe('takeGraceAnswer', () => {
    it('hands out the sealed successor up to max, then refuses', async () => {
      const input = await create();
      const rotation = rotationOf(input.session.id, 0);
      await context.store.rotate(rotation);
      const take = (usedAt: number): Promise<string | undefined> =>
        context.store.takeGraceAnswer({
          sessionId: input.session.id,
          generation: 1,
          max: 2,
          usedAt,
        });
      expect(await take(T0 + 2 * MINUTE)).toBe(rotation.successorSealed);
      expect(await take(T0 + 3 * MINUTE)).toBe(rotation.successorSealed);
      expect(await take(T0 + 4 * MINUTE)).toBeUndefined();
      expect(await session(input.session.id)).toMatchObject({
        graceCount: 2,
        lastUsedAt: T0 + 3 * MINUTE,
      });
    });

    it('refuses before any rotation, for another generation, for a revoked or unknown session', async () => {
      const input = await create();
      const id = input.session.id;
      expect(
        await context.store.takeGraceAnswer({ sessionId: id, generation: 0, max: 5, usedAt: T0 }),
      ).toBeUndefined();
      await context.store.rotate(rotationOf(id, 0));
      for (const generation of [0, 2])
        expect(
          await context.store.takeGraceAnswer({ sessionId: id, generation, max: 5, usedAt: T0 }),
        ).toBeUndefined();
      expect(
        await context.store.takeGraceAnswer({
          sessionId: `s-${randomUUID()}`,
          generation: 1,
          max: 5,
          usedAt: T0,
        }),
      ).toBeUndefined();
      await context.store.revokeSession({ sessionId: id, at: T0 + MINUTE, reason: 'logout' });
      expect(
        await context.store.takeGraceAnswer({ sessionId: id, generation: 1, max: 5, usedAt: T0 }),
      ).toBeUndefined();
      expect((await session(id)).graceCount).toBe(0);
    });

    it('gives exactly max answers to 100 concurrent callers', async () => {
      const input = await create();
      const rotation = rotationOf(input.session.id, 0);
      await context.store.rotate(rotation);
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          context.store.takeGraceAnswer({
            sessionId: input.session.id,
            generation: 1,
            max: 64,
            usedAt: T0 + i,
          }),
        ),
      );
      expect(answers.filter((answer) => answer === rotation.successorSealed)).toHaveLength(64);
      expect(answers.filter((answer) => answer === undefined)).toHaveLength(36);
      expect((await session(input.session.id)).graceCount).toBe(64);
    });
  });
}
