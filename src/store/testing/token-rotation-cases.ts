import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NewSession, TokenRotation } from '../session-store.js';
import { DAY, MINUTE, T0, rotationOf, type ConformanceContext } from './fixtures.js';

/**
 * A rotation by the presented token of `input`, at `at`, with a new unique token and sealed successor.
 *
 * @example
 * ```ts
 * const result = await store.rotateByToken?.(tokenRotationOf(input));
 * ```
 */
export function tokenRotationOf(input: NewSession, at = T0 + MINUTE): TokenRotation {
  return {
    tokenId: input.token.id,
    secretHash: input.token.secretHash,
    transport: input.session.transport,
    rotatedAt: at,
    idleMs: 14 * DAY,
    token: { id: `t-${randomUUID()}`, secretHash: `h-${randomUUID()}`, createdAt: at },
    successorSealed: `sealed-${randomUUID()}`,
    claims: '{"roles":["writer"]}',
    event: { at, type: 'refresh', ip: '198.51.100.9' },
  };
}

/**
 * Declares the conformance cases of the optional `rotateByToken` (the lookup and the compare-and-swap
 * in one call), for stores that have it; `defineRotationCases` calls it.
 *
 * @example
 * ```ts
 * defineTokenRotationCases(context);
 * ```
 */
export function defineTokenRotationCases(context: ConformanceContext): void {
  const { create, session } = context;
  const rotateByToken = (rotation: TokenRotation) => {
    const method = context.store.rotateByToken;
    return method === undefined
      ? Promise.resolve('absent' as const)
      : method.call(context.store, rotation);
  };

  describe('rotateByToken', () => {
    it('reads the token and swaps in its successor, its event in the same transaction', async () => {
      const input = await create();
      const before = await session(input.session.id);
      const rotation = tokenRotationOf(input);
      const result = await rotateByToken(rotation);
      if (result === 'absent') return;
      expect(result).toEqual({
        token: { ...input.token, sessionId: input.session.id, generation: 0 },
        session: before,
        rotated: true,
      });
      const after = await session(input.session.id);
      expect(after).toEqual({
        ...before,
        generation: 1,
        rotatedAt: rotation.rotatedAt,
        successorSealed: rotation.successorSealed,
        idleExpiresAt: rotation.rotatedAt + rotation.idleMs,
        claims: rotation.claims,
        lastUsedAt: rotation.rotatedAt,
        graceCount: 0,
        rotationWindowStart: rotation.rotatedAt,
        rotationCount: 1,
      });
      expect(await context.store.findRefreshToken(rotation.token.id)).toEqual({
        token: { ...rotation.token, sessionId: input.session.id, generation: 1 },
        session: after,
      });
      expect(await context.store.listEvents({ sessionId: input.session.id, limit: 10 })).toEqual([
        {
          at: rotation.rotatedAt,
          type: 'refresh',
          userId: input.session.userId,
          sessionId: input.session.id,
          ip: '198.51.100.9',
          detail: '{"generation":1}',
        },
      ]);
    });

    it('caps the idle expiry by the absolute one, takes any transport when none is given, writes no event when none is given', async () => {
      const input = await create({ absoluteExpiresAt: T0 + DAY });
      // The fixture's event is dropped: a swap without one writes none.
      const { event, ...rotation } = { ...tokenRotationOf(input), transport: null };
      expect(event?.type).toBe('refresh');
      const result = await rotateByToken(rotation);
      if (result === 'absent') return;
      expect(result?.rotated).toBe(true);
      expect(await session(input.session.id)).toMatchObject({
        generation: 1,
        idleExpiresAt: T0 + DAY,
      });
      expect(await context.store.listEvents({ sessionId: input.session.id, limit: 10 })).toEqual(
        [],
      );
    });

    it('answers undefined for an unknown token and stores nothing', async () => {
      const rotation = tokenRotationOf(await create());
      const result = await rotateByToken({ ...rotation, tokenId: `t-${randomUUID()}` });
      if (result === 'absent') return;
      expect(result).toBeUndefined();
      expect(await context.store.findRefreshToken(rotation.token.id)).toBeUndefined();
    });

    it('changes nothing and hands back the row when a precondition fails', async () => {
      const cases: {
        name: string;
        overrides?: Partial<NewSession['session']>;
        rotation?: Partial<TokenRotation>;
        revoke?: boolean;
      }[] = [
        { name: 'wrong secret', rotation: { secretHash: `h-${randomUUID()}` } },
        { name: 'other transport', rotation: { transport: 'body' } },
        { name: 'revoked', revoke: true },
        { name: 'absolute expiry', overrides: { absoluteExpiresAt: T0 + MINUTE } },
        { name: 'idle expiry', overrides: { idleExpiresAt: T0 + MINUTE } },
      ];
      for (const { name, overrides, rotation, revoke } of cases) {
        const input = await create(overrides);
        if (revoke === true)
          await context.store.revokeSession({
            sessionId: input.session.id,
            at: T0,
            reason: 'logout',
          });
        const before = await session(input.session.id);
        const refused = { ...tokenRotationOf(input), ...rotation };
        const result = await rotateByToken(refused);
        if (result === 'absent') return;
        expect(result, name).toEqual({
          token: { ...input.token, sessionId: input.session.id, generation: 0 },
          session: before,
          rotated: false,
        });
        expect(await session(input.session.id), name).toEqual(before);
        expect(await context.store.findRefreshToken(refused.token.id), name).toBeUndefined();
        const events = await context.store.listEvents({ sessionId: input.session.id, limit: 10 });
        expect(
          events.filter((event) => event.type === 'refresh'),
          name,
        ).toEqual([]);
      }
    });

    it('refuses a token that is no longer current', async () => {
      const input = await create();
      expect(await context.store.rotate(rotationOf(input.session.id, 0))).toBe(true);
      const rotated = await session(input.session.id);
      const result = await rotateByToken(tokenRotationOf(input, T0 + 2 * MINUTE));
      if (result === 'absent') return;
      expect(result).toMatchObject({ session: rotated, rotated: false, token: { generation: 0 } });
      expect(await session(input.session.id)).toEqual(rotated);
    });

    it('lets exactly one of 32 concurrent swaps win, mixed with the two-call rotate', async () => {
      const input = await create();
      const byToken = Array.from({ length: 24 }, () => tokenRotationOf(input));
      const byGeneration = Array.from({ length: 8 }, () => rotationOf(input.session.id, 0));
      const results = await Promise.all([
        ...byToken.map(async (rotation) => {
          const result = await rotateByToken(rotation);
          return result === 'absent' ? 'absent' : result?.rotated === true;
        }),
        ...byGeneration.map((rotation) => context.store.rotate(rotation)),
      ]);
      if (results.includes('absent')) return;
      expect(results.filter((won) => won === true)).toHaveLength(1);
      const tokens = [...byToken.map((r) => r.token.id), ...byGeneration.map((r) => r.token.id)];
      const stored = await Promise.all(tokens.map((id) => context.store.findRefreshToken(id)));
      expect(stored.filter((found) => found !== undefined)).toHaveLength(1);
      expect(await session(input.session.id)).toMatchObject({ generation: 1, graceCount: 0 });
    });
  });
}
