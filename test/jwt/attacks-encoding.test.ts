// Encoding and claims attacks: non-canonical base64url, duplicate names, invalid UTF-8, payloads that are
// not objects, claims of the wrong type, and oversized tokens. Tokens are signed with the real key, so
// the rule under test is the only thing that can refuse them.
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_TOKEN_BYTES } from '../../src/jws/compact.js';
import {
  AUDIENCE,
  ISSUER,
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
  type TestVerifier,
} from '../support/forge.js';

// The whole corpus runs on both crypto backends: node:crypto and Web Crypto must refuse alike.
describe.each(BACKENDS)('%s backend', (backend) => {
  let ed: Fixture<BackendName>;
  let hs: Fixture<BackendName>;

  beforeAll(async () => {
    [ed, hs] = await Promise.all([
      createFixture('EdDSA', { backend }),
      createFixture('HS256', { backend }),
    ]);
  });

  const signInput = (input: string): Buffer => rawSign('EdDSA', ed.key.privateKey, input);
  const validPayload = (): string => segment(claimsAt(NOW_S));

  /** A header segment whose base64url spelling contains `char` ('-' or '_'). */
  function headerContaining(char: '-' | '_'): string {
    for (let i = 0; ; i++) {
      const text = segment(headerFor(ed.key, { x: `${i}?>~` }));
      if (text.includes(char)) return text;
    }
  }

  /** Changes the unused low bits of the last character; Node's decoder yields the same bytes. */
  function withStrayBits(text: string): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const value = alphabet.indexOf(text.at(-1) as string);
    const changed = `${text.slice(0, -1)}${alphabet[value + 1] as string}`;
    expect(Buffer.from(changed, 'base64url').equals(Buffer.from(text, 'base64url'))).toBe(true);
    return changed;
  }

  describe('non-canonical base64url', () => {
    it('refuses a padded header', async () => {
      const header = segment(headerFor(ed.key, { x: 1 }));
      expect(header.length % 4).not.toBe(0);
      await expectRefusal(
        ed.verifier,
        forge(header.padEnd(Math.ceil(header.length / 4) * 4, '='), validPayload(), signInput),
        'TOKEN_MALFORMED',
      );
    });

    it('refuses "+" in the header', async () => {
      await expectRefusal(
        ed.verifier,
        forge(headerContaining('-').replaceAll('-', '+'), validPayload(), signInput),
        'TOKEN_MALFORMED',
      );
    });

    it('refuses "/" in the header', async () => {
      await expectRefusal(
        ed.verifier,
        forge(headerContaining('_').replaceAll('_', '/'), validPayload(), signInput),
        'TOKEN_MALFORMED',
      );
    });

    it('refuses stray trailing bits in the header', async () => {
      const header = segment(headerFor(ed.key));
      const stray = header.length % 4 === 0 ? segment(headerFor(ed.key, { x: 1 })) : header;
      await expectRefusal(
        ed.verifier,
        forge(withStrayBits(stray), validPayload(), signInput),
        'TOKEN_MALFORMED',
      );
    });

    it('refuses a header with a line break in it', async () => {
      const header = segment(headerFor(ed.key));
      await expectRefusal(
        ed.verifier,
        forge(`${header.slice(0, 10)}\n${header.slice(10)}`, validPayload(), signInput),
        'TOKEN_MALFORMED',
      );
    });

    it('refuses a padded payload, signed as padded', async () => {
      let payload = segment(claimsAt(NOW_S));
      for (let i = 0; payload.length % 4 === 0; i++)
        payload = segment(claimsAt(NOW_S, { jti: `j${i}` }));
      await expectRefusal(
        ed.verifier,
        forge(
          segment(headerFor(ed.key)),
          payload.padEnd(Math.ceil(payload.length / 4) * 4, '='),
          signInput,
        ),
        'TOKEN_MALFORMED',
      );
    });

    it('refuses a payload with a space in it, signed with the space', async () => {
      const payload = validPayload();
      await expectRefusal(
        ed.verifier,
        forge(segment(headerFor(ed.key)), `${payload.slice(0, 8)} ${payload.slice(8)}`, signInput),
        'TOKEN_MALFORMED',
      );
    });

    it('refuses a payload with non-ASCII characters whose low bytes spell a signed payload', async () => {
      // Replacing "A" (0x41) with "\u0141" keeps the latin1 bytes the same: a verifier that hashes
      // latin1 would see a valid signature over a string that was never signed.
      const header = segment(headerFor(ed.key));
      let payload = validPayload();
      for (let i = 0; !payload.includes('A'); i++)
        payload = segment(claimsAt(NOW_S, { jti: `j${i}` }));
      const token = forge(header, payload, signInput).replace(
        payload,
        payload.replace('A', '\u0141'),
      );
      await expectRefusal(ed.verifier, token, 'TOKEN_MALFORMED');
    });

    it('refuses stray trailing bits in a signed payload', async () => {
      let payload = validPayload();
      for (let i = 0; payload.length % 4 === 0; i++)
        payload = segment(claimsAt(NOW_S, { jti: `j${i}` }));
      await expectRefusal(
        ed.verifier,
        forge(segment(headerFor(ed.key)), withStrayBits(payload), signInput),
        'CLAIM_INVALID',
      );
    });

    it('refuses stray trailing bits in an EdDSA signature (the same signature bytes, another spelling)', async () => {
      const { token } = ed.sign({ sub: 'user-1', sid: 'sess-1', clientId: 'web' });
      const [header, payload, signature] = token.split('.') as [string, string, string];
      expect(signature.length % 4).not.toBe(0);
      await expectRefusal(
        ed.verifier,
        `${header}.${payload}.${withStrayBits(signature)}`,
        'SIGNATURE_INVALID',
      );
    });

    it('refuses stray trailing bits in an HS256 MAC', async () => {
      const { token } = hs.sign({ sub: 'user-1', sid: 'sess-1', clientId: 'web' });
      const [header, payload, signature] = token.split('.') as [string, string, string];
      await expectRefusal(
        hs.verifier,
        `${header}.${payload}.${withStrayBits(signature)}`,
        'SIGNATURE_INVALID',
      );
    });

    it('refuses a padded signature', async () => {
      const { token } = ed.sign({ sub: 'user-1', sid: 'sess-1', clientId: 'web' });
      await expectRefusal(ed.verifier, `${token}==`, 'TOKEN_MALFORMED');
    });

    it('refuses a signature with a line break, and names the whitespace', async () => {
      const { token } = ed.sign({ sub: 'user-1', sid: 'sess-1', clientId: 'web' });
      const error = await expectRefusal(
        ed.verifier,
        `${token.slice(0, -20)}\r\n${token.slice(-20)}`,
        'TOKEN_MALFORMED',
      );
      expect(error.facts.mangling).toBe('whitespace');
    });
  });

  describe('duplicate names, UTF-8 and payload shape', () => {
    const headerText = (): string => segment(headerFor(ed.key));

    it('refuses a payload that names exp twice', async () => {
      const text = JSON.stringify(claimsAt(NOW_S)).replace('}', `,"exp":${NOW_S + 86_400 * 365}}`);
      await expectRefusal(ed.verifier, forge(headerText(), b64u(text), signInput), 'CLAIM_INVALID');
    });

    it('refuses a payload that names sub twice, one escaped', async () => {
      const text = JSON.stringify(claimsAt(NOW_S)).replace('}', ',"\\u0073ub":"admin"}');
      await expectRefusal(ed.verifier, forge(headerText(), b64u(text), signInput), 'CLAIM_INVALID');
    });

    it('refuses a duplicate name inside a nested object', async () => {
      const text = JSON.stringify(claimsAt(NOW_S)).replace(
        '}',
        ',"ext":{"role":"user","role":"admin"}}',
      );
      await expectRefusal(ed.verifier, forge(headerText(), b64u(text), signInput), 'CLAIM_INVALID');
    });

    it('accepts the same name in sibling objects (control for the duplicate rule)', async () => {
      const text = JSON.stringify(claimsAt(NOW_S)).replace(
        '}',
        ',"ext":[{"role":"a"},{"role":"b"}]}',
      );
      expect((await ed.verifier.verify(forge(headerText(), b64u(text), signInput))).ext).toEqual([
        { role: 'a' },
        { role: 'b' },
      ]);
    });

    it('refuses a payload with an overlong UTF-8 sequence', async () => {
      const bytes = Buffer.concat([
        Buffer.from(JSON.stringify(claimsAt(NOW_S)).slice(0, -1)),
        Buffer.from(',"x":"'),
        Buffer.of(0xc0, 0xaf),
        Buffer.from('"}'),
      ]);
      await expectRefusal(
        ed.verifier,
        forge(headerText(), b64u(bytes), signInput),
        'CLAIM_INVALID',
      );
    });

    it('refuses a payload with a UTF-8 encoded surrogate', async () => {
      const bytes = Buffer.concat([
        Buffer.from(JSON.stringify(claimsAt(NOW_S)).slice(0, -1)),
        Buffer.from(',"x":"'),
        Buffer.of(0xed, 0xa0, 0x80),
        Buffer.from('"}'),
      ]);
      await expectRefusal(
        ed.verifier,
        forge(headerText(), b64u(bytes), signInput),
        'CLAIM_INVALID',
      );
    });

    it('refuses a payload starting with a byte-order mark', async () => {
      const bytes = Buffer.concat([
        Buffer.of(0xef, 0xbb, 0xbf),
        Buffer.from(JSON.stringify(claimsAt(NOW_S))),
      ]);
      await expectRefusal(
        ed.verifier,
        forge(headerText(), b64u(bytes), signInput),
        'CLAIM_INVALID',
      );
    });

    it.each(['[]', `[${JSON.stringify(claimsAt(NOW_S))}]`, '"user-1"', '42', 'null', 'true', ''])(
      'refuses the non-object payload %j',
      async (text) => {
        await expectRefusal(
          ed.verifier,
          forge(headerText(), b64u(text), signInput),
          'CLAIM_INVALID',
        );
      },
    );
  });

  describe('claims of the wrong type', () => {
    const withClaims = (claims: unknown): string => forgeSigned(ed.key, headerFor(ed.key), claims);
    const rawClaims = (extra: string): string =>
      forgeSigned(
        ed.key,
        headerFor(ed.key),
        JSON.stringify(claimsAt(NOW_S, { exp: undefined })).replace('}', `,${extra}}`),
      );

    it.each([
      ['exp as a string', { exp: String(NOW_S + 900) }],
      ['exp as true', { exp: true }],
      ['exp as an array', { exp: [NOW_S + 900] }],
      ['exp negative', { exp: -1 }],
      ['exp missing', { exp: undefined }],
      ['iat missing', { iat: undefined }],
      ['iat as a string', { iat: String(NOW_S) }],
      ['nbf as a string', { nbf: String(NOW_S) }],
      ['sub as a number', { sub: 1 }],
      ['sub empty', { sub: '' }],
      ['sid missing', { sid: undefined }],
      ['client_id as null', { client_id: null }],
      ['jti as an object', { jti: {} }],
      ['aud as a number', { aud: 1 }],
      ['aud as an array with a number', { aud: [AUDIENCE, 1] }],
      ['scope as an array', { scope: ['read'] }],
      ['roles as a string', { roles: 'admin' }],
      ['exp equal to iat', { exp: NOW_S }],
    ])('refuses %s', async (_name, extra) => {
      await expectRefusal(ed.verifier, withClaims(claimsAt(NOW_S, extra)), 'CLAIM_INVALID');
    });

    it('refuses exp = 1e400 (parses to Infinity)', async () => {
      await expectRefusal(ed.verifier, rawClaims('"exp":1e400'), 'CLAIM_INVALID');
    });

    it('refuses exp = -1e400 (parses to -Infinity)', async () => {
      await expectRefusal(ed.verifier, rawClaims('"exp":-1e400'), 'CLAIM_INVALID');
    });

    it('refuses exp = 1e300 as a lifetime far beyond the maximum', async () => {
      await expectRefusal(
        ed.verifier,
        withClaims(claimsAt(NOW_S, { exp: 1e300 })),
        'TOKEN_LIFETIME_TOO_LONG',
      );
    });

    it('refuses another issuer', async () => {
      await expectRefusal(
        ed.verifier,
        withClaims(claimsAt(NOW_S, { iss: `${ISSUER}/` })),
        'ISSUER_MISMATCH',
      );
    });

    it('refuses another audience, as a string and as an array', async () => {
      await expectRefusal(
        ed.verifier,
        withClaims(claimsAt(NOW_S, { aud: 'api-preview' })),
        'AUDIENCE_MISMATCH',
      );
      await expectRefusal(
        ed.verifier,
        withClaims(claimsAt(NOW_S, { aud: ['other', 'API'] })),
        'AUDIENCE_MISMATCH',
      );
    });

    it('refuses an empty audience array', async () => {
      await expectRefusal(
        ed.verifier,
        withClaims(claimsAt(NOW_S, { aud: [] })),
        'AUDIENCE_MISMATCH',
      );
    });
  });

  describe('size', () => {
    let lookups = 0;
    let counted: TestVerifier;
    beforeAll(() => {
      counted = ed.verifierWith({
        keys: { verificationKey: (kid) => (lookups++, ed.keyring.verificationKey(kid)) },
      });
    });

    /** A signed token padded with a filler claim to exactly `chars` characters, the filler made of `unit`. */
    function paddedToken(chars: number, unit = 'x'): string {
      const bare = forgeSigned(ed.key, headerFor(ed.key), claimsAt(NOW_S, { pad: '' }));
      const budget = chars - bare.length;
      // Every 3 filler bytes add 4 characters; pick the count, then trim by re-signing until exact.
      for (let n = Math.floor((budget * 3) / 4 / Buffer.byteLength(unit)); n >= 0; n--) {
        const token = forgeSigned(
          ed.key,
          headerFor(ed.key),
          claimsAt(NOW_S, { pad: unit.repeat(n) }),
        );
        if (token.length <= chars) return token;
      }
      throw new Error('unreachable');
    }

    it('refuses 8193 characters of garbage before any key lookup', async () => {
      lookups = 0;
      await expectRefusal(counted, 'e'.repeat(MAX_TOKEN_BYTES + 1), 'TOKEN_TOO_LARGE');
      expect(lookups).toBe(0);
    });

    it('refuses a correctly signed token over 8 KB before any key lookup', async () => {
      lookups = 0;
      const token = paddedToken(9000);
      expect(token.length).toBeGreaterThan(MAX_TOKEN_BYTES);
      await expectRefusal(counted, token, 'TOKEN_TOO_LARGE');
      expect(lookups).toBe(0);
    });

    it('accepts a correctly signed token just under the limit (control)', async () => {
      lookups = 0;
      const token = paddedToken(MAX_TOKEN_BYTES);
      expect(token.length).toBeGreaterThan(MAX_TOKEN_BYTES - 4);
      expect((await counted.verify(token)).sub).toBe('user-1');
      expect(lookups).toBe(1);
    });

    it('counts bytes, not UTF-16 units: 6000 characters that are 12 000 bytes are refused before any key lookup', async () => {
      lookups = 0;
      const token = `${segment(headerFor(ed.key))}.${'\u00e9'.repeat(6000)}.${b64u(Buffer.alloc(64))}`;
      expect(token.length).toBeLessThan(MAX_TOKEN_BYTES);
      expect(Buffer.byteLength(token)).toBeGreaterThan(MAX_TOKEN_BYTES);
      await expectRefusal(counted, token, 'TOKEN_TOO_LARGE');
      expect(lookups).toBe(0);
    });
  });
});
