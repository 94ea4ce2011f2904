// Header attacks: kid abuse, key-fetching and key-embedding parameters, crit and b64, JWE and nested
// tokens, and tokens of another type. Every token is signed with the real key so that only the header
// rule can be what refuses it.
import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  NOW_S,
  b64u,
  claimsAt,
  createFixture,
  forge,
  forgeSigned,
  headerFor,
  rawSign,
  segment,
  type Fixture,
  BACKENDS,
  expectRefusal,
  type BackendName,
} from '../support/forge.js';

// The whole corpus runs on both crypto backends: node:crypto and Web Crypto must refuse alike.
describe.each(BACKENDS)('%s backend', (backend) => {
  let ed: Fixture<BackendName>;

  beforeAll(async () => {
    ed = await createFixture('EdDSA', { backend });
  });

  const signedWith = (header: unknown, claims: unknown = claimsAt(NOW_S)): string =>
    forgeSigned(ed.key, header, claims);

  describe('kid', () => {
    it('refuses an unknown kid: there is no fallback key', async () => {
      await expectRefusal(
        ed.verifier,
        signedWith(headerFor(ed.key, { kid: 'someone-else' })),
        'KEY_UNKNOWN',
      );
    });

    it('refuses a missing kid', async () => {
      await expectRefusal(ed.verifier, signedWith({ alg: 'EdDSA', typ: 'at+jwt' }), 'KEY_UNKNOWN');
    });

    it('refuses an empty kid', async () => {
      await expectRefusal(ed.verifier, signedWith(headerFor(ed.key, { kid: '' })), 'KEY_UNKNOWN');
    });

    it.each([
      ['a number', 1],
      ['null', null],
      ['an array holding the real kid', 'ARRAY'],
      ['an object', { kid: 'x' }],
      ['true', true],
    ])('refuses a kid that is %s', async (_name, value) => {
      const kid = value === 'ARRAY' ? [ed.key.kid] : value;
      await expectRefusal(ed.verifier, signedWith(headerFor(ed.key, { kid })), 'KEY_UNKNOWN');
    });

    it.each([
      ['path traversal', '../../../../dev/null'],
      ['SQL injection', "x' UNION SELECT 'secret"],
      ['a newline', 'kid\nINFO forged log line'],
      ['non-ASCII', 'k\u00efd-\u{1F511}'],
      ['a URL', 'https://evil.test/key'],
      ['129 characters', 'k'.repeat(129)],
      ['a NUL byte', 'kid\u0000'],
    ])('refuses a kid with %s', async (_name, kid) => {
      await expectRefusal(ed.verifier, signedWith(headerFor(ed.key, { kid })), 'KEY_UNKNOWN');
    });

    it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
      'refuses the prototype-flavoured kid %j',
      async (kid) => {
        await expectRefusal(ed.verifier, signedWith(headerFor(ed.key, { kid })), 'KEY_UNKNOWN');
      },
    );

    it('refuses the real kid with a trailing space', async () => {
      await expectRefusal(
        ed.verifier,
        signedWith(headerFor(ed.key, { kid: `${ed.key.kid} ` })),
        'KEY_UNKNOWN',
      );
    });
  });

  describe('parameters that fetch or embed keys', () => {
    it('refuses jku (nothing is fetched because of a token)', async () => {
      await expectRefusal(
        ed.verifier,
        signedWith(headerFor(ed.key, { jku: 'https://evil.test/jwks.json' })),
        'HEADER_NOT_ALLOWED',
      );
    });

    it('refuses x5u', async () => {
      await expectRefusal(
        ed.verifier,
        signedWith(headerFor(ed.key, { x5u: 'https://evil.test/cert.pem' })),
        'HEADER_NOT_ALLOWED',
      );
    });

    it('refuses an embedded jwk signed by the matching attacker key', async () => {
      const attacker = generateKeyPairSync('ed25519');
      const header = headerFor(ed.key, { jwk: attacker.publicKey.export({ format: 'jwk' }) });
      const token = forge(segment(header), segment(claimsAt(NOW_S, { sub: 'admin' })), (input) =>
        rawSign('EdDSA', attacker.privateKey, input),
      );
      await expectRefusal(ed.verifier, token, 'HEADER_NOT_ALLOWED');
    });

    it('refuses x5c', async () => {
      await expectRefusal(
        ed.verifier,
        signedWith(headerFor(ed.key, { x5c: ['MIIB'] })),
        'HEADER_NOT_ALLOWED',
      );
    });

    it('refuses jku with a null value (presence is enough)', async () => {
      await expectRefusal(
        ed.verifier,
        signedWith(headerFor(ed.key, { jku: null })),
        'HEADER_NOT_ALLOWED',
      );
    });
  });

  describe('crit and b64', () => {
    it('refuses crit naming an unknown extension', async () => {
      await expectRefusal(
        ed.verifier,
        signedWith(headerFor(ed.key, { crit: ['exp-hint'], 'exp-hint': 1 })),
        'HEADER_NOT_ALLOWED',
      );
    });

    it('refuses an empty crit list', async () => {
      await expectRefusal(
        ed.verifier,
        signedWith(headerFor(ed.key, { crit: [] })),
        'HEADER_NOT_ALLOWED',
      );
    });

    it('refuses b64: false declared critical, with the unencoded payload it implies', async () => {
      const header = segment(headerFor(ed.key, { b64: false, crit: ['b64'] }));
      const payload = JSON.stringify(claimsAt(NOW_S));
      const token = forge(header, b64u(payload), () =>
        rawSign('EdDSA', ed.key.privateKey, `${header}.${payload}`),
      );
      await expectRefusal(ed.verifier, token, 'HEADER_NOT_ALLOWED');
    });

    it('refuses b64: false without crit', async () => {
      await expectRefusal(
        ed.verifier,
        signedWith(headerFor(ed.key, { b64: false })),
        'HEADER_NOT_ALLOWED',
      );
    });
  });

  describe('encrypted and nested tokens', () => {
    it('refuses a five-part JWE', async () => {
      const header = segment({ alg: 'dir', enc: 'A256GCM', typ: 'at+jwt', kid: ed.key.kid });
      const token = [
        header,
        '',
        b64u(Buffer.alloc(12, 1)),
        b64u(Buffer.alloc(32, 2)),
        b64u(Buffer.alloc(16, 3)),
      ].join('.');
      await expectRefusal(ed.verifier, token, 'TOKEN_UNSUPPORTED');
    });

    it('refuses enc in a three-part header', async () => {
      await expectRefusal(
        ed.verifier,
        signedWith(headerFor(ed.key, { enc: 'A256GCM' })),
        'TOKEN_UNSUPPORTED',
      );
    });

    it('refuses zip (compressed payload)', async () => {
      await expectRefusal(
        ed.verifier,
        signedWith(headerFor(ed.key, { zip: 'DEF' })),
        'TOKEN_UNSUPPORTED',
      );
    });

    it('refuses a nested JWT announced with cty', async () => {
      const inner = signedWith(headerFor(ed.key), claimsAt(NOW_S));
      const header = segment(headerFor(ed.key, { cty: 'JWT' }));
      const token = forge(header, b64u(inner), (input) =>
        rawSign('EdDSA', ed.key.privateKey, input),
      );
      await expectRefusal(ed.verifier, token, 'TOKEN_UNSUPPORTED');
    });

    it('refuses a nested JWT without cty: the payload is not a claims object', async () => {
      const inner = signedWith(headerFor(ed.key), claimsAt(NOW_S));
      const token = forge(segment(headerFor(ed.key)), b64u(inner), (input) =>
        rawSign('EdDSA', ed.key.privateKey, input),
      );
      await expectRefusal(ed.verifier, token, 'CLAIM_INVALID');
    });
  });

  describe('token type', () => {
    it.each([
      ['missing', undefined],
      ['JWT (an ID token)', 'JWT'],
      ['jwt', 'jwt'],
      ['application/jwt', 'application/jwt'],
      ['refresh+jwt', 'refresh+jwt'],
      ['id_token+jwt', 'id_token+jwt'],
      ['at+jwt with a trailing space', 'at+jwt '],
      ['application/at+jwt; charset=utf-8', 'application/at+jwt; charset=utf-8'],
      ['a number', 1],
      ['an array', ['at+jwt']],
    ])('refuses typ %s', async (_name, typ) => {
      await expectRefusal(
        ed.verifier,
        signedWith({ alg: 'EdDSA', kid: ed.key.kid, ...(typ === undefined ? {} : { typ }) }),
        'TOKEN_TYPE_MISMATCH',
      );
    });

    it('refuses an OpenID Connect ID token signed by the same key', async () => {
      const idToken = signedWith(
        { alg: 'EdDSA', typ: 'JWT', kid: ed.key.kid },
        {
          iss: 'https://auth.test',
          aud: 'web',
          sub: 'user-1',
          iat: NOW_S,
          exp: NOW_S + 300,
          nonce: 'n-1',
          email: 'u@example.test',
        },
      );
      await expectRefusal(ed.verifier, idToken, 'TOKEN_TYPE_MISMATCH');
    });

    it('refuses an opaque Tessera refresh token, naming it as one', async () => {
      const error = await expectRefusal(
        ed.verifier,
        `tsr_${b64u(Buffer.alloc(12, 9))}.${b64u(Buffer.alloc(32, 4))}`,
        'TOKEN_MALFORMED',
      );
      expect(error.facts.mangling).toBe('refresh-token');
    });

    it.each([
      'at+jwt',
      'AT+JWT',
      'At+Jwt',
      'application/at+jwt',
      'APPLICATION/AT+JWT',
      'Application/At+JWT',
    ])('accepts typ %j', async (typ) => {
      expect((await ed.verifier.verify(signedWith(headerFor(ed.key, { typ })))).sub).toBe('user-1');
    });
  });

  describe('header structure', () => {
    it('refuses a header that names alg twice (none then the real one)', async () => {
      const token = signedWith(
        `{"alg":"none","alg":"EdDSA","typ":"at+jwt","kid":${JSON.stringify(ed.key.kid)}}`,
      );
      await expectRefusal(ed.verifier, token, 'HEADER_NOT_ALLOWED');
    });

    it('refuses a header that names kid twice, one of them escaped', async () => {
      const token = signedWith(
        `{"alg":"EdDSA","typ":"at+jwt","kid":"other","\\u006bid":${JSON.stringify(ed.key.kid)}}`,
      );
      await expectRefusal(ed.verifier, token, 'HEADER_NOT_ALLOWED');
    });

    it.each(['[]', '"at+jwt"', 'null', '42', ''])('refuses the header JSON %j', async (text) => {
      const token = forge(b64u(text), segment(claimsAt(NOW_S)), (input) =>
        rawSign('EdDSA', ed.key.privateKey, input),
      );
      await expectRefusal(ed.verifier, token, 'TOKEN_MALFORMED');
    });

    it('refuses a header with invalid UTF-8', async () => {
      const bytes = Buffer.concat([
        Buffer.from(`{"alg":"EdDSA","typ":"at+jwt","kid":${JSON.stringify(ed.key.kid)},"x":"`),
        Buffer.of(0xc0, 0xaf),
        Buffer.from('"}'),
      ]);
      const token = forge(b64u(bytes), segment(claimsAt(NOW_S)), (input) =>
        rawSign('EdDSA', ed.key.privateKey, input),
      );
      await expectRefusal(ed.verifier, token, 'TOKEN_MALFORMED');
    });

    it('refuses a token with four parts', async () => {
      const token = `${signedWith(headerFor(ed.key))}.${b64u('extra')}`;
      await expectRefusal(ed.verifier, token, 'TOKEN_MALFORMED');
    });
  });
});
