import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  assertStrongSecret,
  exportPublicJwk,
  generateKeyMaterial,
  importKeyMaterial,
} from '../../src/index.js';
import { WELL_KNOWN_SECRETS } from '../../src/keys/secret-strength.js';
import { expectCode, expectCodeAsync } from '../support/forge.js';

describe('HS256 secrets that are accepted', () => {
  it.each([
    ['32 random bytes', (): Uint8Array => randomBytes(32)],
    ['32 random bytes as base64url text', (): string => randomBytes(32).toString('base64url')],
    ['32 random bytes as hex text', (): string => randomBytes(32).toString('hex')],
    ['64 random bytes', (): Uint8Array => randomBytes(64)],
  ])('accepts %s', async (_name, make) => {
    const key = await importKeyMaterial({ alg: 'HS256', secret: make() });
    expect(key.alg).toBe('HS256');
  });

  it('accepts random bytes that happen to start like a DER SEQUENCE (30 82 ...)', async () => {
    // One random secret in 16 384 starts this way; generateKeyMaterial must not fail on it.
    const secret = Buffer.concat([Buffer.of(0x30, 0x82), randomBytes(30)]);
    expect((await importKeyMaterial({ alg: 'HS256', secret })).alg).toBe('HS256');
  });

  it('generates HS256 keys that pass its own strength check, many times over', async () => {
    for (let i = 0; i < 200; i++)
      expect((await generateKeyMaterial({ alg: 'HS256' })).alg).toBe('HS256');
  });
});

describe('HS256 secrets that are refused', () => {
  it.each(WELL_KNOWN_SECRETS.map((secret) => [secret]))(
    'refuses the well-known secret %j',
    (secret) => {
      expectCode(() => assertStrongSecret(secret), 'SECRET_WEAK');
    },
  );

  it.each([' Your-256-Bit-Secret ', 'SECRET\n', 'Keyboard Cat'])(
    'refuses the well-known secret %j in another case or with whitespace',
    (secret) => {
      expectCode(() => assertStrongSecret(secret), 'SECRET_WEAK');
    },
  );

  it('refuses 31 random bytes', () => {
    expectCode(() => assertStrongSecret(randomBytes(31)), 'SECRET_WEAK');
  });

  it('refuses an empty secret', () => {
    expectCode(() => assertStrongSecret(''), 'SECRET_WEAK');
  });

  it.each([
    ['one repeated character', 'a'.repeat(64)],
    ['two alternating characters', '01'.repeat(32)],
    ['an alphabet run', 'abcdefghijklmnopqrstuvwxyz012345'],
    ['hex digits twice in order', '0123456789abcdef0123456789abcdef'],
    ['a counting sequence of bytes', Buffer.from(Array.from({ length: 32 }, (_, i) => i))],
    ['words', 'correct horse battery staple plus a few more words'],
    ['32 zero bytes', Buffer.alloc(32)],
  ])('refuses a low-entropy secret: %s', (_name, secret) => {
    expectCode(() => assertStrongSecret(secret), 'SECRET_WEAK');
  });

  it('explains the refusal without echoing the secret', () => {
    const secret = 'abcdefghijklmnopqrstuvwxyz012345';
    const error = expectCode(() => assertStrongSecret(secret), 'SECRET_WEAK');
    expect(JSON.stringify(error.toJSON())).not.toContain(secret);
  });
});

describe('HS256 secrets that are public keys (the configured secret itself is the confusion)', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  const ed = generateKeyPairSync('ed25519').publicKey;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  const pem = rsa.export({ format: 'pem', type: 'spki' }).toString();

  it.each([
    ['an RSA SPKI PEM with trailing newline', pem],
    ['an RSA SPKI PEM without trailing newline', pem.trimEnd()],
    ['an RSA PKCS#1 PEM', rsa.export({ format: 'pem', type: 'pkcs1' }).toString()],
    ['an Ed25519 PEM', ed.export({ format: 'pem', type: 'spki' }).toString()],
    ['a PEM with leading blank lines', `\n\n${pem}`],
    ['an RSA JWK as JSON text', JSON.stringify(rsa.export({ format: 'jwk' }))],
    ['an EC JWK pretty-printed', JSON.stringify(ec.export({ format: 'jwk' }), null, 2)],
    [
      'an Ed25519 SSH public key line',
      `ssh-ed25519 ${randomBytes(51).toString('base64')} user@host`,
    ],
  ])('refuses %s', async (_name, secret) => {
    await expectCodeAsync(() => importKeyMaterial({ alg: 'HS256', secret }), 'SECRET_WEAK');
  });

  it.each([
    ['RSA SPKI DER bytes', rsa.export({ format: 'der', type: 'spki' })],
    ['RSA PKCS#1 DER bytes', rsa.export({ format: 'der', type: 'pkcs1' })],
    ['P-256 SPKI DER bytes', ec.export({ format: 'der', type: 'spki' })],
    ['Ed25519 SPKI DER bytes', ed.export({ format: 'der', type: 'spki' })],
  ])('refuses %s', async (_name, secret) => {
    await expectCodeAsync(() => importKeyMaterial({ alg: 'HS256', secret }), 'SECRET_WEAK');
  });

  it('refuses the JWKS entry Tessera itself publishes for an RS256 key', async () => {
    const key = await generateKeyMaterial({ alg: 'RS256' });
    await expectCodeAsync(
      () => importKeyMaterial({ alg: 'HS256', secret: JSON.stringify(exportPublicJwk(key)) }),
      'SECRET_WEAK',
    );
  });
});
