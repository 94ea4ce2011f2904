// Encoding attacks on base64url: padding, the standard alphabet, stray bits, whitespace and other
// spellings Node's lenient decoder would read as the same bytes. Tokens are signed with the real key, so
// the rule under test is the only thing that can refuse them.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  NOW_S,
  claimsAt,
  createFixture,
  forge,
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
});
