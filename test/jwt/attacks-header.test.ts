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
  expectRejection,
  forge,
  forgeSigned,
  headerFor,
  rawSign,
  segment,
  type Fixture,
} from '../support/forge.js';

let ed: Fixture;

beforeAll(async () => {
  ed = await createFixture('EdDSA');
});

const signedWith = (header: unknown, claims: unknown = claimsAt(NOW_S)): string =>
  forgeSigned(ed.key, header, claims);

describe('kid', () => {
  it('refuses an unknown kid: there is no fallback key', () => {
    expectRejection(
      ed.verifier,
      signedWith(headerFor(ed.key, { kid: 'someone-else' })),
      'KEY_UNKNOWN',
    );
  });

  it('refuses a missing kid', () => {
    expectRejection(ed.verifier, signedWith({ alg: 'EdDSA', typ: 'at+jwt' }), 'KEY_UNKNOWN');
  });

  it('refuses an empty kid', () => {
    expectRejection(ed.verifier, signedWith(headerFor(ed.key, { kid: '' })), 'KEY_UNKNOWN');
  });

  it.each([
    ['a number', 1],
    ['null', null],
    ['an array holding the real kid', 'ARRAY'],
    ['an object', { kid: 'x' }],
    ['true', true],
  ])('refuses a kid that is %s', (_name, value) => {
    const kid = value === 'ARRAY' ? [ed.key.kid] : value;
    expectRejection(ed.verifier, signedWith(headerFor(ed.key, { kid })), 'KEY_UNKNOWN');
  });

  it.each([
    ['path traversal', '../../../../dev/null'],
    ['SQL injection', "x' UNION SELECT 'secret"],
    ['a newline', 'kid\nINFO forged log line'],
    ['non-ASCII', 'k\u00efd-\u{1F511}'],
    ['a URL', 'https://evil.test/key'],
    ['129 characters', 'k'.repeat(129)],
    ['a NUL byte', 'kid\u0000'],
  ])('refuses a kid with %s', (_name, kid) => {
    expectRejection(ed.verifier, signedWith(headerFor(ed.key, { kid })), 'KEY_UNKNOWN');
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'refuses the prototype-flavoured kid %j',
    (kid) => {
      expectRejection(ed.verifier, signedWith(headerFor(ed.key, { kid })), 'KEY_UNKNOWN');
    },
  );

  it('refuses the real kid with a trailing space', () => {
    expectRejection(
      ed.verifier,
      signedWith(headerFor(ed.key, { kid: `${ed.key.kid} ` })),
      'KEY_UNKNOWN',
    );
  });
});

describe('parameters that fetch or embed keys', () => {
  it('refuses jku (nothing is fetched because of a token)', () => {
    expectRejection(
      ed.verifier,
      signedWith(headerFor(ed.key, { jku: 'https://evil.test/jwks.json' })),
      'HEADER_NOT_ALLOWED',
    );
  });

  it('refuses x5u', () => {
    expectRejection(
      ed.verifier,
      signedWith(headerFor(ed.key, { x5u: 'https://evil.test/cert.pem' })),
      'HEADER_NOT_ALLOWED',
    );
  });

  it('refuses an embedded jwk signed by the matching attacker key', () => {
    const attacker = generateKeyPairSync('ed25519');
    const header = headerFor(ed.key, { jwk: attacker.publicKey.export({ format: 'jwk' }) });
    const token = forge(segment(header), segment(claimsAt(NOW_S, { sub: 'admin' })), (input) =>
      rawSign('EdDSA', attacker.privateKey, input),
    );
    expectRejection(ed.verifier, token, 'HEADER_NOT_ALLOWED');
  });

  it('refuses x5c', () => {
    expectRejection(
      ed.verifier,
      signedWith(headerFor(ed.key, { x5c: ['MIIB'] })),
      'HEADER_NOT_ALLOWED',
    );
  });

  it('refuses jku with a null value (presence is enough)', () => {
    expectRejection(
      ed.verifier,
      signedWith(headerFor(ed.key, { jku: null })),
      'HEADER_NOT_ALLOWED',
    );
  });
});

describe('crit and b64', () => {
  it('refuses crit naming an unknown extension', () => {
    expectRejection(
      ed.verifier,
      signedWith(headerFor(ed.key, { crit: ['exp-hint'], 'exp-hint': 1 })),
      'HEADER_NOT_ALLOWED',
    );
  });

  it('refuses an empty crit list', () => {
    expectRejection(ed.verifier, signedWith(headerFor(ed.key, { crit: [] })), 'HEADER_NOT_ALLOWED');
  });

  it('refuses b64: false declared critical, with the unencoded payload it implies', () => {
    const header = segment(headerFor(ed.key, { b64: false, crit: ['b64'] }));
    const payload = JSON.stringify(claimsAt(NOW_S));
    const token = forge(header, b64u(payload), () =>
      rawSign('EdDSA', ed.key.privateKey, `${header}.${payload}`),
    );
    expectRejection(ed.verifier, token, 'HEADER_NOT_ALLOWED');
  });

  it('refuses b64: false without crit', () => {
    expectRejection(
      ed.verifier,
      signedWith(headerFor(ed.key, { b64: false })),
      'HEADER_NOT_ALLOWED',
    );
  });
});

describe('encrypted and nested tokens', () => {
  it('refuses a five-part JWE', () => {
    const header = segment({ alg: 'dir', enc: 'A256GCM', typ: 'at+jwt', kid: ed.key.kid });
    const token = [
      header,
      '',
      b64u(Buffer.alloc(12, 1)),
      b64u(Buffer.alloc(32, 2)),
      b64u(Buffer.alloc(16, 3)),
    ].join('.');
    expectRejection(ed.verifier, token, 'TOKEN_UNSUPPORTED');
  });

  it('refuses enc in a three-part header', () => {
    expectRejection(
      ed.verifier,
      signedWith(headerFor(ed.key, { enc: 'A256GCM' })),
      'TOKEN_UNSUPPORTED',
    );
  });

  it('refuses zip (compressed payload)', () => {
    expectRejection(
      ed.verifier,
      signedWith(headerFor(ed.key, { zip: 'DEF' })),
      'TOKEN_UNSUPPORTED',
    );
  });

  it('refuses a nested JWT announced with cty', () => {
    const inner = signedWith(headerFor(ed.key), claimsAt(NOW_S));
    const header = segment(headerFor(ed.key, { cty: 'JWT' }));
    const token = forge(header, b64u(inner), (input) => rawSign('EdDSA', ed.key.privateKey, input));
    expectRejection(ed.verifier, token, 'TOKEN_UNSUPPORTED');
  });

  it('refuses a nested JWT without cty: the payload is not a claims object', () => {
    const inner = signedWith(headerFor(ed.key), claimsAt(NOW_S));
    const token = forge(segment(headerFor(ed.key)), b64u(inner), (input) =>
      rawSign('EdDSA', ed.key.privateKey, input),
    );
    expectRejection(ed.verifier, token, 'CLAIM_INVALID');
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
  ])('refuses typ %s', (_name, typ) => {
    expectRejection(
      ed.verifier,
      signedWith({ alg: 'EdDSA', kid: ed.key.kid, ...(typ === undefined ? {} : { typ }) }),
      'TOKEN_TYPE_MISMATCH',
    );
  });

  it('refuses an OpenID Connect ID token signed by the same key', () => {
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
    expectRejection(ed.verifier, idToken, 'TOKEN_TYPE_MISMATCH');
  });

  it('refuses an opaque Tessera refresh token, naming it as one', () => {
    const error = expectRejection(
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
  ])('accepts typ %j', (typ) => {
    expect(ed.verifier.verify(signedWith(headerFor(ed.key, { typ }))).sub).toBe('user-1');
  });
});

describe('header structure', () => {
  it('refuses a header that names alg twice (none then the real one)', () => {
    const token = signedWith(
      `{"alg":"none","alg":"EdDSA","typ":"at+jwt","kid":${JSON.stringify(ed.key.kid)}}`,
    );
    expectRejection(ed.verifier, token, 'HEADER_NOT_ALLOWED');
  });

  it('refuses a header that names kid twice, one of them escaped', () => {
    const token = signedWith(
      `{"alg":"EdDSA","typ":"at+jwt","kid":"other","\\u006bid":${JSON.stringify(ed.key.kid)}}`,
    );
    expectRejection(ed.verifier, token, 'HEADER_NOT_ALLOWED');
  });

  it.each(['[]', '"at+jwt"', 'null', '42', ''])('refuses the header JSON %j', (text) => {
    const token = forge(b64u(text), segment(claimsAt(NOW_S)), (input) =>
      rawSign('EdDSA', ed.key.privateKey, input),
    );
    expectRejection(ed.verifier, token, 'TOKEN_MALFORMED');
  });

  it('refuses a header with invalid UTF-8', () => {
    const bytes = Buffer.concat([
      Buffer.from(`{"alg":"EdDSA","typ":"at+jwt","kid":${JSON.stringify(ed.key.kid)},"x":"`),
      Buffer.of(0xc0, 0xaf),
      Buffer.from('"}'),
    ]);
    const token = forge(b64u(bytes), segment(claimsAt(NOW_S)), (input) =>
      rawSign('EdDSA', ed.key.privateKey, input),
    );
    expectRejection(ed.verifier, token, 'TOKEN_MALFORMED');
  });

  it('refuses a token with four parts', () => {
    const token = `${signedWith(headerFor(ed.key))}.${b64u('extra')}`;
    expectRejection(ed.verifier, token, 'TOKEN_MALFORMED');
  });
});
