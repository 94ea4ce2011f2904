import { describe, expect, it } from 'vitest';
import type { NewSession } from '../session-store.js';
import { MINUTE, T0, rotationOf, type ConformanceContext } from './fixtures.js';
import { tokenRotationOf } from './token-rotation-cases.js';

/**
 * Declares the conformance cases of the rotation budget both swaps hold (`rotationsPerMinute`): every
 * swap counts itself in the session's 60 s window, and a swap given a budget happens only while the
 * window has room or has run out; a refused swap changes nothing. `defineRotationCases` calls it.
 *
 * @example
 * ```ts
 * defineRotationBudgetCases(context);
 * ```
 */
export function defineRotationBudgetCases(context: ConformanceContext): void {
  const { create, session } = context;

  describe('the rotation budget of a swap', () => {
    it('counts every swap in a 60 s window, and opens the next one once it has run out', async () => {
      const input = await create();
      expect(await session(input.session.id)).toMatchObject({
        rotationWindowStart: null,
        rotationCount: 0,
      });
      expect(await context.store.rotate(rotationOf(input.session.id, 0, T0 + 1000))).toBe(true);
      expect(await context.store.rotate(rotationOf(input.session.id, 1, T0 + 2000))).toBe(true);
      expect(await session(input.session.id)).toMatchObject({
        rotationWindowStart: T0 + 1000,
        rotationCount: 2,
      });
      expect(await context.store.rotate(rotationOf(input.session.id, 2, T0 + 1000 + MINUTE))).toBe(
        true,
      );
      expect(await session(input.session.id)).toMatchObject({
        rotationWindowStart: T0 + 1000 + MINUTE,
        rotationCount: 1,
      });
    });

    it('refuses a swap past the budget until the window runs out, on both swaps, changing nothing', async () => {
      const input = await create();
      const id = input.session.id;
      for (let generation = 0; generation < 2; generation++)
        expect(
          await context.store.rotate({
            ...rotationOf(id, generation, T0 + 1000 + generation),
            rotationsPerMinute: 2,
          }),
        ).toBe(true);
      const spent = await session(id);
      expect(spent).toMatchObject({ generation: 2, rotationCount: 2 });
      const late = T0 + 1000 + MINUTE - 1;
      const refused = { ...rotationOf(id, 2, late), rotationsPerMinute: 2 };
      expect(await context.store.rotate(refused)).toBe(false);
      expect(await context.store.findRefreshToken(refused.token.id)).toBeUndefined();
      expect(await session(id)).toEqual(spent);
      // Without a budget the same swap happens (and is counted).
      expect(await context.store.rotate(rotationOf(id, 2, late))).toBe(true);
      expect(await session(id)).toMatchObject({ generation: 3, rotationCount: 3 });
      // Once the window has run 60 s the budget is whole again.
      expect(
        await context.store.rotate({
          ...rotationOf(id, 3, T0 + 1000 + MINUTE),
          rotationsPerMinute: 1,
        }),
      ).toBe(true);
      expect(await session(id)).toMatchObject({
        generation: 4,
        rotationWindowStart: T0 + 1000 + MINUTE,
        rotationCount: 1,
      });
    });

    it('holds rotateByToken under the budget and hands the row back when it refuses', async () => {
      const input: NewSession = await create();
      if (context.store.rotateByToken === undefined) return;
      const first = { ...tokenRotationOf(input, T0 + 1000), rotationsPerMinute: 1 };
      expect((await context.store.rotateByToken(first))?.rotated).toBe(true);
      const spent = await session(input.session.id);
      expect(spent).toMatchObject({ rotationWindowStart: T0 + 1000, rotationCount: 1 });
      const next: NewSession = {
        ...input,
        token: { id: first.token.id, secretHash: first.token.secretHash, createdAt: T0 + 1000 },
      };
      const refused = { ...tokenRotationOf(next, T0 + 2000), rotationsPerMinute: 1 };
      expect(await context.store.rotateByToken(refused)).toEqual({
        token: { ...next.token, sessionId: input.session.id, generation: 1 },
        session: spent,
        rotated: false,
      });
      expect(await session(input.session.id)).toEqual(spent);
      expect(await context.store.findRefreshToken(refused.token.id)).toBeUndefined();
      const later = { ...tokenRotationOf(next, T0 + 1000 + MINUTE), rotationsPerMinute: 1 };
      expect((await context.store.rotateByToken(later))?.rotated).toBe(true);
    });

    it('lets exactly the budget through a chain of concurrent swaps in one window', async () => {
      const input = await create();
      const id = input.session.id;
      let won = 0;
      for (let generation = 0; generation < 6; generation++) {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            context.store.rotate({
              ...rotationOf(id, generation, T0 + 1000 + generation * 10 + i),
              rotationsPerMinute: 4,
            }),
          ),
        );
        const wins = results.filter(Boolean).length;
        expect(wins).toBeLessThanOrEqual(1);
        won += wins;
        if (wins === 0) break;
      }
      expect(won).toBe(4);
      expect(await session(id)).toMatchObject({ generation: 4, rotationCount: 4 });
    });
  });
}
