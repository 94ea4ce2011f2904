import { describe, expect, it } from 'vitest';
import { TesseraError, type ErrorCode } from '../../src/index.js';
import { openSuccessor } from '../../src/sessions/successor-seal.js';
import { REFRESH_TOKEN_PATTERN } from '../../src/wire/names.js';
import { createSessionStack } from '../support/session-stack.js';

async function expectCode(work: Promise<unknown>, code: ErrorCode): Promise<TesseraError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TesseraError);
  expect((error as TesseraError).code).toBe(code);
  return error as TesseraError;
}

describe('session core', () => {
  it('issues a session whose refresh token matches the documented pattern and whose access token verifies', async () => {
    const { sessions, verifier } = await createSessionStack();
    const login = await sessions.issueSession('user-1', { transport: 'body' });
    expect(login.refreshToken).toMatch(REFRESH_TOKEN_PATTERN);
    expect(verifier.verify(login.accessToken)).toMatchObject({
      sub: 'user-1',
      sid: login.sessionId,
    });
    expect(login.refreshGraceSeconds).toBe(30);
  });

  it('rotates on every refresh and never stores the token or its secret', async () => {
    const { sessions, store } = await createSessionStack();
    const login = await sessions.issueSession('user-1');
    const first = await sessions.refresh(login.refreshToken);
    const second = await sessions.refresh(first.refreshToken);
    expect(new Set([login.refreshToken, first.refreshToken, second.refreshToken]).size).toBe(3);
    const [session] = await store.listSessions('user-1');
    expect(session?.generation).toBe(2);
    const secret = second.refreshToken.split('.')[1] as string;
    expect(JSON.stringify(session)).not.toContain(secret);
    expect(JSON.stringify(session)).not.toContain(second.refreshToken);
  });

  it('answers the previous token inside the grace window with the same successor, idempotently', async () => {
    const { sessions, clock, verifier } = await createSessionStack();
    const login = await sessions.issueSession('user-1');
    const winner = await sessions.refresh(login.refreshToken);
    clock.advance(29_000);
    const retry = await sessions.refresh(login.refreshToken);
    expect(retry.grace).toBe(true);
    expect(retry.refreshToken).toBe(winner.refreshToken);
    expect(retry.accessToken).not.toBe(winner.accessToken);
    expect(verifier.verify(retry.accessToken).sid).toBe(login.sessionId);
    // The chain continues from the shared successor.
    const next = await sessions.refresh(winner.refreshToken);
    expect(next.grace).toBe(false);
  });

  it('treats the previous token after the window as reuse: revokes the session and says so', async () => {
    const { sessions, clock, verifier } = await createSessionStack();
    const login = await sessions.issueSession('user-1');
    const winner = await sessions.refresh(login.refreshToken);
    clock.advance(31_000);
    const error = await expectCode(sessions.refresh(login.refreshToken), 'REFRESH_TOKEN_REUSED');
    expect(error.message).toContain('grace window 30 s');
    const denied = await expectCode(sessions.refresh(winner.refreshToken), 'REFRESH_TOKEN_REVOKED');
    expect(denied.message).toContain('used twice');
    expect(() => verifier.verify(winner.accessToken)).toThrow(
      expect.objectContaining({ code: 'TOKEN_REVOKED' }),
    );
  });

  it('treats a token two generations old as reuse even inside the window', async () => {
    const { sessions } = await createSessionStack();
    const login = await sessions.issueSession('user-1');
    const first = await sessions.refresh(login.refreshToken);
    await sessions.refresh(first.refreshToken);
    await expectCode(sessions.refresh(login.refreshToken), 'REFRESH_TOKEN_REUSED');
  });

  it('reads a logout that lands between lookup and grace answer as a revocation, not as theft', async () => {
    const stack = await createSessionStack();
    const { store } = stack;
    const racing = {
      ...store,
      takeGraceAnswer: async (input: Parameters<typeof store.takeGraceAnswer>[0]) => {
        await store.revokeSession({
          sessionId: input.sessionId,
          at: input.usedAt,
          reason: 'logout',
        });
        return store.takeGraceAnswer(input);
      },
    };
    const { sessions } = await createSessionStack({ store: racing, clock: stack.clock });
    const login = await sessions.issueSession('user-1');
    await sessions.refresh(login.refreshToken);
    stack.clock.advance(1000);
    await expectCode(sessions.refresh(login.refreshToken), 'REFRESH_TOKEN_REVOKED');
    const types = (await store.listEvents({ userId: 'user-1', limit: 10 })).map(
      (event) => event.type,
    );
    expect(types).not.toContain('refresh.reuse_detected');
  });

  it('caps the grace answers one rotation may give', async () => {
    const { sessions } = await createSessionStack({ sessions: { maxGraceAnswers: 3 } });
    const login = await sessions.issueSession('user-1');
    await sessions.refresh(login.refreshToken);
    for (let i = 0; i < 3; i++)
      expect((await sessions.refresh(login.refreshToken)).grace).toBe(true);
    await expectCode(sessions.refresh(login.refreshToken), 'REFRESH_TOKEN_REUSED');
  });

  it('seals the successor so that the stored hash cannot open it', async () => {
    const { sessions, store } = await createSessionStack();
    const login = await sessions.issueSession('user-1');
    await sessions.refresh(login.refreshToken);
    const session = (await store.listSessions('user-1'))[0]!;
    const [id] = login.refreshToken.slice(4).split('.') as [string];
    const stored = (await store.findRefreshToken(id))!.token.secretHash;
    expect(
      openSuccessor({
        previousSecret: stored,
        sessionId: session.id,
        generation: 0,
        sealed: session.successorSealed!,
      }),
    ).toBeUndefined();
    expect(
      openSuccessor({
        previousSecret: login.refreshToken.split('.')[1]!,
        sessionId: session.id,
        generation: 0,
        sealed: session.successorSealed!,
      }),
    ).toMatch(REFRESH_TOKEN_PATTERN);
  });

  it('gives unknown, forged, malformed and missing refresh tokens their own codes', async () => {
    const { sessions } = await createSessionStack();
    const login = await sessions.issueSession('user-1');
    const [id] = login.refreshToken.slice(4).split('.') as [string];
    await expectCode(sessions.refresh(`tsr_${id}.${'A'.repeat(43)}`), 'REFRESH_TOKEN_UNKNOWN');
    await expectCode(
      sessions.refresh(`tsr_${'B'.repeat(22)}.${'A'.repeat(43)}`),
      'REFRESH_TOKEN_UNKNOWN',
    );
    await expectCode(sessions.refresh(`"${login.refreshToken}"`), 'REFRESH_TOKEN_MALFORMED');
    await expectCode(sessions.refresh(login.accessToken), 'REFRESH_TOKEN_MALFORMED');
    await expectCode(sessions.refresh(undefined), 'REFRESH_TOKEN_MISSING');
    // None of those revoked the real session.
    expect((await sessions.refresh(login.refreshToken)).grace).toBe(false);
  });

  it('expires idle sessions and sessions past their absolute lifetime with distinct codes', async () => {
    const { sessions, clock } = await createSessionStack({
      sessions: { idleTimeoutSeconds: 3600, absoluteLifetimeSeconds: 7200 },
    });
    const idle = await sessions.issueSession('user-1');
    clock.advance(3600_000);
    await expectCode(sessions.refresh(idle.refreshToken), 'REFRESH_TOKEN_EXPIRED');
    let token = (await sessions.issueSession('user-2')).refreshToken;
    for (let i = 0; i < 4; i++) {
      clock.advance(1800_000);
      if (i < 3) token = (await sessions.refresh(token)).refreshToken;
    }
    await expectCode(sessions.refresh(token), 'SESSION_EXPIRED');
  });

  it('never answers a session on a transport it was not created with', async () => {
    const { sessions } = await createSessionStack();
    const login = await sessions.issueSession('user-1', { transport: 'cookie' });
    await expectCode(
      sessions.refresh(login.refreshToken, { transport: 'body' }),
      'TRANSPORT_MISMATCH',
    );
    expect((await sessions.refresh(login.refreshToken, { transport: 'cookie' })).transport).toBe(
      'cookie',
    );
  });

  it('logout revokes the session and reaches its access tokens; a second logout is a no-op', async () => {
    const { sessions, verifier } = await createSessionStack();
    const login = await sessions.issueSession('user-1');
    expect((await sessions.revokeByRefreshToken(login.refreshToken))?.id).toBe(login.sessionId);
    expect(() => verifier.verify(login.accessToken)).toThrow(
      expect.objectContaining({ code: 'TOKEN_REVOKED' }),
    );
    await expect(sessions.revokeByRefreshToken(login.refreshToken)).resolves.toBeDefined();
    await expectCode(sessions.refresh(login.refreshToken), 'REFRESH_TOKEN_REVOKED');
  });

  it('a password change revokes every other session, including one created a moment before it', async () => {
    const { sessions, verifier, clock } = await createSessionStack();
    const current = await sessions.issueSession('user-1');
    const other = await sessions.issueSession('user-1');
    clock.advance(1);
    await sessions.revokeUserSessions('user-1', {
      reason: 'password-change',
      exceptSessionId: current.sessionId,
    });
    await expectCode(sessions.refresh(other.refreshToken), 'REFRESH_TOKEN_REVOKED');
    expect(() => verifier.verify(other.accessToken)).toThrow(
      expect.objectContaining({ code: 'TOKEN_REVOKED' }),
    );
    expect(verifier.verify(current.accessToken).sid).toBe(current.sessionId);
    expect((await sessions.refresh(current.refreshToken)).grace).toBe(false);
  });

  it('evicts the oldest session beyond the per-user limit', async () => {
    const { sessions, clock } = await createSessionStack({ sessions: { maxSessionsPerUser: 2 } });
    const oldest = await sessions.issueSession('user-1');
    clock.advance(1000);
    await sessions.issueSession('user-1');
    clock.advance(1000);
    await sessions.issueSession('user-1');
    await expectCode(sessions.refresh(oldest.refreshToken), 'REFRESH_TOKEN_REVOKED');
  });

  it('refuses out-of-range settings', async () => {
    await expect(createSessionStack({ sessions: { graceSeconds: 601 } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    await expect(
      createSessionStack({ sessions: { idleTimeoutSeconds: 100, absoluteLifetimeSeconds: 50 } }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
