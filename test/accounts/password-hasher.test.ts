// The argon2 cap with real argon2id: turns are held open with the `admit` hook (which runs inside a
// turn), so the queue's edges are reached by counting, never by timing.
import { describe, expect, it } from 'vitest';
import {
  createPasswordHasher,
  defaultPasswordConcurrency,
} from '../../src/accounts/password-hasher.js';
import { TesseraError } from '../../src/errors/tessera-error.js';

const PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

function gate(): { wait: () => Promise<void>; open: () => void; entered: () => number } {
  let open!: () => void;
  let entered = 0;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    wait: () => {
      entered++;
      return opened;
    },
    open,
    entered: () => entered,
  };
}

describe('the password hasher', () => {
  it('runs at most `concurrency` at once, queues `queue` more, and refuses the next at once', async () => {
    const hasher = createPasswordHasher({ concurrency: 2, queue: 3 });
    const hashed = await hasher.hash('correct horse battery', PARAMS);
    const held = gate();
    const checks = Array.from({ length: 5 }, (_, i) =>
      hasher.verify(hashed, i === 0 ? 'correct horse battery' : 'wrong', { admit: held.wait }),
    );
    // Two turns entered (they wait in admit); three wait for a turn; the sixth is refused unqueued.
    await new Promise((done) => setImmediate(done));
    expect(held.entered()).toBe(2);
    const refused = await hasher.verify(hashed, 'x', { admit: held.wait }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TesseraError);
    expect((refused as TesseraError).code).toBe('PASSWORD_CHECK_BUSY');
    expect((refused as TesseraError).facts).toEqual({ retryAfterSeconds: 1 });
    expect(held.entered()).toBe(2);
    held.open();
    expect(await Promise.all(checks)).toEqual([true, false, false, false, false]);
    expect(held.entered()).toBe(5);
  });

  it('frees the turn of an attempt its admit refused, without checking the password', async () => {
    const hasher = createPasswordHasher({ concurrency: 1, queue: 1 });
    const hashed = await hasher.hash('correct horse battery', PARAMS);
    const refusal = new TesseraError('RATE_LIMITED', 'wait', { retryAfterSeconds: 5 });
    const outcomes = await Promise.allSettled([
      hasher.verify(hashed, 'correct horse battery', {
        admit: () => Promise.reject(refusal),
      }),
      hasher.verify(hashed, 'correct horse battery'),
    ]);
    expect(outcomes[0]).toEqual({ status: 'rejected', reason: refusal });
    expect(outcomes[1]).toEqual({ status: 'fulfilled', value: true });
    // The turn came back: a third check runs.
    expect(await hasher.verify(hashed, 'correct horse battery')).toBe(true);
  });

  it('answers false for an unreadable hash', async () => {
    expect(await createPasswordHasher().verify('not a hash', 'password')).toBe(false);
  });

  it('leaves one thread-pool thread for the rest by default', () => {
    expect(defaultPasswordConcurrency({ cpus: 64, threadPool: 4 })).toBe(3);
    expect(defaultPasswordConcurrency({ cpus: 2, threadPool: 4 })).toBe(2);
    expect(defaultPasswordConcurrency({ cpus: 1, threadPool: 1 })).toBe(1);
  });
});
