// Algorithm attacks: alg none, empty and truncated signatures, HMAC keyed with a public key, algorithm
// substitution, and ECDSA signatures outside their one canonical form.
import {
  createPublicKey,
  generateKeyPairSync,
  sign as cryptoSign,
  verify as cryptoVerify,
} from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportPublicJwk, type KeyMaterial } from '../../src/index.js';
import {
  NOW_S,
  P256_N,
  b64u,
  claimsAt,
  createFixture,
  forge,
  forgeSigned,
  headerFor,
  p1363,
  rawSign,
  segment,
  splitRS,
  type Fixture,
  BACKENDS,
  expectRefusal,
  type BackendName,
} from '../support/forge.js';

// The whole corpus runs on both crypto backends: node:crypto and Web Crypto must refuse alike.
describe.each(BACKENDS)('%s backend', (backend) => {
  let ed: Fixture<BackendName>;
  let es: Fixture<BackendName>;
  let rs: Fixture<BackendName>;
  let hs: Fixture<BackendName>;

  beforeAll(async () => {
    [ed, es, rs, hs] = await Promise.all([
      createFixture('EdDSA', { backend }),
      createFixture('ES256', { backend }),
      createFixture('RS256', { backend }),
      createFixture('HS256', { backend }),
    ]);
  });

  describe('alg none', () => {
    it.each(['none', 'None', 'NONE', 'nOnE'])(
      'refuses alg %j with an empty signature',
      async (alg) => {
        const token = `${segment(headerFor(ed.key, { alg }))}.${segment(claimsAt(NOW_S))}.`;
        await expectRefusal(ed.verifier, token, 'ALGORITHM_NOT_ALLOWED');
      },
    );

    it('refuses alg none even when a real signature of the same input is attached', async () => {
      const token = forge(
        segment(headerFor(ed.key, { alg: 'none' })),
        segment(claimsAt(NOW_S)),
        (input) => rawSign('EdDSA', ed.key.privateKey, input),
      );
      await expectRefusal(ed.verifier, token, 'ALGORITHM_NOT_ALLOWED');
    });

    it('refuses a header without alg', async () => {
      const token = forge(
        segment({ typ: 'at+jwt', kid: ed.key.kid }),
        segment(claimsAt(NOW_S)),
        (input) => rawSign('EdDSA', ed.key.privateKey, input),
      );
      await expectRefusal(ed.verifier, token, 'ALGORITHM_NOT_ALLOWED');
    });

    it('refuses an alg that is not a string', async () => {
      const token = forge(
        segment(headerFor(ed.key, { alg: ['EdDSA'] })),
        segment(claimsAt(NOW_S)),
        (input) => rawSign('EdDSA', ed.key.privateKey, input),
      );
      await expectRefusal(ed.verifier, token, 'ALGORITHM_NOT_ALLOWED');
    });

    it('refuses a lower-case spelling of the right algorithm (exact match only)', async () => {
      const token = forgeSigned(ed.key, headerFor(ed.key, { alg: 'eddsa' }), claimsAt(NOW_S));
      await expectRefusal(ed.verifier, token, 'ALGORITHM_NOT_ALLOWED');
    });
  });

  describe('empty, truncated and padded signatures', () => {
    it('refuses an EdDSA token with an empty signature', async () => {
      const token = `${segment(headerFor(ed.key))}.${segment(claimsAt(NOW_S))}.`;
      await expectRefusal(ed.verifier, token, 'SIGNATURE_INVALID');
    });

    it('refuses an HS256 token with an empty signature', async () => {
      const token = `${segment(headerFor(hs.key))}.${segment(claimsAt(NOW_S))}.`;
      await expectRefusal(hs.verifier, token, 'SIGNATURE_INVALID');
    });

    it('refuses an HS256 MAC truncated to 16 bytes', async () => {
      const token = forge(segment(headerFor(hs.key)), segment(claimsAt(NOW_S)), (input) =>
        rawSign('HS256', hs.key.privateKey, input).subarray(0, 16),
      );
      await expectRefusal(hs.verifier, token, 'SIGNATURE_INVALID');
    });

    it('refuses an HS256 MAC with one byte appended', async () => {
      const token = forge(segment(headerFor(hs.key)), segment(claimsAt(NOW_S)), (input) =>
        Buffer.concat([rawSign('HS256', hs.key.privateKey, input), Buffer.of(0)]),
      );
      await expectRefusal(hs.verifier, token, 'SIGNATURE_INVALID');
    });

    it('refuses an EdDSA signature with one byte appended', async () => {
      const token = forge(segment(headerFor(ed.key)), segment(claimsAt(NOW_S)), (input) =>
        Buffer.concat([rawSign('EdDSA', ed.key.privateKey, input), Buffer.of(0)]),
      );
      await expectRefusal(ed.verifier, token, 'SIGNATURE_INVALID');
    });

    it('refuses an HS256 token MACed with an attacker secret under the real kid', async () => {
      const token = forge(segment(headerFor(hs.key)), segment(claimsAt(NOW_S)), (input) =>
        rawSign('HS256', Buffer.alloc(32, 7), input),
      );
      await expectRefusal(hs.verifier, token, 'SIGNATURE_INVALID');
    });

    it('refuses a token whose payload was swapped after signing', async () => {
      const header = segment(headerFor(ed.key));
      const signature = b64u(
        rawSign('EdDSA', ed.key.privateKey, `${header}.${segment(claimsAt(NOW_S))}`),
      );
      const token = `${header}.${segment(claimsAt(NOW_S, { sub: 'admin' }))}.${signature}`;
      await expectRefusal(ed.verifier, token, 'SIGNATURE_INVALID');
    });
  });

  // The verifier must pick HMAC only for HMAC keys. Each encoding of the public key is one an attacker can
  // download from a JWKS or a certificate, so an HS256 token MACed with it must fail on the algorithm.
  function publicEncodings(key: KeyMaterial): Record<string, Buffer> {
    const pem = key.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const encodings: Record<string, Buffer> = {
      'SPKI PEM with trailing newline': Buffer.from(pem),
      'SPKI PEM without trailing newline': Buffer.from(pem.trimEnd()),
      'SPKI DER bytes': key.publicKey.export({ format: 'der', type: 'spki' }),
      'JWK JSON text': Buffer.from(JSON.stringify(exportPublicJwk(key))),
      'JWK JSON text without kid/alg/use': Buffer.from(
        JSON.stringify(key.publicKey.export({ format: 'jwk' })),
      ),
    };
    if (key.alg === 'RS256') {
      encodings['PKCS#1 PEM'] = Buffer.from(
        key.publicKey.export({ format: 'pem', type: 'pkcs1' }).toString(),
      );
      encodings['PKCS#1 DER bytes'] = key.publicKey.export({ format: 'der', type: 'pkcs1' });
    }
    return encodings;
  }

  describe('HS256 keyed with a public key (algorithm confusion)', () => {
    for (const alg of ['RS256', 'EdDSA', 'ES256'] as const) {
      for (const name of [
        'SPKI PEM with trailing newline',
        'SPKI PEM without trailing newline',
        'SPKI DER bytes',
        'JWK JSON text',
        'JWK JSON text without kid/alg/use',
        'PKCS#1 PEM',
        'PKCS#1 DER bytes',
      ]) {
        if (alg !== 'RS256' && name.startsWith('PKCS#1')) continue;
        it(`refuses HS256 MACed with the ${alg} key's ${name} under its kid`, async () => {
          const fixture = { RS256: rs, EdDSA: ed, ES256: es }[alg];
          const secret = publicEncodings(fixture.key)[name] as Buffer;
          const token = forge(
            segment(headerFor(fixture.key, { alg: 'HS256' })),
            segment(claimsAt(NOW_S)),
            (input) => rawSign('HS256', secret, input),
          );
          await expectRefusal(fixture.verifier, token, 'ALGORITHM_NOT_ALLOWED');
        });
      }
    }

    it('refuses PS256 signed correctly by the RS256 key (the key fixes the padding too)', async () => {
      const token = forge(
        segment(headerFor(rs.key, { alg: 'PS256' })),
        segment(claimsAt(NOW_S)),
        (input) => rawSign('PS256', rs.key.privateKey, input),
      );
      await expectRefusal(rs.verifier, token, 'ALGORITHM_NOT_ALLOWED');
    });

    it('refuses an ES256 token signed by an attacker key under the EdDSA kid', async () => {
      const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const token = forge(
        segment(headerFor(ed.key, { alg: 'ES256' })),
        segment(claimsAt(NOW_S)),
        (input) => rawSign('ES256', attacker, input),
      );
      await expectRefusal(ed.verifier, token, 'ALGORITHM_NOT_ALLOWED');
    });
  });

  describe('ECDSA signatures outside the canonical form', () => {
    const signed = (): { header: string; payload: string; r: bigint; s: bigint; input: string } => {
      const { token } = es.sign({ sub: 'user-1', sid: 'sess-1', clientId: 'web' });
      const [header, payload, signature] = token.split('.') as [string, string, string];
      return {
        header,
        payload,
        input: `${header}.${payload}`,
        ...splitRS(Buffer.from(signature, 'base64url')),
      };
    };

    it('accepts the untouched token (control)', async () => {
      const { header, payload, r, s } = signed();
      expect((await es.verifier.verify(`${header}.${payload}.${b64u(p1363(r, s))}`)).sub).toBe(
        'user-1',
      );
    });

    it('refuses the high-S twin n - s, which node:crypto alone accepts', async () => {
      const { input, r, s } = signed();
      expect(s <= P256_N / 2n).toBe(true);
      const highS = p1363(r, P256_N - s);
      const publicKey = createPublicKey(es.key.privateKey);
      expect(
        cryptoVerify(
          'sha256',
          Buffer.from(input),
          { key: publicKey, dsaEncoding: 'ieee-p1363' },
          highS,
        ),
      ).toBe(true);
      await expectRefusal(es.verifier, `${input}.${b64u(highS)}`, 'SIGNATURE_INVALID');
    });

    it('refuses r = 0', async () => {
      const { input, s } = signed();
      await expectRefusal(es.verifier, `${input}.${b64u(p1363(0n, s))}`, 'SIGNATURE_INVALID');
    });

    it('refuses s = 0', async () => {
      const { input, r } = signed();
      await expectRefusal(es.verifier, `${input}.${b64u(p1363(r, 0n))}`, 'SIGNATURE_INVALID');
    });

    it('refuses r = s = 0 (the "psychic signature")', async () => {
      const { input } = signed();
      await expectRefusal(es.verifier, `${input}.${b64u(Buffer.alloc(64))}`, 'SIGNATURE_INVALID');
    });

    it('refuses r = n', async () => {
      const { input, s } = signed();
      await expectRefusal(es.verifier, `${input}.${b64u(p1363(P256_N, s))}`, 'SIGNATURE_INVALID');
    });

    it('refuses r + n when it still fits in 32 bytes', async () => {
      const { input, r, s } = signed();
      // r + n overflows 256 bits for most r; pick r small enough by taking r mod (2^256 - n).
      const small = r % (2n ** 256n - P256_N);
      await expectRefusal(
        es.verifier,
        `${input}.${b64u(p1363(small + P256_N, s))}`,
        'SIGNATURE_INVALID',
      );
    });

    it('refuses s = n', async () => {
      const { input, r } = signed();
      await expectRefusal(es.verifier, `${input}.${b64u(p1363(r, P256_N))}`, 'SIGNATURE_INVALID');
    });

    it('refuses r and s all ones (out of range)', async () => {
      const { input } = signed();
      await expectRefusal(
        es.verifier,
        `${input}.${b64u(Buffer.alloc(64, 0xff))}`,
        'SIGNATURE_INVALID',
      );
    });

    it('refuses a DER-encoded signature of the right input', async () => {
      const { input } = signed();
      // Default node:crypto ECDSA output is DER; a JWS carries the 64-byte P1363 form.
      const der = cryptoSign('sha256', Buffer.from(input), es.key.privateKey);
      await expectRefusal(es.verifier, `${input}.${b64u(der)}`, 'SIGNATURE_INVALID');
    });

    it('refuses a signature made by node:crypto with high S over a forged-by-the-key payload', async () => {
      // OpenSSL returns either S; keep signing until it returns a high one, then present it unnormalised.
      const header = segment(headerFor(es.key));
      for (let i = 0; i < 64; i++) {
        const payload = segment(claimsAt(NOW_S, { jti: `j${i}` }));
        const signature = rawSign('ES256', es.key.privateKey, `${header}.${payload}`);
        if (splitRS(signature).s > P256_N / 2n) {
          await expectRefusal(
            es.verifier,
            `${header}.${payload}.${b64u(signature)}`,
            'SIGNATURE_INVALID',
          );
          return;
        }
      }
      expect.unreachable('64 signatures in a row had low S');
    });
  });
});
