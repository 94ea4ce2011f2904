import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredKey } from '../keys/key-store.js';
export { runAccountStoreConformance, type AccountConformanceOptions } from './account-testing.js';
import type { NewSession, RevocationRecord, Rotation, SessionRow, SessionStore } from './session-store.js';

/** Options of {@link runStoreConformance}. */
export interface StoreConformanceOptions {
  /** Shown in the test names. */
  readonly name: string;
  /** A fresh, empty store for one test; the suite calls `migrate()` and `close()` itself. */
  readonly createStore: () => Promise<SessionStore>;
}

const T0 = 1_767_268_800_000;
const MINUTE = 60_000;
const DAY = 86_400_000;
const BAD_IDS = ['', '\u0000', "x'; DROP TABLE sessions; --", 'x'.repeat(10_000), '\uD800', 'é🙂', '%', '1 OR 1=1'];

function newSession(overrides: Partial<NewSession['session']> = {}, maxSessionsPerUser?: number): NewSession {
  const createdAt = overrides.createdAt ?? T0;
  const session = {
    id: `s-${randomUUID()}`,
    userId: `u-${randomUUID()}`,
    clientId: 'web',
    transport: 'cookie' as const,
    claims: '{"roles":["reader"]}',
    createdAt,
    lastUsedAt: createdAt,
    idleExpiresAt: createdAt + 14 * DAY,
    absoluteExpiresAt: createdAt + 30 * DAY,
    userAgent: 'Mozilla/5.0 (X11) — ünïcode',
    ip: '203.0.113.7',
    ...overrides,
  };
  const token = { id: `t-${randomUUID()}`, secretHash: `h-${randomUUID()}`, createdAt };
  return maxSessionsPerUser === undefined ? { session, token } : { session, token, maxSessionsPerUser };
}

function rotationOf(sessionId: string, expectedGeneration: number, at = T0 + MINUTE): Rotation {
  return {
    sessionId,
    expectedGeneration,
    token: { id: `t-${randomUUID()}`, secretHash: `h-${randomUUID()}`, createdAt: at },
    rotatedAt: at,
    successorSealed: `sealed-${randomUUID()}`,
    idleExpiresAt: at + 14 * DAY,
    claims: `{"generation":${expectedGeneration + 1}}`,
  };
}

function storedKey(kid: string): StoredKey {
  return { kid, alg: 'ES256', createdAt: T0, activatesAt: T0 + DAY, retiresAt: null, sealedKey: `plain.${kid}` };
}

const byKid = (keys: StoredKey[]): StoredKey[] => [...keys].sort((a, b) => a.kid.localeCompare(b.kid));

/**
 * Defines the vitest suite every {@link SessionStore} implementation must pass, unchanged. It covers every
 * method, the compare-and-swap and counting guarantees under concurrency, the revocation feed's ordering,
 * sweeping and the key store.
 *
 * @example
 * ```ts
 * import { runStoreConformance } from 'tessera-auth/testing';
 * runStoreConformance({ name: 'sqlite', createStore: async () => createSqliteStore({ database: new Database(tempFile()) }) });
 * ```
 */
export function runStoreConformance(options: StoreConformanceOptions): void {
  describe(`${options.name} store conformance`, () => {
    let store: SessionStore;
    beforeEach(async () => {
      store = await options.createStore();
      await store.migrate();
    });
    afterEach(async () => {
      await store.close();
    });

    const create = async (overrides: Partial<NewSession['session']> = {}, max?: number): Promise<NewSession> => {
      const input = newSession(overrides, max);
      await store.createSession(input);
      return input;
    };
    const session = async (id: string): Promise<SessionRow> => {
      const row = await store.findSession(id);
      if (row === undefined) throw new Error(`session ${id} not found`);
      return row;
    };
    const allRevocations = async (): Promise<RevocationRecord[]> => store.listRevocations({ afterSeq: 0, limit: 100_000 });

    describe('migrate', () => {
      it('runs again without harm and keeps the data', async () => {
        const { session: created } = await create();
        await store.migrate();
        expect((await session(created.id)).userId).toBe(created.userId);
      });

      it('is safe when called concurrently on a fresh store', async () => {
        const fresh = await options.createStore();
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
        });
        const withAgent = await create();
        expect((await session(withAgent.session.id)).userAgent).toBe(withAgent.session.userAgent);
      });

      it('finds a refresh token together with its session', async () => {
        const input = await create();
        expect(await store.findRefreshToken(input.token.id)).toEqual({
          token: { ...input.token, sessionId: input.session.id, generation: 0 },
          session: await session(input.session.id),
        });
      });

      it('creates nothing when the first token cannot be stored (one transaction)', async () => {
        const first = await create();
        const clash = newSession();
        await expect(store.createSession({ ...clash, token: { ...clash.token, id: first.token.id } })).rejects.toThrow();
        expect(await store.findSession(clash.session.id)).toBeUndefined();
        expect(await store.listSessions(clash.session.userId)).toEqual([]);
      });

      it('lists a user’s sessions, revoked ones included, newest first', async () => {
        const userId = `u-${randomUUID()}`;
        const a = await create({ userId, createdAt: T0 });
        const b = await create({ userId, createdAt: T0 + MINUTE });
        const c = await create({ userId, createdAt: T0 + 2 * MINUTE });
        await create();
        await store.revokeSession({ sessionId: b.session.id, at: T0 + 3 * MINUTE, reason: 'logout' });
        const listed = await store.listSessions(userId);
        expect(listed.map((row) => row.id)).toEqual([c.session.id, b.session.id, a.session.id]);
        expect(listed[1]?.revokedAt).toBe(T0 + 3 * MINUTE);
        expect(await store.listSessions(`u-${randomUUID()}`)).toEqual([]);
      });

      it('evicts the oldest live sessions beyond maxSessionsPerUser, with feed records', async () => {
        const userId = `u-${randomUUID()}`;
        const other = await create();
        const expired = await create({ userId, createdAt: T0 - 20 * DAY, idleExpiresAt: T0 - DAY });
        const s1 = await create({ userId, createdAt: T0 });
        const s2 = await create({ userId, createdAt: T0 + MINUTE });
        const s3 = await create({ userId, createdAt: T0 + 2 * MINUTE });
        const revoked = await create({ userId, createdAt: T0 + 3 * MINUTE });
        await store.revokeSession({ sessionId: revoked.session.id, at: T0 + 4 * MINUTE, reason: 'logout' });
        const before = await allRevocations();
        const s4 = await create({ userId, createdAt: T0 + 5 * MINUTE }, 2);
        const added = (await allRevocations()).slice(before.length);
        expect(added.map((record) => record.kind === 'session' && record.sessionId).sort()).toEqual([s1.session.id, s2.session.id].sort());
        for (const record of added) expect(record).toMatchObject({ kind: 'session', userId, at: T0 + 5 * MINUTE });
        for (const evicted of [s1, s2]) expect((await session(evicted.session.id)).revokedAt).toBe(T0 + 5 * MINUTE);
        for (const live of [s3, s4, other]) expect((await session(live.session.id)).revokedAt).toBeNull();
        expect((await session(expired.session.id)).revokedAt).toBeNull();
        expect((await session(revoked.session.id)).revokedAt).toBe(T0 + 4 * MINUTE);
      });

      it('keeps exactly maxSessionsPerUser live sessions when a user logs in 12 times at once', async () => {
        const userId = `u-${randomUUID()}`;
        await Promise.all(Array.from({ length: 12 }, (_, i) => create({ userId, createdAt: T0 + i }, 3)));
        const live = (await store.listSessions(userId)).filter((row) => row.revokedAt === null);
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

    describe('rotate', () => {
      it('writes the audit event of a login and of a rotation in the same transaction, and only when the swap happens', async () => {
        const input = newSession();
        const event = (type: string) => ({ at: T0, type, userId: input.session.userId, sessionId: input.session.id, ip: null, detail: '{}' });
        await store.createSession({ ...input, event: event('login') });
        expect(await store.rotate({ ...rotationOf(input.session.id, 0), event: event('refresh') })).toBe(true);
        expect(await store.rotate({ ...rotationOf(input.session.id, 0), event: event('refresh-lost') })).toBe(false);
        const types = (await store.listEvents({ sessionId: input.session.id, limit: 10 })).map((row) => row.type);
        expect(types.sort()).toEqual(['login', 'refresh']);
      });

      it('swaps generation 0 for 1 once: the second rotation with the same expected generation changes nothing', async () => {
        const input = await create();
        const first = rotationOf(input.session.id, 0);
        expect(await store.rotate(first)).toBe(true);
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
        });
        expect(await store.findRefreshToken(first.token.id)).toEqual({ token: { ...first.token, sessionId: input.session.id, generation: 1 }, session: after });
        expect((await store.findRefreshToken(input.token.id))?.token.generation).toBe(0);
        const second = rotationOf(input.session.id, 0, T0 + 2 * MINUTE);
        expect(await store.rotate(second)).toBe(false);
        expect(await session(input.session.id)).toEqual(after);
        expect(await store.findRefreshToken(second.token.id)).toBeUndefined();
      });

      it('follows a chain of rotations and resets the grace count', async () => {
        const input = await create();
        expect(await store.rotate(rotationOf(input.session.id, 0))).toBe(true);
        expect(await store.takeGraceAnswer({ sessionId: input.session.id, generation: 1, max: 5, usedAt: T0 + MINUTE })).toBeDefined();
        expect(await store.rotate(rotationOf(input.session.id, 1, T0 + 2 * MINUTE))).toBe(true);
        expect(await store.rotate(rotationOf(input.session.id, 3, T0 + 3 * MINUTE))).toBe(false);
        expect(await session(input.session.id)).toMatchObject({ generation: 2, graceCount: 0, rotatedAt: T0 + 2 * MINUTE });
      });

      it('refuses a revoked or unknown session and stores no token', async () => {
        const input = await create();
        await store.revokeSession({ sessionId: input.session.id, at: T0, reason: 'logout' });
        const refused = rotationOf(input.session.id, 0);
        expect(await store.rotate(refused)).toBe(false);
        expect(await store.findRefreshToken(refused.token.id)).toBeUndefined();
        expect((await session(input.session.id)).generation).toBe(0);
        expect(await store.rotate(rotationOf(`s-${randomUUID()}`, 0))).toBe(false);
      });

      it('changes nothing when the new token cannot be stored (one transaction)', async () => {
        const input = await create();
        const clash = rotationOf(input.session.id, 0);
        await expect(store.rotate({ ...clash, token: { ...clash.token, id: input.token.id } })).rejects.toThrow();
        expect(await session(input.session.id)).toMatchObject({ generation: 0, successorSealed: null });
      });

      it('lets exactly one of 32 concurrent rotations win', async () => {
        const input = await create();
        const rotations = Array.from({ length: 32 }, () => rotationOf(input.session.id, 0));
        const results = await Promise.all(rotations.map((rotation) => store.rotate(rotation)));
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = rotations[results.indexOf(true)];
        const after = await session(input.session.id);
        expect(after).toMatchObject({ generation: 1, successorSealed: winner?.successorSealed });
        const stored = await Promise.all(rotations.map((rotation) => store.findRefreshToken(rotation.token.id)));
        expect(stored.filter((found) => found !== undefined).map((found) => found?.token.id)).toEqual([winner?.token.id]);
      });
    });

    describe('takeGraceAnswer', () => {
      it('hands out the sealed successor up to max, then refuses', async () => {
        const input = await create();
        const rotation = rotationOf(input.session.id, 0);
        await store.rotate(rotation);
        const take = (usedAt: number): Promise<string | undefined> => store.takeGraceAnswer({ sessionId: input.session.id, generation: 1, max: 2, usedAt });
        expect(await take(T0 + 2 * MINUTE)).toBe(rotation.successorSealed);
        expect(await take(T0 + 3 * MINUTE)).toBe(rotation.successorSealed);
        expect(await take(T0 + 4 * MINUTE)).toBeUndefined();
        expect(await session(input.session.id)).toMatchObject({ graceCount: 2, lastUsedAt: T0 + 3 * MINUTE });
      });

      it('refuses before any rotation, for another generation, for a revoked or unknown session', async () => {
        const input = await create();
        const id = input.session.id;
        expect(await store.takeGraceAnswer({ sessionId: id, generation: 0, max: 5, usedAt: T0 })).toBeUndefined();
        await store.rotate(rotationOf(id, 0));
        for (const generation of [0, 2]) expect(await store.takeGraceAnswer({ sessionId: id, generation, max: 5, usedAt: T0 })).toBeUndefined();
        expect(await store.takeGraceAnswer({ sessionId: `s-${randomUUID()}`, generation: 1, max: 5, usedAt: T0 })).toBeUndefined();
        await store.revokeSession({ sessionId: id, at: T0 + MINUTE, reason: 'logout' });
        expect(await store.takeGraceAnswer({ sessionId: id, generation: 1, max: 5, usedAt: T0 })).toBeUndefined();
        expect((await session(id)).graceCount).toBe(0);
      });

      it('gives exactly max answers to 100 concurrent callers', async () => {
        const input = await create();
        const rotation = rotationOf(input.session.id, 0);
        await store.rotate(rotation);
        const answers = await Promise.all(
          Array.from({ length: 100 }, (_, i) => store.takeGraceAnswer({ sessionId: input.session.id, generation: 1, max: 64, usedAt: T0 + i })),
        );
        expect(answers.filter((answer) => answer === rotation.successorSealed)).toHaveLength(64);
        expect(answers.filter((answer) => answer === undefined)).toHaveLength(36);
        expect((await session(input.session.id)).graceCount).toBe(64);
      });
    });

    describe('revocation', () => {
      it('revokes a session once and appends exactly one feed record', async () => {
        const input = await create();
        const before = await allRevocations();
        const record = await store.revokeSession({ sessionId: input.session.id, at: T0 + MINUTE, reason: 'logout' });
        expect(record).toEqual({ seq: expect.any(Number), kind: 'session', sessionId: input.session.id, userId: input.session.userId, at: T0 + MINUTE });
        expect(await store.revokeSession({ sessionId: input.session.id, at: T0 + 2 * MINUTE, reason: 'again' })).toBeUndefined();
        expect(await store.revokeSession({ sessionId: `s-${randomUUID()}`, at: T0, reason: 'logout' })).toBeUndefined();
        expect((await allRevocations()).slice(before.length)).toEqual([record]);
        expect(await session(input.session.id)).toMatchObject({ revokedAt: T0 + MINUTE, revokedReason: 'logout' });
      });

      it('revokes every live session of a user but one, with one user record', async () => {
        const userId = `u-${randomUUID()}`;
        const [a, b, c, gone] = [await create({ userId }), await create({ userId }), await create({ userId }), await create({ userId })];
        const stranger = await create();
        await store.revokeSession({ sessionId: gone.session.id, at: T0, reason: 'logout' });
        const before = await allRevocations();
        const record = await store.revokeUser({ userId, at: T0 + DAY, reason: 'password_changed', exceptSessionId: b.session.id });
        expect(record).toEqual({ seq: expect.any(Number), kind: 'user', userId, revokedBefore: T0 + DAY, exceptSessionId: b.session.id, at: T0 + DAY });
        expect((await allRevocations()).slice(before.length)).toEqual([record]);
        for (const revoked of [a, c]) expect(await session(revoked.session.id)).toMatchObject({ revokedAt: T0 + DAY, revokedReason: 'password_changed' });
        for (const live of [b, stranger]) expect((await session(live.session.id)).revokedAt).toBeNull();
        expect(await session(gone.session.id)).toMatchObject({ revokedAt: T0, revokedReason: 'logout' });
        const all = await store.revokeUser({ userId, at: T0 + 2 * DAY, reason: 'admin', exceptSessionId: null });
        expect(all).toMatchObject({ kind: 'user', exceptSessionId: null });
        expect((await session(b.session.id)).revokedAt).toBe(T0 + 2 * DAY);
        expect(await store.revokeUser({ userId: `u-${randomUUID()}`, at: T0, reason: 'admin', exceptSessionId: null })).toMatchObject({ kind: 'user' });
      });

      it('numbers the feed strictly increasing and pages through it without gaps', async () => {
        const sessions = await Promise.all(Array.from({ length: 7 }, () => create()));
        for (const [i, input] of sessions.entries()) await store.revokeSession({ sessionId: input.session.id, at: T0 + i, reason: 'logout' });
        const all = await allRevocations();
        expect(all.map((record) => record.kind === 'session' && record.sessionId)).toEqual(sessions.map((input) => input.session.id));
        for (let i = 1; i < all.length; i += 1) expect(all[i]?.seq).toBeGreaterThan(all[i - 1]?.seq ?? Infinity);
        const paged: RevocationRecord[] = [];
        for (let page = await store.listRevocations({ afterSeq: 0, limit: 3 }); page.length > 0; ) {
          expect(page.length).toBeLessThanOrEqual(3);
          paged.push(...page);
          page = await store.listRevocations({ afterSeq: page[page.length - 1]?.seq ?? 0, limit: 3 });
        }
        expect(paged).toEqual(all);
        expect(await store.listRevocations({ afterSeq: all[all.length - 1]?.seq ?? 0, limit: 10 })).toEqual([]);
      });

      it('never lets a poller skip a record while revocations are written concurrently', async () => {
        const sessions = await Promise.all(Array.from({ length: 40 }, () => create()));
        let writing = true;
        const seen: RevocationRecord[] = [];
        const poll = async (): Promise<void> => {
          const page = await store.listRevocations({ afterSeq: seen[seen.length - 1]?.seq ?? 0, limit: 7 });
          seen.push(...page);
        };
        const poller = (async () => {
          while (writing) await poll();
        })();
        await Promise.all(
          sessions.map((input, i) =>
            i % 5 === 0
              ? store.revokeUser({ userId: input.session.userId, at: T0 + i, reason: 'admin', exceptSessionId: null })
              : store.revokeSession({ sessionId: input.session.id, at: T0 + i, reason: 'logout' }),
          ),
        );
        writing = false;
        await poller;
        for (let before = -1; before !== seen.length; ) {
          before = seen.length;
          await poll();
        }
        expect(seen).toEqual(await allRevocations());
        expect(seen).toHaveLength(40);
      });

      it('never reuses a seq after sweep deleted the newest records', async () => {
        const first = await store.revokeUser({ userId: 'u-1', at: T0, reason: 'admin', exceptSessionId: null });
        await store.sweep({ now: T0, sealedBefore: T0, retainAfter: T0 + DAY });
        expect(await allRevocations()).toEqual([]);
        const next = await store.revokeUser({ userId: 'u-1', at: T0 + 2 * DAY, reason: 'admin', exceptSessionId: null });
        expect(next.seq).toBeGreaterThan(first.seq);
        expect(await store.listRevocations({ afterSeq: first.seq, limit: 10 })).toEqual([next]);
      });
    });

    describe('events', () => {
      it('lists events newest first, filtered by user and session, at most limit', async () => {
        const base = { ip: '198.51.100.1', detail: '{"n":0}' };
        await store.appendEvent({ ...base, at: T0, type: 'login', userId: 'u-1', sessionId: 's-1' });
        await store.appendEvent({ ...base, at: T0 + 2, type: 'refresh', userId: 'u-1', sessionId: 's-2' });
        await store.appendEvent({ ...base, at: T0 + 1, type: 'refresh', userId: 'u-1', sessionId: 's-1' });
        await store.appendEvent({ ...base, at: T0 + 1, type: 'logout', userId: 'u-1', sessionId: 's-1', detail: '{"n":1}' });
        await store.appendEvent({ at: T0 + 3, type: 'login_failed', userId: null, sessionId: null, ip: null, detail: '{}' });
        await store.appendEvent({ ...base, at: T0 + 4, type: 'login', userId: 'u-2', sessionId: 's-3' });
        const types = (events: { type: string }[]): string[] => events.map((event) => event.type);
        expect(types(await store.listEvents({ userId: 'u-1', limit: 10 }))).toEqual(['refresh', 'logout', 'refresh', 'login']);
        expect(types(await store.listEvents({ sessionId: 's-1', limit: 10 }))).toEqual(['logout', 'refresh', 'login']);
        expect(types(await store.listEvents({ userId: 'u-1', sessionId: 's-2', limit: 10 }))).toEqual(['refresh']);
        expect(await store.listEvents({ userId: 'u-2', sessionId: 's-1', limit: 10 })).toEqual([]);
        expect(types(await store.listEvents({ limit: 2 }))).toEqual(['login', 'login_failed']);
        expect((await store.listEvents({ limit: 10 }))[1]).toEqual({ at: T0 + 3, type: 'login_failed', userId: null, sessionId: null, ip: null, detail: '{}' });
        expect(await store.listEvents({ userId: 'u-1', limit: 0 })).toEqual([]);
      });
    });

    describe('sweep', () => {
      it('erases old sealed successors, expired sessions with their tokens, old events, feed records and IPs', async () => {
        const now = T0 + 40 * DAY;
        const live = await create({ createdAt: now - DAY, idleExpiresAt: now + DAY, absoluteExpiresAt: now + 20 * DAY });
        const idle = await create({ createdAt: now - 10 * DAY, idleExpiresAt: now - 1, absoluteExpiresAt: now + DAY });
        const absolute = await create({ createdAt: now - 30 * DAY, idleExpiresAt: now + DAY, absoluteExpiresAt: now - 1 });
        const recent = await create({ createdAt: now - DAY, lastUsedAt: now - DAY, idleExpiresAt: now + DAY });
        const old = await create({ createdAt: now - 10 * DAY, lastUsedAt: now - 10 * DAY, idleExpiresAt: now + DAY });
        await store.rotate({ ...rotationOf(absolute.session.id, 0, now - 20 * DAY), idleExpiresAt: now + DAY });
        await store.rotate({ ...rotationOf(live.session.id, 0, now - 2 * MINUTE), idleExpiresAt: now + DAY });
        await store.rotate({ ...rotationOf(recent.session.id, 0, now - 5 * 1000), idleExpiresAt: now + DAY });
        for (const at of [now - 10 * DAY, now - 8 * DAY, now - DAY]) await store.appendEvent({ at, type: 'login', userId: 'u', sessionId: null, ip: null, detail: '{}' });
        await store.revokeUser({ userId: 'u-old', at: now - 10 * DAY, reason: 'admin', exceptSessionId: null });
        const kept = await store.revokeUser({ userId: 'u-new', at: now - DAY, reason: 'admin', exceptSessionId: null });
        const policy = { now, sealedBefore: now - MINUTE, retainAfter: now - 7 * DAY };
        expect(await store.sweep(policy)).toEqual({ sessions: 2, tokens: 3, events: 2 });
        for (const gone of [idle, absolute]) {
          expect(await store.findSession(gone.session.id)).toBeUndefined();
          expect(await store.findRefreshToken(gone.token.id)).toBeUndefined();
        }
        expect((await session(live.session.id)).successorSealed).toBeNull();
        expect((await session(recent.session.id)).successorSealed).not.toBeNull();
        expect((await session(recent.session.id)).ip).toBe(recent.session.ip);
        expect((await session(old.session.id)).ip).toBeNull();
        expect(await store.findRefreshToken(live.token.id)).toBeDefined();
        expect((await store.listEvents({ userId: 'u', limit: 10 })).map((event) => event.at)).toEqual([now - DAY]);
        expect(await allRevocations()).toEqual([kept]);
        expect(await store.sweep(policy)).toEqual({ sessions: 0, tokens: 0, events: 0 });
      });
    });

    describe('keys', () => {
      it('stores a first set only when empty and replaces the whole set on save', async () => {
        expect(await store.loadKeys()).toEqual([]);
        const first = [storedKey('k1'), { ...storedKey('k2'), alg: 'EdDSA', retiresAt: T0 + 9 * DAY }];
        expect(byKid(await store.initKeys(first))).toEqual(first);
        expect(byKid(await store.initKeys([storedKey('other')]))).toEqual(first);
        const next = [storedKey('k2'), storedKey('k3')];
        await store.saveKeys(next);
        expect(byKid(await store.loadKeys())).toEqual(next);
      });

      it('gives two concurrent initKeys with different keys the same stored set', async () => {
        const [a, b] = await Promise.all([store.initKeys([storedKey('a1'), storedKey('a2')]), store.initKeys([storedKey('b1')])]);
        expect(byKid(a)).toEqual(byKid(b));
        expect([['a1', 'a2'], ['b1']]).toContainEqual(byKid(a).map((key) => key.kid));
        expect(byKid(await store.loadKeys())).toEqual(byKid(a));
      });
    });

    describe('bad input', () => {
      it('answers unknown and strange ids with undefined, false or [] rather than a driver error', async () => {
        const input = await create();
        for (const id of BAD_IDS) {
          expect(await store.findSession(id)).toBeUndefined();
          expect(await store.findRefreshToken(id)).toBeUndefined();
          expect(await store.rotate(rotationOf(id, 0))).toBe(false);
          expect(await store.takeGraceAnswer({ sessionId: id, generation: 1, max: 5, usedAt: T0 })).toBeUndefined();
          expect(await store.revokeSession({ sessionId: id, at: T0, reason: 'logout' })).toBeUndefined();
          expect(await store.listSessions(id)).toEqual([]);
          expect(await store.listEvents({ userId: id, sessionId: id, limit: 5 })).toEqual([]);
        }
        expect(await store.rotate({ ...rotationOf(input.session.id, 0), expectedGeneration: -1 })).toBe(false);
        expect(await store.listRevocations({ afterSeq: 0, limit: -1 })).toEqual([]);
        expect((await session(input.session.id)).generation).toBe(0);
      });
    });
  });
}
