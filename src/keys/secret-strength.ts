import { createPrivateKey, createPublicKey } from 'node:crypto';
import { TesseraError } from '../errors/tessera-error.js';

/**
 * Secrets copied from tutorials, docs and generators. A token signed with one of these can be forged by
 * anyone who has read the same page. The doctor tries them against HS256 tokens too.
 */
export const WELL_KNOWN_SECRETS: readonly string[] = [
  'secret',
  'your-256-bit-secret',
  'your-secret-key',
  'your_jwt_secret',
  'jwt_secret',
  'jwtsecret',
  'supersecret',
  'super-secret',
  'changeme',
  'change-me',
  'changethis',
  'shhhhh',
  'shhhhhared-secret',
  'keyboard cat',
  'mysecret',
  'my-secret',
  'my_secret_key',
  'secretkey',
  'secret-key',
  's3cr3t',
  'password',
  '123456',
  'default',
  'test',
  'dev',
  'development',
  'jwt-secret',
  'JWT_SECRET',
  'your-super-secret-jwt-key',
  'your-super-secret-and-long-jwt-secret',
  'a-string-secret-at-least-256-bits-long',
  'this-is-a-very-long-secret-key-for-jwt-signing',
  'your-very-long-secret-key-at-least-32-characters',
  'replace-this-with-a-long-random-secret',
];

const MIN_SECRET_BYTES = 32;
const MIN_ESTIMATED_BITS = 128;

/**
 * Refuses an HMAC secret that is short, well known, low in entropy, or actually a public key
 * (the classic RS256-to-HS256 confusion: a public key is public, so it is no secret).
 *
 * @example
 * ```ts
 * assertStrongSecret(randomBytes(32)); // passes
 * assertStrongSecret('secret'); // throws TesseraError SECRET_WEAK
 * ```
 */
export function assertStrongSecret(secret: string | Uint8Array): void {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  const text = bytes.toString('latin1');
  const weakness = findWeakness(bytes, text);
  if (weakness !== undefined) {
    throw new TesseraError(
      'SECRET_WEAK',
      `HS256 secret refused: ${weakness}. Generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`,
      {
        secretBytes: bytes.length,
        minimumBytes: MIN_SECRET_BYTES,
      },
    );
  }
}

function findWeakness(bytes: Buffer, text: string): string | undefined {
  const lowered = text.trim().toLowerCase();
  if (WELL_KNOWN_SECRETS.some((known) => known.toLowerCase() === lowered))
    return 'it is a well-known example secret';
  if (text.includes('-----BEGIN') || text.startsWith('ssh-'))
    return 'it is a PEM or SSH key, which may be public';
  if (text.trimStart().startsWith('{') && text.includes('"kty"'))
    return 'it is a JWK, which may be public';
  if (bytes[0] === 0x30 && isDerKey(bytes)) return 'it is a DER-encoded key, which may be public';
  if (bytes.length < MIN_SECRET_BYTES)
    return `it is ${bytes.length} bytes; at least ${MIN_SECRET_BYTES} random bytes are required`;
  if (/^[a-z\s_.-]+$/i.test(text) && text.length < 96)
    return 'it looks like words, not random bytes';
  // Sequences ("abcdef...", "0123456789abcdef" twice) have a flat byte histogram; their steps do not.
  // There is one step fewer than bytes; scale so both estimates count the same length.
  const stepBits = (estimateEntropyBits(stepsBetween(bytes)) * bytes.length) / (bytes.length - 1);
  const bits = Math.min(estimateEntropyBits(bytes), stepBits);
  if (bits < MIN_ESTIMATED_BITS)
    return `it carries about ${Math.round(bits)} bits of entropy; at least ${MIN_ESTIMATED_BITS} are required`;
  return undefined;
}

// Parsing, not a prefix test: 30 82 ... is also how 1 in 16 384 random secrets start.
function isDerKey(bytes: Buffer): boolean {
  const attempts = [
    { format: 'der', type: 'spki' },
    { format: 'der', type: 'pkcs1' },
  ] as const;
  for (const attempt of attempts) {
    try {
      createPublicKey({ key: bytes, ...attempt });
      return true;
    } catch {
      // not this encoding
    }
  }
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      createPrivateKey({ key: bytes, format: 'der', type });
      return true;
    } catch {
      // not this encoding
    }
  }
  return false;
}

function stepsBetween(bytes: Buffer): Buffer {
  const steps = Buffer.alloc(Math.max(bytes.length - 1, 0));
  for (let i = 1; i < bytes.length; i++)
    steps[i - 1] = ((bytes[i] as number) - (bytes[i - 1] as number)) & 0xff;
  return steps;
}

// Shannon entropy of the byte distribution times the length: a rough upper bound that still catches
// repeated characters and tiny alphabets ("aaaa...", "0101...").
function estimateEntropyBits(bytes: Buffer): number {
  const counts = new Map<number, number>();
  for (const byte of bytes) counts.set(byte, (counts.get(byte) ?? 0) + 1);
  let perByte = 0;
  for (const count of counts.values()) {
    const p = count / bytes.length;
    perByte -= p * Math.log2(p);
  }
  return perByte * bytes.length;
}
