import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { TesseraError } from '../errors/tessera-error.js';
import {
  estimateStructuredBits,
  repeatingChunk,
  type SecretStructure,
} from './secret-structure.js';

/**
 * Generic placeholder secrets, written for Tessera (single words and stock phrases such as
 * "your-256-bit-secret" or "keyboard cat", not copied from any published list): the doctor tries them
 * against HS256 tokens, and every secret check refuses them. Everything else weak is refused by its
 * structure (see `secret-structure.ts`), not by a list.
 */
export const WELL_KNOWN_SECRETS: readonly string[] = [
  'secret',
  'your-256-bit-secret',
  'your-secret-key',
  'jwt-secret',
  'jwt_secret',
  'supersecret',
  'changeme',
  'shhhhh',
  'keyboard cat',
  'mysecret',
  'password',
  'default',
];

const MIN_SECRET_BYTES = 32;
const MIN_ESTIMATED_BITS = 128;
const PASSPHRASE_WORD_SHARE = 0.8;

/** Why a secret was refused; `structures` names what was found in it, when it is text. */
export interface SecretWeakness {
  readonly reason: string;
  readonly structures: readonly SecretStructure[];
}

/**
 * Refuses an HMAC secret that is short, well known, low in entropy, built from words, walks, runs or
 * repeats, hex or base64 of readable text, or actually a public key (the classic RS256-to-HS256
 * confusion: a public key is public, so it is no secret).
 *
 * @example
 * ```ts
 * assertStrongSecret(randomBytes(32)); // passes
 * assertStrongSecret('secret'); // throws TesseraError SECRET_WEAK
 * ```
 */
export function assertStrongSecret(secret: string | Uint8Array): void {
  const weakness = findSecretWeakness(secret);
  if (weakness !== undefined) {
    throw new TesseraError(
      'SECRET_WEAK',
      `HS256 secret refused: ${weakness.reason}. Generate one with: npx tessera keys secret`,
      {
        secretBytes: secretBytes(secret).length,
        minimumBytes: MIN_SECRET_BYTES,
      },
    );
  }
}

/**
 * The same judgement as {@link assertStrongSecret}, as a value: undefined for a strong secret. Used for
 * `TESSERA_KEY_SECRET`, which seals the stored signing keys and must be as strong as an HS256 key.
 *
 * @example
 * ```ts
 * findSecretWeakness('a'.repeat(32))?.reason; // 'it is one character repeated 32 times'
 * ```
 */
export function findSecretWeakness(secret: string | Uint8Array): SecretWeakness | undefined {
  const bytes = secretBytes(secret);
  const text = typeof secret === 'string' ? secret : printableText(bytes);
  return findWeakness(bytes, text ?? bytes.toString('latin1'), text !== undefined);
}

/**
 * A fresh secret for `TESSERA_KEY_SECRET` or HS256: 32 random bytes as base64url (43 characters).
 *
 * @example
 * ```ts
 * process.stdout.write(`${generateSecret()}\n`); // what `tessera keys secret` prints
 * ```
 */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

function secretBytes(secret: string | Uint8Array): Buffer {
  return typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
}

function weak(reason: string, structures: readonly SecretStructure[] = []): SecretWeakness {
  return { reason, structures };
}

function findWeakness(bytes: Buffer, text: string, isText: boolean): SecretWeakness | undefined {
  const lowered = text.trim().toLowerCase();
  if (WELL_KNOWN_SECRETS.some((known) => known.toLowerCase() === lowered))
    return weak('it is a well-known example secret');
  if (text.includes('-----BEGIN') || text.startsWith('ssh-'))
    return weak('it is a PEM or SSH key, which may be public');
  if (text.trimStart().startsWith('{') && text.includes('"kty"'))
    return weak('it is a JWK, which may be public');
  if (bytes[0] === 0x30 && isDerKey(bytes))
    return weak('it is a DER-encoded key, which may be public');
  if (bytes.length < MIN_SECRET_BYTES)
    return weak(
      `it is ${bytes.length} bytes; at least ${MIN_SECRET_BYTES} random bytes are required`,
    );
  const repeated = repeatingChunk(isText ? text.trim() : text);
  if (repeated !== undefined)
    return weak(
      repeated.length === 1
        ? `it is one character repeated ${text.trim().length} times`
        : `it is repeated text (a ${repeated.length}-character chunk over and over)`,
      ['repeated text'],
    );
  if (isText) {
    const textWeakness = findTextWeakness(text.trim());
    if (textWeakness !== undefined) return textWeakness;
  }
  // Sequences ("abcdef...", "0123456789abcdef" twice) have a flat byte histogram; their steps do not.
  // There is one step fewer than bytes; scale so both estimates count the same length.
  const stepBits = (estimateEntropyBits(stepsBetween(bytes)) * bytes.length) / (bytes.length - 1);
  const bits = Math.min(estimateEntropyBits(bytes), stepBits);
  if (bits < MIN_ESTIMATED_BITS)
    return weak(
      `it carries about ${Math.round(bits)} bits of entropy; at least ${MIN_ESTIMATED_BITS} are required`,
    );
  return undefined;
}

function findTextWeakness(text: string): SecretWeakness | undefined {
  const decoded = decodeEncoding(text);
  if (decoded !== undefined) {
    const inner = printableText(decoded.bytes);
    if (inner !== undefined && inner.trim().length >= 8)
      return weak(`it is ${decoded.encoding} of readable text, not of random bytes`);
    if (decoded.bytes.length >= 8 && repeatingChunk(decoded.bytes.toString('latin1')) !== undefined)
      return weak(`it is ${decoded.encoding} of repeated bytes`, ['repeated text']);
  }
  const estimate = estimateStructuredBits(text);
  // Text that reads as a sentence is a passphrase, whatever its length: people choose sentences.
  if (estimate.wordShare >= PASSPHRASE_WORD_SHARE)
    return weak('it reads as English words (a passphrase), not random bytes', estimate.found);
  if (estimate.bits < MIN_ESTIMATED_BITS) {
    const built = estimate.found.length === 0 ? 'a small alphabet' : estimate.found.join(', ');
    return weak(
      `it is built from ${built}: about ${Math.round(estimate.bits)} bits by its structure; at least ${MIN_ESTIMATED_BITS} are required`,
      estimate.found,
    );
  }
  return undefined;
}

// Hex and base64 are how random bytes are usually written; decoding shows whether they were random.
function decodeEncoding(text: string): { encoding: 'hex' | 'base64'; bytes: Buffer } | undefined {
  if (/^([0-9a-f]{2})+$/i.test(text)) return { encoding: 'hex', bytes: Buffer.from(text, 'hex') };
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text) || /^[A-Za-z0-9_-]+$/.test(text))
    return {
      encoding: 'base64',
      bytes: Buffer.from(text, text.includes('/') || text.includes('+') ? 'base64' : 'base64url'),
    };
  return undefined;
}

// Printable ASCII (tabs and line ends allowed): how a secret typed or pasted by a person looks.
function printableText(bytes: Buffer): string | undefined {
  for (const byte of bytes)
    if ((byte < 0x20 || byte > 0x7e) && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d)
      return undefined;
  return bytes.toString('latin1');
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
// repeated characters and tiny alphabets ("aaaa...", "0101..."). A sample of 32 under-counts the
// entropy of a random source (most symbols are seen once), so the Miller-Madow term adds it back;
// without it one random 32-character secret in a few hundred fell just under the bar.
function estimateEntropyBits(bytes: Buffer): number {
  const counts = new Map<number, number>();
  for (const byte of bytes) counts.set(byte, (counts.get(byte) ?? 0) + 1);
  let perByte = 0;
  for (const count of counts.values()) {
    const p = count / bytes.length;
    perByte -= p * Math.log2(p);
  }
  const correction = bytes.length === 0 ? 0 : (counts.size - 1) / (2 * bytes.length * Math.LN2);
  return (perByte + correction) * bytes.length;
}
