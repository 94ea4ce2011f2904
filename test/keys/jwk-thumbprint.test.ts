import { createSecretKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { jwkThumbprint } from '../../src/keys/jwk-thumbprint.js';

const keys: Record<string, () => KeyObject> = {
  ed25519: () => generateKeyPairSync('ed25519').publicKey,
  'P-256': () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey,
  'RSA-2048': () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey,
  oct: () => createSecretKey(randomBytes(32)),
};

describe('jwkThumbprint (RFC 7638)', () => {
  for (const [name, make] of Object.entries(keys)) {
    it(`agrees with jose for ${name} keys`, async () => {
      for (let i = 0; i < 5; i++) {
        const jwk = make().export({ format: 'jwk' });
        expect(jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk as JWK));
      }
    });
  }

  it('matches the RFC 7638 §3.1 example', () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    expect(jwkThumbprint({ kty: 'RSA', n, e: 'AQAB', alg: 'RS256', kid: '2011-04-29' })).toBe(
      'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    );
  });

  it('ignores members outside the required set and refuses an incomplete or unknown key', () => {
    const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    expect(jwkThumbprint({ ...jwk, kid: 'x', use: 'sig' })).toBe(jwkThumbprint(jwk));
    expect(() => jwkThumbprint({ kty: 'OKP', crv: 'Ed25519' })).toThrow(/member x is missing/);
    expect(() => jwkThumbprint({ kty: 'XYZ' })).toThrow(/no RFC 7638 thumbprint/);
  });
});
