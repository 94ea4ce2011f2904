// The client's session transitions and queries as pure functions: no client, no server, no timers.
// Every test starts from a known state and checks the state that comes back; inputs are frozen, so a
// transition that mutated one would throw.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  announcesLogout,
  clockOffsetMeasured,
  freshToken,
  initialClientState,
  isDegraded,
  logoutAnnounced,
  refreshDueMs,
  signedOut,
  tabLogoutHeard,
  tabTokenHeard,
  tokenAdopted,
  tokenIssued,
  tokenRejected,
} from '../../src/client/client-state.js';
import type { LogoutReason } from '../../src/client/index.js';
import { refreshMarginMs } from '../../src/client/token-clock.js';
import { clocksAt, fresh, frozen, heldToken, signedIn, withStatus } from './state-fixtures.js';

describe('initialClientState', () => {
  it('knows nothing yet: status unknown, no token, the shared generation, default grace and backoff', () => {
    expect(initialClientState({ tabId: 'tab7', gen: 5 })).toEqual({
      view: {
        status: 'unknown',
        sessionId: null,
        tabId: 'tab7',
        lastRefresh: null,
        loggedOutReason: null,
        lastError: null,
        lastErrorDetail: null,
        warning: null,
        clockOffsetMs: null,
      },
      held: null,
      gen: 5,
      graceMs: 30_000,
      retryDelayMs: 1_000,
      inflight: null,
      restoring: null,
    });
  });
});

describe('tokens issued by the server', () => {
  it('tokenIssued outranks every generation seen, here or shared, and learns the grace window', () => {
    const state = frozen(fresh());
    expect(tokenIssued(state, { sharedGen: 1, graceMs: 5_000 })).toMatchObject({
      gen: 4,
      graceMs: 5_000,
    });
    expect(tokenIssued(state, { sharedGen: 9, graceMs: 5_000 }).gen).toBe(10);
    expect(tokenIssued(state, { sharedGen: 9, graceMs: 5_000 }).view).toBe(state.view);
  });

  it('tokenAdopted signs in, clears the last logout and error, and restarts the backoff', () => {
    const before = frozen({
      ...signedOut(fresh(), { reason: 'REFRESH_TOKEN_REUSED' }),
      retryDelayMs: 8_000,
      view: {
        ...signedOut(fresh(), { reason: 'REFRESH_TOKEN_REUSED' }).view,
        lastError: 'NETWORK',
        clockOffsetMs: 250,
      },
    });
    const held = heldToken('at-2');
    const after = tokenAdopted(before, { held, sessionId: 's-9' });
    expect(after.held).toBe(held);
    expect(after.retryDelayMs).toBe(1_000);
    expect(after.gen).toBe(before.gen);
    expect(after.view).toEqual({
      status: 'signed-in',
      sessionId: 's-9',
      tabId: 'tab1',
      lastRefresh: held.info,
      loggedOutReason: null,
      lastError: null,
      lastErrorDetail: null,
      warning: null,
      clockOffsetMs: 250,
    });
  });
});

describe('tokens announced by another tab', () => {
  it('adopts a token of the same or a newer generation, taking that generation', () => {
    const state = frozen(signedIn('at-1', 4));
    const held = heldToken('at-2');
    for (const gen of [4, 6]) {
      const after = tabTokenHeard(state, { gen, held, sessionId: 's-2' });
      expect(after).toMatchObject({ gen, held, view: { status: 'signed-in', sessionId: 's-2' } });
    }
  });

  it('ignores a token of an older generation: it lost a race to a logout or a newer token', () => {
    const state = frozen(signedIn('at-1', 4));
    expect(tabTokenHeard(state, { gen: 3, held: heldToken('at-0'), sessionId: 's-1' })).toBe(state);
  });

  it('ignores the token it already holds', () => {
    const state = frozen(signedIn('at-1', 4));
    expect(tabTokenHeard(state, { gen: 5, held: heldToken('at-1'), sessionId: 's-1' })).toBe(state);
  });

  it('drops its own token when told of a new one without it (the storage-event channel)', () => {
    const state = frozen(signedIn('at-1', 4));
    const after = tabTokenHeard(state, { gen: 5, held: null, sessionId: 's-1' });
    expect(after).toMatchObject({ gen: 5, held: null });
    // Still signed in: the cookie holds the new refresh token, the next request fetches its own.
    expect(after.view).toBe(state.view);
  });

  it('ignores a token-less announcement when it holds no token either', () => {
    const state = frozen(fresh());
    expect(tabTokenHeard(state, { gen: 5, held: null, sessionId: 's-1' })).toBe(state);
  });
});

describe('logouts', () => {
  it('signedOut forgets the token and the session and keeps the reason', () => {
    const state = frozen(signedIn());
    const after = signedOut(state, { reason: 'LOGGED_OUT' });
    expect(after.held).toBeNull();
    expect(after.gen).toBe(state.gen);
    expect(after.view).toEqual({
      ...state.view,
      status: 'signed-out',
      sessionId: null,
      loggedOutReason: 'LOGGED_OUT',
    });
  });

  it('signedOut applies again when already signed out (subscribers hear every sign-out)', () => {
    const state = frozen(signedOut(signedIn(), { reason: 'LOGGED_OUT' }));
    const after = signedOut(state, { reason: 'LOGGED_OUT_EVERYWHERE' });
    expect(after.view).not.toBe(state.view);
    expect(after.view.loggedOutReason).toBe('LOGGED_OUT_EVERYWHERE');
  });

  it('logoutAnnounced outranks every generation seen, here or shared', () => {
    const state = frozen(signedIn('at-1', 4));
    expect(logoutAnnounced(state, { sharedGen: 2 }).gen).toBe(5);
    expect(logoutAnnounced(state, { sharedGen: 7 }).gen).toBe(8);
    expect(logoutAnnounced(state, { sharedGen: 7 }).view).toBe(state.view);
  });

  it('tabLogoutHeard takes the newer generation and never goes back', () => {
    const state = frozen(signedIn('at-1', 4));
    expect(tabLogoutHeard(state, { gen: 9 }).gen).toBe(9);
    expect(tabLogoutHeard(state, { gen: 2 }).gen).toBe(4);
    expect(tabLogoutHeard(state, { gen: 9 }).view).toBe(state.view);
  });

  it('announcesLogout only for a session that was signed in, refreshing or reconnecting', () => {
    const live = signedIn();
    for (const status of ['signed-in', 'refreshing', 'reconnecting'] as const)
      expect(announcesLogout(withStatus(live, status))).toBe(true);
    expect(announcesLogout(signedOut(live, { reason: 'LOGGED_OUT' }))).toBe(false);
    // A first visit with no session: REFRESH_TOKEN_MISSING is no logout worth announcing.
    expect(announcesLogout(fresh())).toBe(false);
    expect(announcesLogout(withStatus(fresh(), 'refreshing'))).toBe(false);
    expect(announcesLogout(withStatus(live, 'unknown'))).toBe(false);
  });
});

describe('a 401 for a token', () => {
  it('tokenRejected drops the held token when it is the one the API refused', () => {
    const state = frozen(signedIn('at-1'));
    const after = tokenRejected(state, { token: 'at-1' });
    expect(after.held).toBeNull();
    expect(after.view).toBe(state.view);
  });

  it('ignores a 401 for another token (a newer one is already held) or for none', () => {
    const state = frozen(signedIn('at-2'));
    expect(tokenRejected(state, { token: 'at-1' })).toBe(state);
    expect(tokenRejected(state, { token: null })).toBe(state);
    expect(tokenRejected(frozen(fresh()), { token: 'at-1' })).toEqual(fresh());
  });
});

describe('the clock offset', () => {
  it('clockOffsetMeasured shows the offset and changes nothing else', () => {
    const state = frozen(signedIn());
    const after = clockOffsetMeasured(state, { offsetMs: -600_000 });
    expect(after.view).toEqual({ ...state.view, clockOffsetMs: -600_000 });
    expect(after.held).toBe(state.held);
  });
});

describe('queries, with the clocks passed in', () => {
  it('freshToken gives the token while more than its margin is left, by the more pessimistic clock', () => {
    // A 60 s token refreshes 12 s before its end.
    const state = frozen(signedIn('at-1'));
    expect(freshToken(state, clocksAt(47_999))).toBe('at-1');
    expect(freshToken(state, clocksAt(48_000))).toBeNull();
    // The monotonic clock stood still while the device slept; the wall clock saw the time pass.
    expect(freshToken(state, clocksAt(600_000, 1_000))).toBeNull();
    // The wall clock was set back; the monotonic clock still counts.
    expect(freshToken(state, clocksAt(-3_600_000, 50_000))).toBeNull();
  });

  it('freshToken is null without a token', () => {
    expect(freshToken(fresh(), clocksAt(0))).toBeNull();
  });

  it('refreshDueMs aims a jittered margin before the end, and is null without a token', () => {
    const state = frozen(signedIn('at-1'));
    // 60 s token, 12 s margin: jitter 0 refreshes 12 s early, jitter 1 six seconds early.
    expect(refreshDueMs(state, clocksAt(0), 0)).toBe(48_000);
    expect(refreshDueMs(state, clocksAt(0), 1)).toBe(54_000);
    expect(refreshDueMs(state, clocksAt(10_000), 0)).toBe(38_000);
    expect(refreshDueMs(fresh(), clocksAt(0), 0)).toBeNull();
  });
});

describe('LogoutReason', () => {
  it('is the client reasons plus the refresh refusals that end a session, as ErrorCode spells them', () => {
    expectTypeOf<
      'LOGGED_OUT' | 'LOGGED_OUT_EVERYWHERE' | 'COOKIE_NOT_SENT'
    >().toExtend<LogoutReason>();
    // Extract<ErrorCode, ...> drops a code that ErrorCode renamed; listing them here makes that a
    // compile error rather than a silently narrower union.
    expectTypeOf<
      | 'REFRESH_TOKEN_MISSING'
      | 'REFRESH_TOKEN_MALFORMED'
      | 'REFRESH_TOKEN_UNKNOWN'
      | 'REFRESH_TOKEN_EXPIRED'
      | 'REFRESH_TOKEN_REUSED'
      | 'REFRESH_TOKEN_REVOKED'
      | 'SESSION_EXPIRED'
      | 'TRANSPORT_MISMATCH'
    >().toExtend<LogoutReason>();
    // Refusals of the set-up keep the session (misconfigured): nothing emits them as a logout any more.
    expectTypeOf<'CSRF_FAILED'>().not.toExtend<LogoutReason>();
    expectTypeOf<'NOT_FOUND'>().not.toExtend<LogoutReason>();
    expectTypeOf<'REQUEST_INVALID'>().not.toExtend<LogoutReason>();
    expectTypeOf<'HTTP_403'>().not.toExtend<LogoutReason>();
    // Failures a refresh retries are not logouts.
    expectTypeOf<'NETWORK'>().not.toExtend<LogoutReason>();
    expectTypeOf<'STORE_UNAVAILABLE'>().not.toExtend<LogoutReason>();
    expectTypeOf<'RATE_LIMITED'>().not.toExtend<LogoutReason>();
    expectTypeOf<'TOKEN_EXPIRED'>().not.toExtend<LogoutReason>();
  });
});

describe('no logout nobody asked for', () => {
  it('isDegraded: reconnecting and misconfigured, nothing else', () => {
    expect(isDegraded('reconnecting')).toBe(true);
    expect(isDegraded('misconfigured')).toBe(true);
    for (const status of ['unknown', 'signed-in', 'refreshing', 'signed-out'] as const)
      expect(isDegraded(status)).toBe(false);
  });

  it('freshToken serves the held token to its last millisecond while degraded', () => {
    // A 60 s token: 12 s margin normally; while the refresh is retried in the background, none.
    for (const status of ['reconnecting', 'misconfigured'] as const) {
      const state = frozen(withStatus(signedIn('at-1'), status));
      expect(freshToken(state, clocksAt(59_999))).toBe('at-1');
      expect(freshToken(state, clocksAt(60_000))).toBeNull();
    }
  });

  it('announcesLogout at start-up for a session this device held, never twice', () => {
    expect(announcesLogout(fresh(), true)).toBe(true);
    expect(announcesLogout(withStatus(fresh(), 'refreshing'), true)).toBe(true);
    expect(announcesLogout(signedOut(fresh(), { reason: 'COOKIE_NOT_SENT' }), true)).toBe(false);
    for (const status of ['misconfigured', 'reconnecting'] as const)
      expect(announcesLogout(withStatus(signedIn(), status))).toBe(true);
  });

  it('signedOut without a reason: not signed in, and no reason to show', () => {
    const after = signedOut(frozen(withStatus(fresh(), 'refreshing')), { reason: null });
    expect(after.view).toMatchObject({ status: 'signed-out', loggedOutReason: null });
  });
});

describe('the refresh margin', () => {
  it('is a fifth of the lifetime, at most a minute, with no floor for short tokens', () => {
    const margin = (lifetimeMs: number) =>
      refreshMarginMs({ lifetimeMs, receivedWall: 0, receivedMono: 0 });
    expect(margin(900_000)).toBe(60_000);
    expect(margin(60_000)).toBe(12_000);
    expect(margin(4_000)).toBe(800);
    expect(margin(1_000)).toBe(200);
  });
});
