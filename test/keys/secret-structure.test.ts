// Issue 15: TESSERA_KEY_SECRET and HS256 secrets are judged by their structure. Each weak secret here
// is built by the test the way people build them (sentences, walks, repeats, encodings of text); the
// random ones are what a generator gives, at the same lengths, and must pass.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertStrongSecret } from '../../src/index.js';
import {
  findSecretWeakness,
  generateSecret,
  WELL_KNOWN_SECRETS,
} from '../../src/keys/secret-strength.js';
import { expectCode } from '../support/forge.js';

const hexOf = (text: string): string => Buffer.from(text).toString('hex');
const base64Of = (text: string): string => Buffer.from(text).toString('base64');

describe('structured secrets are refused, with the structure named', () => {
  it.each([
    ['32 × "a", the secret production started with', 'a'.repeat(32), /one character repeated 32/],
    ['a short chunk over and over', 'abc123XYZ'.repeat(4), /repeated text/],
    ['a mixed-case passphrase with digits', 'ThisIsMySuperSecretKey123456789!', /English words/],
    ['a passphrase with leet digits', 'MyS3cretJwtK3yForProd2024Signing!', /English words/],
    ['a sentence with spaces', 'correct horse battery staple plus a few more words', /English/],
    ['a long camel-case sentence', 'ThisIsAVeryLongSecretKeyThatIsHardToGuess', /English words/],
    ['snake_case words and a year', 'my_jwt_secret_key_2024_production_v1', /English words/],
    ['a keyboard row walk', 'qwertyuiopasdfghjklzxcvbnm1234567890', /keyboard walk/],
    ['a keyboard column walk', '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,', /keyboard walk/],
    ['an alphabet run', 'abcdefghijklmnopqrstuvwxyz012345', /character sequence/],
    ['hex of a sentence', hexOf('my super secret key for signing jwt'), /hex of readable text/],
    ['base64 of a sentence', base64Of('this is the secret used by our app!'), /base64 of readable/],
    ['hex of repeated bytes', '00112233445566778899aabbccddeeff'.repeat(2), /repeated/],
    ['a tutorial-style test secret', 'browser-test-secret-0123456789abcdef', /English words/],
    ['half repeated, half random', `${'k'.repeat(16)}Zq8#xL2!vR7@pW4$`, /repeated text/],
  ])('refuses %s', (_name, secret, reason) => {
    const weakness = findSecretWeakness(secret);
    expect(weakness?.reason).toMatch(reason);
    const error = expectCode(() => assertStrongSecret(secret), 'SECRET_WEAK');
    expect(error.message).toContain('tessera keys secret');
    expect(JSON.stringify(error.toJSON())).not.toContain(secret);
  });

  it.each(WELL_KNOWN_SECRETS.map((secret) => [secret]))('refuses the placeholder %j', (secret) => {
    expect(findSecretWeakness(secret)?.reason).toMatch(/well-known example secret/);
  });
});

describe('random secrets of the same lengths pass', () => {
  // Unbiased: fast-check otherwise favours small values and edge cases, which is not how a random
  // generator behaves.
  const printable = fc.noBias(
    fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
  );
  const base64url = fc.noBias(
    fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'),
  );

  it('accepts random printable text of 32 to 64 characters', () => {
    fc.assert(
      fc.property(fc.array(printable, { minLength: 32, maxLength: 64 }), (chars) => {
        expect(findSecretWeakness(chars.join(''))).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('accepts random base64url text of 43 to 64 characters', () => {
    fc.assert(
      fc.property(fc.array(base64url, { minLength: 43, maxLength: 64 }), (chars) => {
        expect(findSecretWeakness(chars.join(''))).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('accepts 32 to 64 random bytes, raw, as hex and as base64url', () => {
    fc.assert(
      fc.property(fc.noBias(fc.uint8Array({ minLength: 32, maxLength: 64 })), (bytes) => {
        expect(findSecretWeakness(bytes)).toBeUndefined();
        expect(findSecretWeakness(Buffer.from(bytes).toString('hex'))).toBeUndefined();
        expect(findSecretWeakness(Buffer.from(bytes).toString('base64url'))).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('accepts what `tessera keys secret` prints, every time', () => {
    for (let i = 0; i < 500; i++) {
      const secret = generateSecret();
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(findSecretWeakness(secret)).toBeUndefined();
    }
    expect(findSecretWeakness(randomBytes(32))).toBeUndefined();
  });
});
