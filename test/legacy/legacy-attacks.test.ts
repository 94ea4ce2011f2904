// The rules an attacker meets when adopting a legacy session (issue 14 item 1), each with the forged
// token built here (jsonwebtoken 9, as the old app signed) and the exact refusal asserted, against a
// real Tessera server on SQLite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import type { TestServer } from '../http/support/server-kit.js';
import {
  adopt,
  codeOf,
  exchange,
  legacyServer,
  legacyToken,
  LEGACY_SECRET,
} from './legacy-support.js';

let test: TestServer;
beforeAll(async () => {
  test = await legacyServer();
});
afterAll(async () => {
  await test.server.close();
  test.cleanup();
});

async function refused(response: Response, code: string): Promise<void> {
  expect(response.status).toBe(400);
  const body = (await response.clone().json()) as Record<string, unknown>;
  expect(body).toMatchObject({ error: 'invalid_request', tessera_code: code });
}

describe('RFC 8693 token exchange at /oauth/token', () => {
  it('exchanges a good legacy token for an access token and a refresh token, with issued_token_type', async () => {
    const response = await exchange(test, legacyToken(test));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'Bearer',
    });
    expect(body.refresh_token).toMatch(/^tsr_/);
    expect(response.headers.get('set-cookie')).toBeNull();
    const me = await test.server.handler.fetch(
      new Request('https://auth.test/auth/me', {
        headers: { authorization: `Bearer ${String(body.access_token)}` },
      }),
    );
    expect(((await me.json()) as { user: { id: string } }).user.id).toBe('user-42');
  });

  it('refuses a token without exp', async () => {
    await refused(
      await exchange(test, legacyToken(test, {}, { expiresInS: null })),
      'LEGACY_TOKEN_NO_EXP',
    );
  });

  it('refuses an expired token', async () => {
    await refused(
      await exchange(test, legacyToken(test, {}, { expiresInS: -1 })),
      'LEGACY_TOKEN_EXPIRED',
    );
  });

  it('refuses a token signed with another key', async () => {
    const forged = legacyToken(test, {}, { secret: 'Zt6yP1qW8eR3uI0oA5sD7fG2hJ4kL9xCvBnM-other' });
    await refused(await exchange(test, forged), 'LEGACY_SIGNATURE_INVALID');
  });

  it('refuses alg none and an algorithm that was not configured', async () => {
    const none = jwt.sign({ userId: 'user-42', exp: Math.floor(test.now() / 1000) + 60 }, '', {
      algorithm: 'none',
    });
    await refused(await exchange(test, none), 'LEGACY_SIGNATURE_INVALID');
    const hs512 = legacyToken(test, {}, { algorithm: 'HS512' });
    await refused(await exchange(test, hs512), 'LEGACY_SIGNATURE_INVALID');
  });

  it('refuses a user-id claim of the wrong type, or none', async () => {
    await refused(
      await exchange(test, legacyToken(test, { userId: 42 })),
      'LEGACY_SUBJECT_INVALID',
    );
    await refused(
      await exchange(test, legacyToken(test, { userId: undefined, sub: 'user-42' })),
      'LEGACY_SUBJECT_INVALID',
    );
  });

  it('refuses a token that is not a JWS at all', async () => {
    await refused(await exchange(test, 'not.a-token'), 'LEGACY_TOKEN_MALFORMED');
    await refused(await exchange(test, 'x'.repeat(9000)), 'LEGACY_TOKEN_MALFORMED');
  });

  it('refuses another subject_token_type and an actor token', async () => {
    const token = legacyToken(test, { userId: 'user-types' });
    const wrongType = await exchange(test, token, {
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    });
    expect(wrongType.status).toBe(400);
    expect(await codeOf(wrongType)).toBe('REQUEST_INVALID');
    expect(await codeOf(await exchange(test, token, { actor_token: token }))).toBe(
      'REQUEST_INVALID',
    );
    // Neither refusal spent the token.
    expect((await exchange(test, token)).status).toBe(200);
  });
});

describe('once only', () => {
  async function sessionOf(accessToken: string): Promise<Response> {
    return test.server.handler.fetch(
      new Request('https://auth.test/auth/me', {
        headers: { authorization: `Bearer ${accessToken}` },
      }),
    );
  }

  it('treats a second presentation as theft: refused, and the adopted session is revoked and audited', async () => {
    const token = legacyToken(test, { userId: 'user-replay' });
    const first = (await (await exchange(test, token)).json()) as Record<string, string>;
    await refused(await exchange(test, token), 'LEGACY_TOKEN_REPLAYED');
    expect(
      ((await (await sessionOf(first.access_token as string)).json()) as { code: string }).code,
    ).toBe('TOKEN_REVOKED');
    const refresh = await test.server.handler.fetch(
      new Request('https://auth.test/oauth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=refresh_token&client_id=tessera&refresh_token=${first.refresh_token}`,
      }),
    );
    expect(refresh.status).toBe(400);
    const events = await test.server.store.listEvents({ userId: 'user-replay', limit: 10 });
    expect(events.map((event) => event.type).sort()).toEqual([
      'legacy.exchanged',
      'legacy.replay_detected',
    ]);
    const [session] = await test.server.store.listSessions('user-replay');
    expect(session?.revokedReason).toBe('legacy-replay');
  });

  it('keys on the signature bytes: padding and other trailing bits of the same signature are the same token', async () => {
    const token = legacyToken(test, { userId: 'user-respelled' });
    expect((await exchange(test, token)).status).toBe(200);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const padded = `${header}.${payload}.${signature}=`;
    await refused(await exchange(test, padded), 'LEGACY_TOKEN_REPLAYED');
    // 32 bytes end in 2 spare bits: flipping them spells the same bytes differently.
    const last = signature.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const flipped = alphabet[alphabet.indexOf(last) ^ 1] as string;
    const respelled = `${header}.${payload}.${signature.slice(0, -1)}${flipped}`;
    expect(Buffer.from(respelled.split('.')[2] as string, 'base64url')).toEqual(
      Buffer.from(signature, 'base64url'),
    );
    await refused(await exchange(test, respelled), 'LEGACY_TOKEN_REPLAYED');
  });

  it('keys on jti where there is one: a re-signed token with the same jti is the same token', async () => {
    const a = legacyToken(test, { userId: 'user-jti', jti: 'j-1' });
    const b = legacyToken(test, { userId: 'user-jti', jti: 'j-1', extra: 1 });
    expect(a).not.toBe(b);
    expect((await exchange(test, a)).status).toBe(200);
    await refused(await exchange(test, b), 'LEGACY_TOKEN_REPLAYED');
  });

  it('gives exactly one session to many exchanges of one token at once, and revokes it', async () => {
    const token = legacyToken(test, { userId: 'user-race' });
    const answers = await Promise.all(Array.from({ length: 6 }, () => exchange(test, token)));
    const codes = await Promise.all(answers.map(async (answer) => answer.status));
    expect(codes.filter((status) => status === 200)).toHaveLength(1);
    const sessions = await test.server.store.listSessions('user-race');
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.revokedReason).toBe('legacy-replay');
  });
});

describe('lifetime cap', () => {
  it('ends the adopted session when the legacy token would have ended', async () => {
    const response = await exchange(
      test,
      legacyToken(test, { userId: 'user-cap' }, { expiresInS: 600 }),
    );
    expect(response.status).toBe(200);
    const [session] = await test.server.store.listSessions('user-cap');
    const exp = Math.floor(test.now() / 1000) + 600;
    expect(session?.absoluteExpiresAt).toBeLessThanOrEqual(exp * 1000);
    expect(session?.absoluteExpiresAt).toBeGreaterThan(test.now());
    expect(session?.idleExpiresAt).toBeLessThanOrEqual(session?.absoluteExpiresAt ?? 0);
  });
});

describe('the migration window', () => {
  it('refuses every legacy token once the window has closed', async () => {
    const closed = await legacyServer({ windowEnds: new Date(Date.now()).toISOString() });
    try {
      await refused(await exchange(closed, legacyToken(closed)), 'LEGACY_WINDOW_CLOSED');
    } finally {
      await closed.server.close();
      closed.cleanup();
    }
  });
});

describe('POST /auth/adopt (browsers)', () => {
  it('sets the refresh cookie and never returns a refresh token', async () => {
    const response = await adopt(test, legacyToken(test, { userId: 'user-browser' }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.refresh_token).toBeUndefined();
    expect(body.access_token).toEqual(expect.any(String));
    expect(response.headers.get('set-cookie')).toMatch(/^__Secure-tessera_rt=tsr_.*HttpOnly/i);
  });

  it('has the CSRF checks: no Origin, a foreign Origin, or no CSRF header is refused and spends nothing', async () => {
    const token = legacyToken(test, { userId: 'user-csrf' });
    const attempts: Record<string, string>[] = [
      {},
      { origin: 'https://evil.test', 'tessera-csrf': '1' },
      { origin: 'https://app.test' },
    ];
    for (const headers of attempts) {
      const response = await adopt(test, token, headers);
      expect(response.status).toBe(403);
      expect(await codeOf(response)).toBe('CSRF_FAILED');
    }
    expect((await adopt(test, token)).status).toBe(200);
  });

  it('refuses the body transport: a script never gets a refresh token', async () => {
    const response = await adopt(test, legacyToken(test), {
      origin: 'https://app.test',
      'tessera-csrf': '1',
      'token-transport': 'body',
    });
    expect(response.status).toBe(400);
    expect(await codeOf(response)).toBe('REQUEST_INVALID');
  });

  it('answers a replay with the problem code', async () => {
    const token = legacyToken(test, { userId: 'user-browser-replay' });
    expect((await adopt(test, token)).status).toBe(200);
    const again = await adopt(test, token);
    expect(again.status).toBe(400);
    expect(await codeOf(again)).toBe('LEGACY_TOKEN_REPLAYED');
  });
});

it('keeps the legacy secret out of every answer', async () => {
  const answers = [
    await exchange(
      test,
      legacyToken(test, {}, { secret: 'wrong-but-long-enough-secret-0123456789' }),
    ),
    await exchange(test, legacyToken(test, {}, { expiresInS: null })),
  ];
  for (const answer of answers) expect(await answer.text()).not.toContain(LEGACY_SECRET);
});
