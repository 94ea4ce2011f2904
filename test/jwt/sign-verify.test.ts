import { describe, expect, it } from 'vitest';
import { importJWK, jwtVerify } from 'jose';
import {
  ALGORITHMS,
  Keyring,
  createAccessTokenSigner,
  createAccessTokenVerifier,
  exportPublicJwk,
  generateKeyMaterial,
  isTesseraError,
  type Algorithm,
} from '../../src/index.js';

const ISSUER = 'https://auth.test';
const AUDIENCE = 'api';

async function setup(alg: Algorithm, nowMs = 1_767_268_800_000) {
  const key = await generateKeyMaterial({ alg });
  const keyring = new Keyring({
    entries: [{ key, createdAt: 0, activatesAt: 0 }],
    now: () => nowMs,
  });
  const sign = createAccessTokenSigner({
    keys: keyring,
    issuer: ISSUER,
    audience: AUDIENCE,
    now: () => nowMs,
  });
  const verifier = createAccessTokenVerifier({
    keys: keyring,
    issuer: ISSUER,
    audience: AUDIENCE,
    now: () => nowMs,
  });
  return { key, keyring, sign, verifier };
}

describe('sign and verify', () => {
  for (const alg of ALGORITHMS) {
    it(`round-trips ${alg} and jose accepts what Tessera signs`, async () => {
      const { key, sign, verifier } = await setup(alg, Date.now());
      const { token } = sign({
        sub: 'user-1',
        sid: 'sess-1',
        clientId: 'tessera',
        scope: 'read write',
        claims: { roles: ['admin'] },
      });
      const claims = verifier.verify(token);
      expect(claims).toMatchObject({
        iss: ISSUER,
        aud: AUDIENCE,
        sub: 'user-1',
        sid: 'sess-1',
        client_id: 'tessera',
        scope: 'read write',
        roles: ['admin'],
      });
      const joseKey = alg === 'HS256' ? key.publicKey : await importJWK(exportPublicJwk(key)!, alg);
      const { protectedHeader } = await jwtVerify(token, joseKey, {
        issuer: ISSUER,
        audience: AUDIENCE,
        typ: 'at+jwt',
      });
      expect(protectedHeader).toEqual({ alg, typ: 'at+jwt', kid: key.kid });
    });
  }

  it('refuses personal data and claims outside the allow-list when signing', async () => {
    const { sign } = await setup('EdDSA');
    expect(() =>
      sign({ sub: 'u', sid: 's', clientId: 'c', claims: { roles: ['x'], password: 'hunter2' } }),
    ).toThrow(expect.objectContaining({ code: 'PAYLOAD_SENSITIVE' }));
    expect(() => sign({ sub: '4111 1111 1111 1111', sid: 's', clientId: 'c' })).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_SENSITIVE' }),
    );
    expect(() => sign({ sub: 'u', sid: 's', clientId: 'c', claims: { email: 'a@b.c' } })).toThrow(
      expect.objectContaining({ code: 'CLAIM_NOT_ALLOWED' }),
    );
  });

  it('says how long ago a token expired, with the numbers', async () => {
    const issuedAt = 1_767_268_805_000; // 2026-01-01T12:00:05Z
    const { keyring } = await setup('EdDSA', issuedAt);
    const sign = createAccessTokenSigner({
      keys: keyring,
      issuer: ISSUER,
      audience: AUDIENCE,
      now: () => issuedAt - 900_000,
    });
    const { token } = sign({ sub: 'u', sid: 's', clientId: 'c' });
    const later = createAccessTokenVerifier({
      keys: keyring,
      issuer: ISSUER,
      audience: AUDIENCE,
      now: () => issuedAt + 95_000,
    });
    try {
      later.verify(token);
      expect.unreachable();
    } catch (error) {
      expect(isTesseraError(error, 'TOKEN_EXPIRED')).toBe(true);
      expect((error as Error).message).toBe(
        'The token expired 1 min 35 s ago: exp 2026-01-01T12:00:05Z, server time 2026-01-01T12:01:40Z, leeway 60 s. The client should refresh it and retry.',
      );
    }
  });
});
