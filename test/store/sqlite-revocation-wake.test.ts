// The SQLite store's onRevocation (issue item 6): two connections to one file stand for two server
// processes. A revocation committed on one wakes the other's subscriber at its next poll tick, and only
// then; the ticks are driven by hand through the injectable scheduler, so nothing here waits on a clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createRevocationView } from '../../src/sessions/revocation-view.js';
import type { SessionStore } from '../../src/store/session-store.js';
import { createSqliteStore, type PollScheduler } from '../../src/store/sqlite/sqlite-store.js';
import { newSession, T0 } from '../../src/store/testing/fixtures.js';

const directory = mkdtempSync(join(tmpdir(), 'tessera-sqlite-wake-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;

/** A scheduler the test drives: `tick()` runs every live subscription's poll once. */
function manualScheduler(): {
  schedule: PollScheduler;
  tick(): void;
  readonly live: number;
  readonly intervals: number[];
} {
  const ticks = new Set<() => void>();
  const intervals: number[] = [];
  return {
    schedule: (tick, intervalMs) => {
      intervals.push(intervalMs);
      ticks.add(tick);
      return () => void ticks.delete(tick);
    },
    tick: () => {
      for (const tick of [...ticks]) tick();
    },
    get live() {
      return ticks.size;
    },
    intervals,
  };
}

/** Node A and node B: two connections to one fresh, migrated file; B's watch runs on `scheduler`. */
async function twoNodes(scheduler: ReturnType<typeof manualScheduler>): Promise<{
  a: SessionStore;
  b: SessionStore;
  close(): Promise<void>;
}> {
  const path = join(directory, `shared-${(files += 1)}.db`);
  const a = createSqliteStore({ database: new Database(path) });
  await a.migrate();
  const b = createSqliteStore({
    database: new Database(path),
    revocationWake: { schedule: scheduler.schedule },
  });
  return {
    a,
    b,
    close: async () => {
      await a.close();
      await b.close();
    },
  };
}

const subscribe = (store: SessionStore, listener: () => void): Promise<() => Promise<void>> => {
  if (store.onRevocation === undefined)
    throw new Error('the SQLite store must support onRevocation');
  return store.onRevocation(listener);
};

// The view's wake-up pulls the feed asynchronously; one macrotask lets that pull (no I/O) finish.
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('sqlite onRevocation: a data_version watch across connections', () => {
  it('wakes the other connection on the tick after a revocation commits, not before, and once', async () => {
    const scheduler = manualScheduler();
    const { a, b, close } = await twoNodes(scheduler);
    const input = newSession();
    await a.createSession(input);
    let wakes = 0;
    const unsubscribe = await subscribe(b, () => void (wakes += 1));
    expect(scheduler.intervals).toEqual([200]);

    await a.revokeSession({ sessionId: input.session.id, at: T0, reason: 'logout' });
    expect(wakes).toBe(0); // no tick yet: nothing polls behind the test's back
    scheduler.tick();
    expect(wakes).toBe(1);
    scheduler.tick();
    expect(wakes).toBe(1); // no new commit, no new wake-up

    await a.revokeUser({
      userId: input.session.userId,
      at: T0 + 1,
      reason: 'logout-all',
      exceptSessionId: null,
    });
    scheduler.tick();
    expect(wakes).toBe(2);
    await unsubscribe();
    await close();
  });

  it('stays quiet for commits that are not revocations (a login, a rotation)', async () => {
    const scheduler = manualScheduler();
    const { a, b, close } = await twoNodes(scheduler);
    let wakes = 0;
    await subscribe(b, () => void (wakes += 1));
    await a.createSession(newSession());
    scheduler.tick();
    await a.createSession(newSession());
    scheduler.tick();
    expect(wakes).toBe(0);
    await close();
  });

  it("does not wake for the connection's own revocations (its node syncs its view itself)", async () => {
    const scheduler = manualScheduler();
    const { b, close } = await twoNodes(scheduler);
    const input = newSession();
    await b.createSession(input);
    let wakes = 0;
    await subscribe(b, () => void (wakes += 1));
    await b.revokeSession({ sessionId: input.session.id, at: T0, reason: 'logout' });
    scheduler.tick();
    expect(wakes).toBe(0);
    await close();
  });

  it('stops polling on unsubscribe and on close, and a throwing listener does not stop the watch', async () => {
    const scheduler = manualScheduler();
    const { a, b, close } = await twoNodes(scheduler);
    let wakes = 0;
    const unsubscribe = await subscribe(b, () => {
      wakes += 1;
      throw new Error('listener failure');
    });
    await subscribe(b, () => undefined);
    expect(scheduler.live).toBe(2);
    const first = newSession();
    await a.createSession(first);
    await a.revokeSession({ sessionId: first.session.id, at: T0, reason: 'logout' });
    expect(() => scheduler.tick()).not.toThrow();
    expect(wakes).toBe(1);
    await unsubscribe();
    await unsubscribe(); // idempotent
    expect(scheduler.live).toBe(1);
    const second = newSession();
    await a.createSession(second);
    await a.revokeSession({ sessionId: second.session.id, at: T0, reason: 'logout' });
    scheduler.tick();
    expect(wakes).toBe(1);
    await close();
    expect(scheduler.live).toBe(0); // close() stopped the remaining watch before closing the file
  });

  it('a revocation view on node B refuses the session after one tick, with its own poll far away', async () => {
    const scheduler = manualScheduler();
    const { a, b, close } = await twoNodes(scheduler);
    const view = createRevocationView({ store: b, horizonSeconds: 960, pollIntervalMs: 3_600_000 });
    await view.start();
    const input = newSession({ createdAt: Date.now() });
    const session = {
      id: input.session.id,
      userId: input.session.userId,
      createdAt: input.session.createdAt,
    };
    await a.createSession(input);
    await a.revokeSession({ sessionId: input.session.id, at: Date.now(), reason: 'logout' });
    await settle();
    expect(view.revokesSession(session)).toBe(false); // no tick: B has not looked yet
    scheduler.tick();
    await settle();
    expect(view.revokesSession(session)).toBe(true);
    await view.stop();
    expect(scheduler.live).toBe(0);
    await close();
  });
});
