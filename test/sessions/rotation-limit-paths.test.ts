// The paths of the rotation limit in the session core, one at a time with a hand-made limit: the
// order is read -> decide -> check (rotations only) -> swap -> charge; a refused check re-reads and
// decides again; a failed charge does not fail the committed rotation.
import { describe, expect, it } from 'vitest';
import type { RotationCheck, RotationLimit } from '../../src/sessions/rotation-limit.js';
import { createSessionStack } from '../support/session-stack.js';

/** A limit that says what `answer` says and logs every call. */
function scriptedLimit(answer: (sessionId: string) => Promise<RotationCheck>) {
  const calls: string[] = [];
  const limit: RotationLimit = {
    async check(sessionId) {
      calls.push('check');
      return answer(sessionId);
    },
    async charge() {
      calls.push('charge');
    },
  };
  return { limit, calls };
}

const refused: RotationCheck = { allowed: false, retryAfterSeconds: 48 };

describe('the rotation limit in the session core', () => {
  it('is checked once per rotation and charged once it commits; grace answers touch neither', async () => {
    const { limit, calls } = scriptedLimit(async () => ({ allowed: true, retryAfterSeconds: 60 }));
    const { sessions } = await createSessionStack({ sessions: { rotationLimit: limit } });
    const login = await sessions.issueSession('user-1');
    const next = await sessions.refresh(login.refreshToken);
    expect(calls).toEqual(['check', 'charge']);
    expect(await sessions.refresh(login.refreshToken)).toMatchObject({
      grace: true,
      refreshToken: next.refreshToken,
    });
    expect(calls).toEqual(['check', 'charge']);
  });

  it('answers 429 with Retry-After at most half the window, and the token stays current', async () => {
    const { limit, calls } = scriptedLimit(async () => refused);
    const { sessions, store } = await createSessionStack({
      sessions: { rotationLimit: limit, graceSeconds: 30 },
    });
    const login = await sessions.issueSession('user-1');
    await expect(sessions.refresh(login.refreshToken)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      facts: { retryAfterSeconds: 15 },
    });
    expect(calls).toEqual(['check']);
    expect(await store.findSession(login.sessionId)).toMatchObject({
      generation: 0,
      revokedAt: null,
    });
  });

  it('says 1 s with a grace window of 0', async () => {
    const { limit } = scriptedLimit(async () => refused);
    const { sessions } = await createSessionStack({
      sessions: { rotationLimit: limit, graceSeconds: 0 },
    });
    const login = await sessions.issueSession('user-1');
    await expect(sessions.refresh(login.refreshToken)).rejects.toMatchObject({
      facts: { retryAfterSeconds: 1 },
    });
  });

  it('turns a refusal into a grace answer when another request rotated the token meanwhile', async () => {
    // This request's check runs another request with the same token to its commit, then refuses,
    // as a budget spent by that very rotation would: the re-read shows the rotation, so this
    // request is a retry of the previous token inside the window, not a 429.
    const held: { refresh?: (token: string) => Promise<{ refreshToken: string }> } = {};
    let token = '';
    let winner: { refreshToken: string } | undefined;
    const { sessions, store } = await createSessionStack({
      sessions: {
        rotationLimit: {
          async check() {
            if (winner !== undefined || held.refresh === undefined)
              return { allowed: true, retryAfterSeconds: 60 };
            winner = { refreshToken: '' };
            winner = await held.refresh(token);
            return refused;
          },
          charge: async () => undefined,
        },
      },
    });
    held.refresh = (value) => sessions.refresh(value);
    const login = await sessions.issueSession('user-1');
    token = login.refreshToken;
    const answer = await sessions.refresh(token);
    expect(answer).toMatchObject({ grace: true, refreshToken: winner?.refreshToken });
    expect((await store.findSession(login.sessionId))?.generation).toBe(1);
  });

  it('keeps a committed rotation when the charge fails', async () => {
    const { sessions, store } = await createSessionStack({
      sessions: {
        rotationLimit: {
          check: async () => ({ allowed: true, retryAfterSeconds: 60 }),
          charge: async () => {
            throw new Error('limiter unreachable');
          },
        },
      },
    });
    const login = await sessions.issueSession('user-1');
    const next = await sessions.refresh(login.refreshToken);
    expect(next.grace).toBe(false);
    expect((await store.findSession(login.sessionId))?.generation).toBe(1);
  });

  it('leaves the token current when the check itself fails (no swap without an answer)', async () => {
    const { sessions, store } = await createSessionStack({
      sessions: {
        rotationLimit: {
          check: async () => {
            throw new Error('limiter unreachable');
          },
          charge: async () => undefined,
        },
      },
    });
    const login = await sessions.issueSession('user-1');
    await expect(sessions.refresh(login.refreshToken)).rejects.toThrow('limiter unreachable');
    expect((await store.findSession(login.sessionId))?.generation).toBe(0);
  });
});
