// The weak-secret rule and the store hook: a tutorial's fallback secret lets anyone sign, so it is
// accepted only with checkLegacyToken, which then decides; and the hook's answers (refuse, map the
// user, report the old refresh token's end) each change the outcome.
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { isTesseraError } from '../../src/errors/tessera-error.js';
import type { LegacyTokenContext } from '../../src/sessions/legacy-options.js';
import type { TestServer } from '../http/support/server-kit.js';
import { DAY_S, codeOf, exchange, legacyServer, legacyToken } from './legacy-support.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    await server.server.close();
    server.cleanup();
  }
});

async function start(...args: Parameters<typeof legacyServer>): Promise<TestServer> {
  const server = await legacyServer(...args);
  servers.push(server);
  return server;
}

function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

describe('a weak legacy secret', () => {
  it('is a configuration error without the store hook, with the reason', async () => {
    const error = await legacyServer({ secret: 'superSecret' }).catch((caught: unknown) => caught);
    expect(isTesseraError(error) && error.code).toBe('CONFIG_INVALID');
    expect(String((error as Error).message)).toMatch(/legacy secret is weak.*checkLegacyToken/);
    expect(String((error as Error).message)).not.toContain('superSecret');
  });

  it('is accepted with the hook, said loudly at start, and the hook decides: a forged token is refused', async () => {
    const { logger, lines } = capturingLogger();
    const seen: LegacyTokenContext[] = [];
    const test = await start(
      {
        secret: 'superSecret',
        // The old app's refresh-token table knows user-real's sign-in only.
        checkLegacyToken: (claims, context) => {
          seen.push(context);
          return claims.userId === 'user-real';
        },
      },
      { logger },
    );
    const warning = lines.find((line) => line.code === 'LEGACY_SECRET_WEAK');
    expect(warning?.level).toBe(40);
    expect(JSON.stringify(lines)).not.toContain('superSecret');
    // Anyone can sign with 'superSecret': the attacker names another user.
    const forged = legacyToken(test, { userId: 'user-admin' }, { secret: 'superSecret' });
    const refused = await exchange(test, forged);
    expect(refused.status).toBe(400);
    expect(await codeOf(refused)).toBe('LEGACY_TOKEN_REJECTED');
    const real = legacyToken(test, { userId: 'user-real' }, { secret: 'superSecret' });
    expect((await exchange(test, real)).status).toBe(200);
    expect(seen.at(-1)).toMatchObject({ legacyUserId: 'user-real', token: real });
    expect(seen.at(-1)?.signatureId).toMatch(/^sig:[\w-]{43}$/);
  });
});

describe('the store hook', () => {
  it('maps the legacy user id to a Tessera user id', async () => {
    const test = await start({
      checkLegacyToken: (claims) => ({ userId: `t-${String(claims.userId)}` }),
    });
    const response = await exchange(test, legacyToken(test, { userId: '7' }));
    expect(response.status).toBe(200);
    expect(await test.server.store.listSessions('t-7')).toHaveLength(1);
    expect(await test.server.store.listSessions('7')).toHaveLength(0);
  });

  it("caps the session by the old refresh token's remaining life and by the configured maximum", async () => {
    let refreshEndsInS = 3 * DAY_S;
    const test = await start({
      maxLifetime: '7d',
      checkLegacyToken: () => ({ refreshExpiresAt: test.now() + refreshEndsInS * 1000 }),
    });
    test.setClock(test.now());
    // A 15-minute access token whose refresh token had three days left: three days, not 15 minutes.
    await exchange(test, legacyToken(test, { userId: 'u-3d' }, { expiresInS: 900 }));
    const [threeDays] = await test.server.store.listSessions('u-3d');
    expect(threeDays?.absoluteExpiresAt).toBe(test.now() + 3 * DAY_S * 1000);
    // Sixty days left: the configured seven.
    refreshEndsInS = 60 * DAY_S;
    await exchange(test, legacyToken(test, { userId: 'u-60d' }, { expiresInS: 900 }));
    const [capped] = await test.server.store.listSessions('u-60d');
    expect(capped?.absoluteExpiresAt).toBe(test.now() + 7 * DAY_S * 1000);
    // Already over: refused as expired.
    refreshEndsInS = -1;
    const over = await exchange(test, legacyToken(test, { userId: 'u-over' }));
    expect(await codeOf(over)).toBe('LEGACY_TOKEN_EXPIRED');
  });

  it('is not asked about a token that fails the signature, and a refusal spends nothing', async () => {
    let calls = 0;
    let accept = false;
    const test = await start({
      checkLegacyToken: () => {
        calls += 1;
        return accept;
      },
    });
    const bad = legacyToken(test, {}, { secret: 'Zt6yP1qW8eR3uI0oA5sD7fG2hJ4kL9xCvBnM-other' });
    expect(await codeOf(await exchange(test, bad))).toBe('LEGACY_SIGNATURE_INVALID');
    expect(calls).toBe(0);
    const token = legacyToken(test, { userId: 'u-later' });
    expect(await codeOf(await exchange(test, token))).toBe('LEGACY_TOKEN_REJECTED');
    accept = true;
    expect((await exchange(test, token)).status).toBe(200);
    expect(calls).toBe(2);
  });
});
