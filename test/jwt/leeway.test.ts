// Time rules to the second on both sides of every boundary, on the injectable clock, and the
// verified-token cache, which must never skip a time, revocation or key-retirement check.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_LEEWAY_SECONDS,
  MAX_LEEWAY_SECONDS,
  TesseraError,
  createAccessTokenVerifier,
  generateKeyMaterial,
  type AccessTokenClaims,
  type KeyMaterial,
  type VerifierOptions,
} from '../../src/index.js';
import {
  AUDIENCE,
  ISSUER,
  NOW_S,
  claimsAt,
  createFixture,
  expectCode,
  expectRejection,
  forgeSigned,
  headerFor,
  type Fixture,
} from '../support/forge.js';

let ed: Fixture;

beforeAll(async () => {
  ed = await createFixture('EdDSA');
});

const T = NOW_S;
const token = (claims: Record<string, unknown>): string =>
  forgeSigned(ed.key, headerFor(ed.key), claimsAt(T, claims));
const verifierAt = (
  seconds: number,
  extra: Partial<VerifierOptions> = {},
): ReturnType<typeof createAccessTokenVerifier> =>
  createAccessTokenVerifier({
    keys: ed.keyring,
    issuer: ISSUER,
    audience: AUDIENCE,
    now: () => seconds * 1000,
    ...extra,
  });

describe.each([0, 60, 300])('leeway %i s', (leeway) => {
  const at = (seconds: number): ReturnType<typeof createAccessTokenVerifier> =>
    verifierAt(seconds, { leewaySeconds: leeway });

  it('accepts one second before exp + leeway, refuses at exp + leeway (TOKEN_EXPIRED)', () => {
    const t = token({ iat: T, exp: T + 900 });
    expect(at(T + 900 + leeway - 1).verify(t).sub).toBe('user-1');
    expect(at(T + 900 + leeway - 0.001).verify(t).sub).toBe('user-1');
    expectRejection(at(T + 900 + leeway), t, 'TOKEN_EXPIRED');
  });

  it('accepts at nbf - leeway, refuses one second earlier (TOKEN_NOT_YET_VALID)', () => {
    const t = token({ iat: T, nbf: T + 120, exp: T + 900 });
    expect(at(T + 120 - leeway).verify(t).sub).toBe('user-1');
    expectRejection(at(T + 120 - leeway - 1), t, 'TOKEN_NOT_YET_VALID');
  });

  it('accepts at iat - leeway, refuses one second earlier (TOKEN_ISSUED_IN_FUTURE)', () => {
    const t = token({ iat: T + 600, exp: T + 1500 });
    expect(at(T + 600 - leeway).verify(t).sub).toBe('user-1');
    const error = expectRejection(at(T + 600 - leeway - 1), t, 'TOKEN_ISSUED_IN_FUTURE');
    expect(error.facts.aheadSeconds).toBe(leeway + 1);
  });
});

describe('leeway setting', () => {
  it('defaults to 60 s', () => {
    expect(DEFAULT_LEEWAY_SECONDS).toBe(60);
    const t = token({ iat: T, exp: T + 900 });
    expect(verifierAt(T + 959).verify(t).sub).toBe('user-1');
    expectRejection(verifierAt(T + 960), t, 'TOKEN_EXPIRED');
  });

  it.each([0, 1, 300])('accepts %i s', (leewaySeconds) => {
    expect(() => verifierAt(T, { leewaySeconds })).not.toThrow();
  });

  it.each([301, 3600, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses %d s with CONFIG_INVALID',
    (leewaySeconds) => {
      expect(MAX_LEEWAY_SECONDS).toBe(300);
      expectCode(() => verifierAt(T, { leewaySeconds }), 'CONFIG_INVALID');
    },
  );
});

describe('lifetime', () => {
  it('accepts exactly the maximum lifetime and refuses one second more (TOKEN_LIFETIME_TOO_LONG)', () => {
    expect(verifierAt(T).verify(token({ iat: T, exp: T + 3600 })).sub).toBe('user-1');
    expectRejection(verifierAt(T), token({ iat: T, exp: T + 3601 }), 'TOKEN_LIFETIME_TOO_LONG');
  });

  it('applies a configured maximum', () => {
    const v = verifierAt(T, { maxLifetimeSeconds: 300 });
    expect(v.verify(token({ iat: T, exp: T + 300 })).sub).toBe('user-1');
    expectRejection(v, token({ iat: T, exp: T + 301 }), 'TOKEN_LIFETIME_TOO_LONG');
  });

  it('is not extended by leeway: a too-long token is refused even with the maximum leeway', () => {
    expectRejection(
      verifierAt(T, { leewaySeconds: 300 }),
      token({ iat: T, exp: T + 3601 }),
      'TOKEN_LIFETIME_TOO_LONG',
    );
  });

  it('requires exp (CLAIM_INVALID)', () => {
    expectRejection(verifierAt(T), token({ exp: undefined }), 'CLAIM_INVALID');
  });
});

describe('verified-token cache', () => {
  /** Keys whose key for a kid can be swapped, to tell a cache hit (no signature check) from a miss. */
  function swappableKeys(key: KeyMaterial): {
    keys: VerifierOptions['keys'];
    swap: (next: KeyMaterial) => void;
  } {
    let current = key;
    return {
      keys: { verificationKey: (kid) => (kid === key.kid ? current : undefined) },
      swap: (next) => (current = next),
    };
  }

  async function cachedVerifier(clock: { s: number }, extra: Partial<VerifierOptions> = {}) {
    const { keys, swap } = swappableKeys(ed.key);
    const verifier = createAccessTokenVerifier({
      keys,
      issuer: ISSUER,
      audience: AUDIENCE,
      now: () => clock.s * 1000,
      ...extra,
    });
    // Same kid and alg, another key pair: only a cached entry can still verify a token after the swap.
    const impostor = { ...(await generateKeyMaterial({ alg: 'EdDSA' })), kid: ed.key.kid };
    return { verifier, swapKey: () => swap(impostor) };
  }

  it('really serves repeat tokens from the cache (so the following tests test it)', async () => {
    const clock = { s: T };
    const t = token({});
    const { verifier, swapKey } = await cachedVerifier(clock);
    verifier.verify(t);
    swapKey();
    expect(verifier.verify(t).sub).toBe('user-1');
    const { verifier: uncached, swapKey: swapUncached } = await cachedVerifier(clock, {
      cacheSize: 0,
    });
    uncached.verify(t);
    swapUncached();
    expectRejection(uncached, t, 'SIGNATURE_INVALID');
  });

  it('still answers TOKEN_EXPIRED for a cached token once the clock passes exp + leeway', async () => {
    const clock = { s: T };
    const t = token({ iat: T, exp: T + 900 });
    const { verifier, swapKey } = await cachedVerifier(clock);
    verifier.verify(t);
    swapKey();
    clock.s = T + 959;
    expect(verifier.verify(t).sub).toBe('user-1');
    clock.s = T + 960;
    expectRejection(verifier, t, 'TOKEN_EXPIRED');
  });

  it('still answers TOKEN_REVOKED for a cached token once its session is revoked', async () => {
    const clock = { s: T };
    const revoked = new Set<string>();
    const revocations = {
      assertNotRevoked(claims: AccessTokenClaims): void {
        if (revoked.has(claims.sid))
          throw new TesseraError('TOKEN_REVOKED', 'The session was revoked.');
      },
    };
    const t = token({ sid: 'sess-9' });
    const { verifier, swapKey } = await cachedVerifier(clock, { revocations });
    verifier.verify(t);
    swapKey();
    expect(verifier.verify(t).sid).toBe('sess-9');
    revoked.add('sess-9');
    expectRejection(verifier, t, 'TOKEN_REVOKED');
  });

  it('never lets two different tokens share claims', () => {
    const verifier = verifierAt(T, { cacheSize: 4 });
    const tokens = Array.from({ length: 12 }, (_, i) => ({
      i,
      t: token({ sub: `user-${i}`, sid: `sess-${i}`, jti: `jti-${i}` }),
    }));
    for (let round = 0; round < 3; round++) {
      for (const { i, t } of round === 1 ? [...tokens].reverse() : tokens) {
        const claims = verifier.verify(t);
        expect([claims.sub, claims.sid, claims.jti]).toEqual([
          `user-${i}`,
          `sess-${i}`,
          `jti-${i}`,
        ]);
      }
    }
  });

  it('does not let a caller that edits the returned claims change what the next request sees', () => {
    const verifier = verifierAt(T);
    const t = token({ roles: ['user'], aud: [AUDIENCE, 'other'] });
    const first = verifier.verify(t);
    try {
      (first.roles as string[]).push('admin');
      (first.aud as string[]).push('billing');
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
    }
    const second = verifier.verify(t);
    expect(second.roles).toEqual(['user']);
    expect(second.aud).toEqual([AUDIENCE, 'other']);
  });
});
