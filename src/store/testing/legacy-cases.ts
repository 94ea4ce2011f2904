import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LegacyExchangeStore, NewLegacySession } from '../legacy-exchange-store.js';
import type { SessionStore } from '../session-store.js';
import { DAY, T0, newSession } from './fixtures.js';

/** Options of {@link runLegacyExchangeConformance}. */
export interface LegacyExchangeConformanceOptions {
  readonly name: string;
  /** A fresh, empty store for one test; the suite calls `migrate()` and `close()` itself. */
  readonly createStore: () => Promise<SessionStore & LegacyExchangeStore>;
}

function legacySession(key: string, userId = `u-${randomUUID()}`): NewLegacySession {
  const input = newSession({ userId });
  return {
    ...input,
    legacyKey: key,
    legacyExpiresAt: T0 + DAY,
    event: {
      at: T0,
      type: 'legacy.exchanged',
      userId,
      sessionId: input.session.id,
      ip: null,
      detail: '{}',
    },
  };
}

/**
 * The suite every {@link LegacyExchangeStore} passes unchanged: the key and the session are written
 * together, a taken key writes nothing and names the first session, and of many exchanges of one key at
 * once exactly one creates a session.
 *
 * @example
 * ```ts
 * runLegacyExchangeConformance({ name: 'sqlite', createStore: async () => createSqliteStore({ database: new Database(':memory:') }) });
 * ```
 */
export function runLegacyExchangeConformance(options: LegacyExchangeConformanceOptions): void {
  describe(`legacy exchange store conformance: ${options.name}`, () => {
    let store: SessionStore & LegacyExchangeStore;
    beforeEach(async () => {
      store = await options.createStore();
      await store.migrate();
    });
    afterEach(async () => {
      await store.close();
    });

    it('writes the key, the session, its first token and its event in one go', async () => {
      const input = legacySession(`sig:${randomUUID()}`);
      expect(await store.createLegacySession(input)).toEqual({ created: true });
      expect(await store.findLegacyExchange(input.legacyKey)).toEqual({
        key: input.legacyKey,
        sessionId: input.session.id,
        userId: input.session.userId,
        exchangedAt: input.session.createdAt,
        legacyExpiresAt: input.legacyExpiresAt,
      });
      expect((await store.findRefreshToken(input.token.id))?.session.id).toBe(input.session.id);
      const events = await store.listEvents({ sessionId: input.session.id, limit: 10 });
      expect(events.map((event) => event.type)).toEqual(['legacy.exchanged']);
    });

    it('writes nothing for a taken key and names the session the key became', async () => {
      const key = `jti:${randomUUID()}`;
      const first = legacySession(key);
      await store.createLegacySession(first);
      const second = legacySession(key, first.session.userId);
      const result = await store.createLegacySession(second);
      expect(result).toMatchObject({ created: false, exchange: { sessionId: first.session.id } });
      expect(await store.findSession(second.session.id)).toBeUndefined();
      expect(await store.findRefreshToken(second.token.id)).toBeUndefined();
      expect(await store.listSessions(first.session.userId)).toHaveLength(1);
    });

    it('creates exactly one session when one key is exchanged many times at once', async () => {
      const key = `sig:${randomUUID()}`;
      const userId = `u-${randomUUID()}`;
      const inputs = Array.from({ length: 8 }, () => legacySession(key, userId));
      const results = await Promise.all(inputs.map((input) => store.createLegacySession(input)));
      expect(results.filter((result) => result.created)).toHaveLength(1);
      const sessions = await store.listSessions(userId);
      expect(sessions).toHaveLength(1);
      for (const result of results)
        if (!result.created) expect(result.exchange.sessionId).toBe(sessions[0]?.id);
    });

    it('keeps different keys apart and answers unknown or unstorable keys with nothing', async () => {
      const a = legacySession(`sig:${randomUUID()}`);
      const b = legacySession(`sig:${randomUUID()}`, a.session.userId);
      expect((await store.createLegacySession(a)).created).toBe(true);
      expect((await store.createLegacySession(b)).created).toBe(true);
      expect(await store.findLegacyExchange('sig:unknown')).toBeUndefined();
      expect(await store.findLegacyExchange('sig:\u0000')).toBeUndefined();
    });
  });
}
