// The revocation view and its wake-ups (issue item 6): a sync asked for while a pull is running must not
// settle on that pull, whose read may predate the revocation it was asked for, and the view subscribes
// before its first pull, so a revocation committed in between still wakes it. A scripted in-memory feed
// whose reads the test releases one by one stands in for the store.
import { describe, expect, it } from 'vitest';
import { createRevocationView } from '../../src/sessions/revocation-view.js';
import type { RevocationRecord, SessionStore } from '../../src/store/session-store.js';

type FeedStore = Pick<SessionStore, 'listRevocations' | 'onRevocation'>;

const AT = 1_767_268_800_000;

/** A feed whose every read takes its snapshot at once but answers only when the test calls `release()`. */
function gatedFeed(): {
  store: FeedStore;
  append(sessionId: string): void;
  release(): void;
  readonly reads: number;
  readonly pending: number;
  wake(): void;
  readonly events: string[];
} {
  const records: RevocationRecord[] = [];
  const waiting: (() => void)[] = [];
  const events: string[] = [];
  let listener: (() => void) | undefined;
  let reads = 0;
  return {
    store: {
      listRevocations: (input) => {
        reads += 1;
        events.push('read');
        const snapshot = records.filter((record) => record.seq > input.afterSeq);
        return new Promise((resolve) => waiting.push(() => resolve(snapshot)));
      },
      onRevocation: async (next) => {
        events.push('subscribe');
        listener = next;
        return async () => {
          listener = undefined;
        };
      },
    },
    append: (sessionId) => {
      records.push({ kind: 'session', seq: records.length + 1, sessionId, userId: 'u', at: AT });
    },
    release: () => waiting.shift()?.(),
    get reads() {
      return reads;
    },
    get pending() {
      return waiting.length;
    },
    wake: () => listener?.(),
    events,
  };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const session = (id: string): { id: string; userId: string; createdAt: number } => ({
  id,
  userId: 'u',
  createdAt: AT - 1,
});

describe('revocation view: wake-ups and concurrent syncs', () => {
  it('a sync asked for mid-pull resolves only after a pull that started after it', async () => {
    const feed = gatedFeed();
    const view = createRevocationView({
      store: feed.store,
      horizonSeconds: 960,
      pollIntervalMs: 3_600_000,
      now: () => AT,
    });
    const starting = view.start();
    await flush();
    feed.release(); // the first pull, empty
    await starting;

    const polling = view.sync(); // a pull in flight: its snapshot is taken, without s-1
    feed.append('s-1'); // node A's logout commits meanwhile
    let caughtUp = false;
    const asked = view.sync().then(() => {
      caughtUp = true;
    });
    feed.release();
    await polling;
    await flush();
    expect(caughtUp).toBe(false); // the running pull could not have seen s-1
    expect(view.revokesSession(session('s-1'))).toBe(false);
    expect(feed.pending).toBe(1); // one more pull is under way, for every caller that joined
    feed.release();
    await asked;
    expect(view.revokesSession(session('s-1'))).toBe(true);
    await view.stop();
  });

  it('callers that join the same running pull share one follow-up pull', async () => {
    const feed = gatedFeed();
    const view = createRevocationView({ store: feed.store, horizonSeconds: 960, now: () => AT });
    const starting = view.start();
    await flush();
    feed.release();
    await starting;
    const readsBefore = feed.reads;
    const running = view.sync();
    const joined = [view.sync(), view.sync(), view.sync()];
    feed.release();
    await running;
    await flush();
    feed.release();
    await Promise.all(joined);
    expect(feed.reads - readsBefore).toBe(2);
    await view.stop();
  });

  it('subscribes before its first pull, so a revocation committed during start still wakes it', async () => {
    const feed = gatedFeed();
    const view = createRevocationView({
      store: feed.store,
      horizonSeconds: 960,
      pollIntervalMs: 3_600_000,
      now: () => AT,
    });
    const starting = view.start();
    await flush();
    expect(feed.events).toEqual(['subscribe', 'read']);
    feed.append('s-2'); // commits after the first read's snapshot
    feed.wake(); // the store's wake-up for it arrives while the first pull is in flight
    feed.release();
    await starting;
    await flush();
    feed.release();
    await flush();
    expect(view.revokesSession(session('s-2'))).toBe(true);
    await view.stop();
  });

  it('a first pull that fails leaves nothing subscribed', async () => {
    let unsubscribed = 0;
    const view = createRevocationView({
      store: {
        listRevocations: async () => {
          throw new Error('SQLITE_CANTOPEN');
        },
        onRevocation: async () => async () => void (unsubscribed += 1),
      },
      horizonSeconds: 960,
    });
    await expect(view.start()).rejects.toThrow('SQLITE_CANTOPEN');
    expect(unsubscribed).toBe(1);
  });
});
