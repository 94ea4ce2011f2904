// The verified-token cache (jwt/token-verifier.ts): bounded, oldest insert out first, and a hit skips
// only the crypto. Counted at the backend's signature check, so a hit and a miss are told apart exactly.
import { describe, expect, it } from 'vitest';
import {
  Keyring,
  createAccessTokenSigner,
  generateKeyMaterial,
  isTesseraError,
} from '../../src/index.js';
import { createTokenVerifier } from '../../src/jwt/token-verifier.js';
import { nodeCryptoBackend } from '../../src/keys/node-crypto-backend.js';

const ISSUER = 'https://auth.test';
const AUDIENCE = 'api';

async function setup(cacheSize?: number) {
  const key = await generateKeyMaterial({ alg: 'EdDSA' });
  const keys = new Keyring({ entries: [{ key, createdAt: 0, activatesAt: 0 }] });
  const sign = createAccessTokenSigner({ keys, issuer: ISSUER, audience: AUDIENCE });
  const checks: string[] = [];
  const backend = {
    ...nodeCryptoBackend,
    verify: (...args: Parameters<typeof nodeCryptoBackend.verify>) => {
      checks.push(args[2]);
      return nodeCryptoBackend.verify(...args);
    },
  };
  const verifier = createTokenVerifier(
    { keys, issuer: ISSUER, audience: AUDIENCE, ...(cacheSize === undefined ? {} : { cacheSize }) },
    backend,
  );
  const token = (i: number): string =>
    sign({ sub: `user-${i}`, sid: `sess-${i}`, clientId: 'web' }).token;
  /** How many signature checks verifying `t` took: 0 is a cache hit. */
  const checked = (t: string): number => {
    const before = checks.length;
    // The claims handed back are always the token's own, hit or miss.
    expect(verifier.verify(t).sub).toBe(subOf(t));
    return checks.length - before;
  };
  return { token, checked };
}

const subOf = (t: string): string =>
  (JSON.parse(Buffer.from(t.split('.')[1] as string, 'base64url').toString()) as { sub: string })
    .sub;

describe('verified-token cache', () => {
  it('drops the oldest insert first when full, and a hit does not refresh an entry', async () => {
    const { token, checked } = await setup(3);
    const [a, b, c, d] = [0, 1, 2, 3].map(token) as [string, string, string, string];
    expect([a, b, c].map(checked)).toEqual([1, 1, 1]);
    expect(checked(a)).toBe(0);
    expect(checked(d)).toBe(1); // evicts a, the oldest insert, though a was just read
    expect(checked(a)).toBe(1); // a again: evicts b
    expect([c, d, a].map(checked)).toEqual([0, 0, 0]);
    expect(checked(b)).toBe(1);
  });

  it('misses on every token when more users cycle through it than it holds', async () => {
    const { token, checked } = await setup(8);
    const tokens = Array.from({ length: 9 }, (_, i) => token(i));
    const counts = [0, 1, 2].flatMap(() => tokens.map(checked));
    expect(counts).toEqual(counts.map(() => 1));
  });

  it('holds every token of a pool that fits, from the second pass on', async () => {
    const { token, checked } = await setup(8);
    const tokens = Array.from({ length: 8 }, (_, i) => token(i));
    expect(tokens.map(checked)).toEqual(tokens.map(() => 1));
    expect([...tokens, ...tokens].map(checked)).toEqual([...tokens, ...tokens].map(() => 0));
  });

  it('checks every token with cacheSize 0', async () => {
    const { token, checked } = await setup(0);
    const t = token(1);
    expect([t, t, t].map(checked)).toEqual([1, 1, 1]);
  });

  it('refuses a cacheSize that is not a whole number of tokens with CONFIG_INVALID', async () => {
    for (const cacheSize of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      let code: string | undefined;
      try {
        await setup(cacheSize);
      } catch (error) {
        code = isTesseraError(error) ? error.code : String(error);
      }
      expect(code, String(cacheSize)).toBe('CONFIG_INVALID');
    }
  });
});
