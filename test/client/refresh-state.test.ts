// The refresh machinery's transitions as pure functions: the shared refresh and restore, the
// reconnecting and misconfigured statuses and their backoff, the server's warning.
import { describe, expect, it } from 'vitest';
import {
  refreshBegan,
  refreshMisconfigured,
  refreshSettled,
  refreshStarted,
  refreshUnavailable,
  restoreBegan,
  restoreSettled,
  resumed,
  retryScheduled,
  serverWarned,
} from '../../src/client/refresh-state.js';
import { fresh, frozen, signedIn, withStatus } from './state-fixtures.js';

describe('the refresh machinery', () => {
  it('refreshStarted shows refreshing, also when already refreshing', () => {
    for (const status of ['unknown', 'signed-in', 'refreshing', 'signed-out'] as const) {
      const state = frozen(withStatus(signedIn(), status));
      const after = refreshStarted(state);
      expect(after.view.status).toBe('refreshing');
      expect(after.view).not.toBe(state.view);
    }
  });

  it('refreshStarted is ignored while reconnecting: that status lasts until a refresh succeeds', () => {
    const state = frozen(withStatus(signedIn(), 'reconnecting'));
    expect(refreshStarted(state)).toBe(state);
  });

  it('refreshUnavailable reconnects and keeps the token and the session', () => {
    const state = frozen(withStatus(signedIn(), 'refreshing'));
    const after = refreshUnavailable(state, { code: 'STORE_UNAVAILABLE' });
    expect(after.view).toEqual({
      ...state.view,
      status: 'reconnecting',
      lastError: 'STORE_UNAVAILABLE',
    });
    expect(after.held).toBe(state.held);
  });

  it('retryScheduled doubles the next delay up to a minute', () => {
    let state = frozen(fresh());
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      delays.push(state.retryDelayMs);
      state = frozen(retryScheduled(state));
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(retryScheduled(state).view).toBe(state.view);
  });

  it('resumed restarts the backoff while reconnecting and is ignored otherwise', () => {
    const backedOff = { ...signedIn(), retryDelayMs: 32_000 };
    const reconnecting = frozen(withStatus(backedOff, 'reconnecting'));
    const after = resumed(reconnecting);
    expect(after.retryDelayMs).toBe(1_000);
    expect(after.view).toBe(reconnecting.view);
    for (const status of ['unknown', 'signed-in', 'refreshing', 'signed-out'] as const) {
      const state = frozen(withStatus(backedOff, status));
      expect(resumed(state)).toBe(state);
    }
  });

  it('refreshBegan holds the shared refresh; a second one while it runs is ignored', () => {
    const first = Promise.resolve('at-1');
    const second = Promise.resolve('at-2');
    const idle = frozen(fresh());
    const running = refreshBegan(idle, { task: first });
    expect(running.inflight).toBe(first);
    expect(running.view).toBe(idle.view);
    expect(refreshBegan(frozen(running), { task: second })).toBe(running);
  });

  it('refreshSettled clears the shared refresh, and is ignored for any other task', () => {
    const task = Promise.resolve<string | null>(null);
    const running = frozen(refreshBegan(fresh(), { task }));
    expect(refreshSettled(running, { task: Promise.resolve(null) })).toBe(running);
    expect(refreshSettled(running, { task }).inflight).toBeNull();
    const idle = frozen(fresh());
    expect(refreshSettled(idle, { task })).toBe(idle);
  });

  it('restoreBegan and restoreSettled do the same for the shared restore', () => {
    const task = Promise.resolve();
    const other = Promise.resolve();
    const running = frozen(restoreBegan(fresh(), { task }));
    expect(running.restoring).toBe(task);
    expect(restoreBegan(running, { task: other })).toBe(running);
    expect(restoreSettled(running, { task: other })).toBe(running);
    expect(restoreSettled(running, { task }).restoring).toBeNull();
    const idle = frozen(fresh());
    expect(restoreSettled(idle, { task })).toBe(idle);
  });
});

describe('misconfigured, and the server warning', () => {
  it('refreshMisconfigured keeps the token and the session and carries the code and detail', () => {
    const state = frozen(withStatus(signedIn(), 'refreshing'));
    const after = refreshMisconfigured(state, { code: 'CSRF_FAILED', detail: 'origin refused' });
    expect(after.view).toEqual({
      ...state.view,
      status: 'misconfigured',
      lastError: 'CSRF_FAILED',
      lastErrorDetail: 'origin refused',
    });
    expect(after.held).toBe(state.held);
  });

  it('refreshUnavailable carries the detail too, and moves a misconfigured client to reconnecting', () => {
    const state = frozen(
      refreshMisconfigured(signedIn(), { code: 'CSRF_FAILED', detail: 'origin refused' }),
    );
    expect(
      refreshUnavailable(state, { code: 'NETWORK', detail: 'unreachable' }).view,
    ).toMatchObject({
      status: 'reconnecting',
      lastError: 'NETWORK',
      lastErrorDetail: 'unreachable',
    });
  });

  it('refreshStarted is ignored while misconfigured; resumed restarts its backoff', () => {
    const state = frozen({ ...withStatus(signedIn(), 'misconfigured'), retryDelayMs: 16_000 });
    expect(refreshStarted(state)).toBe(state);
    expect(resumed(state).retryDelayMs).toBe(1_000);
  });

  it('serverWarned shows a warning with its fix, clears it when absent, and ignores a repeat', () => {
    const state = frozen(signedIn());
    const warned = frozen(serverWarned(state, { code: 'cookie-cross-site' }));
    expect(warned.view.warning).toEqual({
      code: 'cookie-cross-site',
      fix: expect.stringMatching(/--cookie-same-site None/),
    });
    expect(serverWarned(warned, { code: 'cookie-cross-site' })).toBe(warned);
    expect(serverWarned(warned, { code: null }).view.warning).toBeNull();
    expect(serverWarned(state, { code: null })).toBe(state);
  });
});
