import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isTesseraError } from '../../src/errors/tessera-error.js';
import { createRevocationView } from '../../src/sessions/revocation-view.js';
import { createSessionManager } from '../../src/sessions/session-manager.js';
import type { SessionManagerOptions } from '../../src/sessions/session-options.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { counted } from '../support/counted-store.js';
import { createClock } from '../support/session-stack.js';

// The refresh in one store round trip (rotateByToken) and the two-trip path (findRefreshToken, then
// rotate) must give the same answers; the manager takes the first only when nothing must see the
// session between the read and the swap.

const signAccessToken = () => ({ token: 'access', jti: 'j', iat: 0, exp: 0, expiresIn: 900 });
const tokenId = (token: string): string => token.slice(4).split('.')[0] as string;

async function stack(options: Partial<SessionManagerOptions> = {}) {
  const inner = createSqliteStore({ database: new Database(':memory:') });
  await inner.migrate();
  const { store, calls } = counted(inner);
  const clock = createClock();
  const sessions = createSessionManager({
    store,
    signAccessToken,
    now: clock,
    graceSeconds: 30,
    ...options,
  });
  return { inner, store, calls, clock, sessions };
}

async function outcome(work: Promise<{ grace: boolean }>): Promise<string> {
  try {
    return (await work).grace ? 'grace' : 'rotated';
  } catch (error) {
    if (isTesseraError(error)) return error.code;
    throw error;
  }
}

describe('one-trip rotation', () => {
  it('rotates with one store call when nothing must come between the read and the swap', async () => {
    const { calls, sessions, inner } = await stack();
    const login = await sessions.issueSession('user-1', { transport: 'body' });
    calls.length = 0;
    const next = await sessions.refresh(login.refreshToken, { transport: 'body' });
    expect(calls).toEqual(['rotateByToken']);
    expect(next.grace).toBe(false);
    expect((await inner.findRefreshToken(tokenId(next.refreshToken)))?.token.generation).toBe(1);
  });

  it('stays one store call under the store-held budget (rotationsPerMinute)', async () => {
    const { calls, sessions } = await stack({ rotationsPerMinute: 2 });
    let token = (await sessions.issueSession('user-1')).refreshToken;
    for (let i = 0; i < 2; i++) {
      calls.length = 0;
      token = (await sessions.refresh(token)).refreshToken;
      expect(calls).toEqual(['rotateByToken']);
    }
    calls.length = 0;
    expect(await outcome(sessions.refresh(token))).toBe('RATE_LIMITED');
    // Refused in the swap: the row it handed back is decided, checked, and re-read before the 429.
    expect(calls).toEqual(['rotateByToken', 'findSession']);
  });

  it('reads, then swaps, under a rotation limit, a claims hook, or a view holding a user cut', async () => {
    const limit = {
      check: async () => ({ allowed: true, retryAfterSeconds: 0 }),
      charge: async () => {},
    };
    for (const options of [
      { rotationLimit: limit },
      { claims: () => ({ roles: ['reader'] }) },
    ] satisfies Partial<SessionManagerOptions>[]) {
      const { calls, sessions } = await stack(options);
      const login = await sessions.issueSession('user-1');
      calls.length = 0;
      await sessions.refresh(login.refreshToken);
      expect(calls).toEqual(['findRefreshToken', 'rotate']);
    }
    const { inner, clock } = await stack();
    const view = createRevocationView({ store: inner, horizonSeconds: 960, now: clock });
    const watched = counted(inner);
    const viewed = createSessionManager({
      store: watched.store,
      signAccessToken,
      now: clock,
      revocations: view,
    });
    const login = await viewed.issueSession('user-1');
    watched.calls.length = 0;
    await viewed.refresh(login.refreshToken);
    expect(watched.calls).toEqual(['rotateByToken']); // an empty view cuts nothing
    // A logout's record leaves the path open: the logged-out row says revoked, and the swap refuses it.
    const other = await viewed.issueSession('user-2');
    await viewed.revokeSession(other.sessionId, { reason: 'logout' });
    await view.sync();
    expect(view.holdsUserCuts()).toBe(false);
    const live = await viewed.issueSession('user-1');
    watched.calls.length = 0;
    expect(await outcome(viewed.refresh(live.refreshToken))).toBe('rotated');
    expect(watched.calls).toEqual(['rotateByToken']);
    watched.calls.length = 0;
    expect(await outcome(viewed.refresh(other.refreshToken))).toBe('REFRESH_TOKEN_REVOKED');
    expect(watched.calls).toEqual(['rotateByToken']);
    // A user cut closes it: a login racing the cut can hold a live row the cut must still refuse.
    await viewed.revokeUserSessions('user-3', { reason: 'password-change' });
    await view.sync();
    expect(view.holdsUserCuts()).toBe(true);
    const next = await viewed.issueSession('user-1');
    watched.calls.length = 0;
    expect(await outcome(viewed.refresh(next.refreshToken))).toBe('rotated');
    expect(watched.calls).toEqual(['findRefreshToken', 'rotate']);
  });

  it('gives the same answers as the two-trip path: rotate, grace, reuse, transport, expiry, revoked', async () => {
    const limit = {
      check: async () => ({ allowed: true, retryAfterSeconds: 0 }),
      charge: async () => {},
    };
    const trace = async (options: Partial<SessionManagerOptions>): Promise<string[]> => {
      const { sessions, clock } = await stack({ idleTimeoutSeconds: 3600, ...options });
      const seen: string[] = [];
      const login = await sessions.issueSession('user-1', { transport: 'cookie' });
      seen.push(await outcome(sessions.refresh(login.refreshToken, { transport: 'body' })));
      const first = await sessions.refresh(login.refreshToken, { transport: 'cookie' });
      seen.push(first.grace ? 'grace' : 'rotated');
      clock.advance(10_000);
      const retry = await sessions.refresh(login.refreshToken, { transport: 'cookie' });
      seen.push(
        retry.grace ? 'grace' : 'rotated',
        String(retry.refreshToken === first.refreshToken),
      );
      const second = await sessions.refresh(first.refreshToken);
      seen.push(second.grace ? 'grace' : 'rotated');
      clock.advance(3_600_000);
      seen.push(await outcome(sessions.refresh(second.refreshToken)));
      const again = await sessions.issueSession('user-1');
      const rotated = await sessions.refresh(again.refreshToken);
      clock.advance(60_000);
      seen.push(await outcome(sessions.refresh(again.refreshToken)));
      seen.push(await outcome(sessions.refresh(rotated.refreshToken)));
      return seen;
    };
    const oneTrip = await trace({});
    expect(oneTrip).toEqual([
      'TRANSPORT_MISMATCH',
      'rotated',
      'grace',
      'true',
      'rotated',
      'REFRESH_TOKEN_EXPIRED',
      'REFRESH_TOKEN_REUSED',
      'REFRESH_TOKEN_REVOKED',
    ]);
    expect(await trace({ rotationLimit: limit })).toEqual(oneTrip);
    expect(await trace({ rotationsPerMinute: 100 })).toEqual(oneTrip);
  });

  it('answers a retry inside the grace window with a successor sealed before the upgrade (v1 seal)', async () => {
    const { sessions, inner, clock } = await stack();
    const login = await sessions.issueSession('user-1');
    const [, previousSecret] = login.refreshToken.slice(4).split('.') as [string, string];
    const successorSecret = randomBytes(32).toString('base64url');
    const successorId = randomBytes(16).toString('base64url');
    const successor = `tsr_${successorId}.${successorSecret}`;
    // The seal as the previous release wrote it: HKDF under the v1 label, bound to session and generation.
    const key = Buffer.from(
      hkdfSync(
        'sha256',
        Buffer.from(previousSecret, 'base64url'),
        'tessera-grace-v1',
        `successor|${login.sessionId}|0`,
        32,
      ),
    );
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    cipher.setAAD(Buffer.from(`${login.sessionId}|0`));
    const body = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()]);
    const sealed = Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
    const at = clock();
    expect(
      await inner.rotate({
        sessionId: login.sessionId,
        expectedGeneration: 0,
        token: { id: successorId, secretHash: 'unused', createdAt: at },
        rotatedAt: at,
        successorSealed: sealed,
        idleExpiresAt: at + 86_400_000,
        claims: '{}',
      }),
    ).toBe(true);
    clock.advance(5_000);
    const retry = await sessions.refresh(login.refreshToken);
    expect(retry).toMatchObject({ grace: true, refreshToken: successor });
  });
});
