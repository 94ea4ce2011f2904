// Staged rotation and the JWK Set, on an injected clock.
import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ALGORITHMS,
  Keyring,
  createAccessTokenSigner,
  createAccessTokenVerifier,
  generateKeyMaterial,
  type KeyMaterial,
} from '../../src/index.js';
import { AUDIENCE, ISSUER, NOW_MS, expectCode, expectRejection } from '../support/forge.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

interface Rotating {
  clock: { ms: number };
  keyring: Keyring;
  first: KeyMaterial;
}

async function rotatingKeyring(options: {
  prepublishSeconds: number;
  verifyOverlapSeconds: number;
}): Promise<Rotating> {
  const clock = { ms: NOW_MS };
  const first = await generateKeyMaterial({ alg: 'EdDSA' });
  const keyring = new Keyring({
    entries: [{ key: first, createdAt: NOW_MS, activatesAt: NOW_MS }],
    now: () => clock.ms,
    ...options,
  });
  return { clock, keyring, first };
}

describe('staged rotation', () => {
  it('publishes the new key first and lets it sign only after the pre-publication delay', async () => {
    const { clock, keyring, first } = await rotatingKeyring({
      prepublishSeconds: 600,
      verifyOverlapSeconds: 3900,
    });
    const { key: next } = await keyring.rotate({ alg: 'EdDSA' });
    expect(keyring.jwks().keys.map((k) => k.kid)).toEqual([first.kid, next.kid]);
    expect(keyring.verificationKey(next.kid)).toBe(next);
    expect(keyring.signingKey().kid).toBe(first.kid);
    clock.ms = NOW_MS + 600_000 - 1;
    expect(keyring.signingKey().kid).toBe(first.kid);
    clock.ms = NOW_MS + 600_000;
    expect(keyring.signingKey().kid).toBe(next.kid);
  });

  it('keeps the old key verifying for the overlap, then retires it from verification and the JWKS', async () => {
    const { clock, keyring, first } = await rotatingKeyring({
      prepublishSeconds: 600,
      verifyOverlapSeconds: 3900,
    });
    const { key: next } = await keyring.rotate({ alg: 'EdDSA' });
    const retiresAt = NOW_MS + 600_000 + 3_900_000;
    clock.ms = retiresAt - 1;
    expect(keyring.verificationKey(first.kid)).toBe(first);
    expect(keyring.jwks().keys.map((k) => k.kid)).toContain(first.kid);
    clock.ms = retiresAt;
    expect(keyring.verificationKey(first.kid)).toBeUndefined();
    expect(keyring.jwks().keys.map((k) => k.kid)).toEqual([next.kid]);
  });

  it('verifies a token signed by the old key during the overlap and refuses it (KEY_UNKNOWN) once the key retires, even from the cache', async () => {
    const { clock, keyring, first } = await rotatingKeyring({
      prepublishSeconds: 60,
      verifyOverlapSeconds: 300,
    });
    const sign = createAccessTokenSigner({
      keys: keyring,
      issuer: ISSUER,
      audience: AUDIENCE,
      now: () => clock.ms,
      ttlSeconds: 900,
    });
    const verifier = createAccessTokenVerifier({
      keys: keyring,
      issuer: ISSUER,
      audience: AUDIENCE,
      now: () => clock.ms,
    });
    await keyring.rotate({ alg: 'EdDSA' });
    clock.ms = NOW_MS + 59_000;
    const { token } = sign({ sub: 'user-1', sid: 'sess-1', clientId: 'web' });
    expect(token.split('.')[0]).toBe(
      Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'at+jwt', kid: first.kid })).toString(
        'base64url',
      ),
    );
    expect(verifier.verify(token).sub).toBe('user-1');
    clock.ms = NOW_MS + 60_000 + 300_000 - 1;
    expect(verifier.verify(token).sub).toBe('user-1');
    clock.ms = NOW_MS + 60_000 + 300_000;
    expectRejection(verifier, token, 'KEY_UNKNOWN');
  });

  it('refuses to sign when no key is active yet (KEY_INVALID)', async () => {
    const key = await generateKeyMaterial({ alg: 'EdDSA' });
    const keyring = new Keyring({
      entries: [{ key, createdAt: NOW_MS, activatesAt: NOW_MS + 1 }],
      now: () => NOW_MS,
    });
    expectCode(() => keyring.signingKey(), 'KEY_INVALID');
  });

  it('keeps the keys of a rotation made while another is pre-published', async () => {
    const { clock, keyring, first } = await rotatingKeyring({
      prepublishSeconds: 600,
      verifyOverlapSeconds: 3900,
    });
    const { key: second } = await keyring.rotate({ alg: 'EdDSA' });
    clock.ms = NOW_MS + 60_000;
    const { key: third } = await keyring.rotate({ alg: 'EdDSA' });
    expect(keyring.signingKey().kid).toBe(first.kid);
    clock.ms = NOW_MS + 660_000;
    expect(keyring.signingKey().kid).toBe(third.kid);
    expect(keyring.verificationKey(second.kid)).toBe(second);
  });

  it('prunes a key once it has been retired for a day, not a millisecond earlier', async () => {
    const { clock, keyring, first } = await rotatingKeyring({
      prepublishSeconds: 0,
      verifyOverlapSeconds: 60,
    });
    await keyring.rotate({ alg: 'EdDSA' });
    clock.ms = NOW_MS + 60_000 + 86_400_000 - 1;
    keyring.prune();
    expect(keyring.entries.map((e) => e.key.kid)).toContain(first.kid);
    clock.ms += 1;
    keyring.prune();
    expect(keyring.entries.map((e) => e.key.kid)).not.toContain(first.kid);
  });
});

describe('JWK Set', () => {
  it('never contains private members, for every algorithm, and leaves HS256 keys out', async () => {
    const keys = await Promise.all(ALGORITHMS.map((alg) => generateKeyMaterial({ alg })));
    const keyring = new Keyring({
      entries: keys.map((key) => ({ key, createdAt: 0, activatesAt: 0 })),
      now: () => NOW_MS,
    });
    const { keys: published } = keyring.jwks();
    expect(published.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'PS256', 'RS256']);
    for (const jwk of published) {
      for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
      expect(jwk.use).toBe('sig');
    }
    expect(JSON.stringify(keyring.jwks())).not.toMatch(/"(d|p|q|dp|dq|qi|k)":/);
  });

  it('never contains private members even when a hand-built key passes its private KeyObject as the public half', async () => {
    const generated = await generateKeyMaterial({ alg: 'RS256' });
    const sloppy: KeyMaterial = {
      ...generated,
      publicKey: createPrivateKey(generated.privateKey.export({ format: 'pem', type: 'pkcs8' })),
    };
    const keyring = new Keyring({
      entries: [{ key: sloppy, createdAt: 0, activatesAt: 0 }],
      now: () => NOW_MS,
    });
    const [jwk] = keyring.jwks().keys;
    expect(jwk).toBeDefined();
    for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
    expect(jwk?.n).toBe(generated.publicKey.export({ format: 'jwk' }).n);
  });

  it('names each key by its RFC 7638 thumbprint', async () => {
    const key = await generateKeyMaterial({ alg: 'EdDSA' });
    const keyring = new Keyring({
      entries: [{ key, createdAt: 0, activatesAt: 0 }],
      now: () => NOW_MS,
    });
    const { calculateJwkThumbprint } = await import('jose');
    const [jwk] = keyring.jwks().keys;
    expect(jwk?.kid).toBe(
      await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk?.x as string }),
    );
  });
});
