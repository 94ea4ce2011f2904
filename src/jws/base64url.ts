/**
 * Strict base64url (RFC 4648 section 5, as RFC 7515 requires): no padding, no `+` or `/`, no whitespace,
 * and the unused trailing bits must be zero, so every byte string has exactly one accepted spelling.
 * Node's decoder is lenient on all four, which lets one token be spelled many ways and slip past
 * caches and deny-lists keyed by the string.
 *
 * Pure code, no `Buffer`: the same decoder runs on Node, edge runtimes and browsers (`tessera-auth/verify`).
 */

const ALPHABET = /^[A-Za-z0-9_-]*$/;
const CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// Value of each base64url character by char code; 255 marks a character outside the alphabet.
const VALUES = new Uint8Array(128).fill(255);
for (let i = 0; i < CHARS.length; i++) VALUES[CHARS.charCodeAt(i)] = i;

/**
 * Decodes canonical base64url, or returns undefined when the text is not canonical.
 *
 * @example
 * ```ts
 * decodeBase64url('eyJhIjoxfQ'); // Uint8Array [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x31, 0x7d]
 * decodeBase64url('eyJhIjoxfQ=='); // undefined (padding)
 * ```
 */
export function decodeBase64url(text: string): Uint8Array | undefined {
  if (!ALPHABET.test(text)) return undefined;
  return decodeCheckedBase64url(text);
}

/**
 * {@link decodeBase64url} for text whose alphabet was already checked (the compact parser checks the
 * payload and signature in one pass); only the length and unused-bit rules remain. The rules are decided
 * here; `toBytes` only converts text already proven canonical (the node:crypto backend passes Node's
 * native decoder, which is several times faster than pure code on the hot path).
 *
 * @example
 * ```ts
 * decodeCheckedBase64url(payloadSegment);
 * ```
 */
export function decodeCheckedBase64url(
  text: string,
  toBytes: (canonical: string) => Uint8Array = canonicalBase64urlBytes,
): Uint8Array | undefined {
  const length = text.length;
  const remainder = length % 4;
  if (remainder === 1) return undefined;
  if (remainder !== 0) {
    const last = VALUES[text.charCodeAt(length - 1)] ?? 255;
    // 2 chars carry 8 bits (4 unused), 3 chars carry 16 bits (2 unused).
    if (last === 255 || (last & (remainder === 2 ? 0b1111 : 0b11)) !== 0) return undefined;
  }
  return toBytes(text);
}

/**
 * The bytes of base64url text already proven canonical, in pure code (no Buffer): the Web Crypto
 * backend's decoder.
 *
 * @example
 * ```ts
 * canonicalBase64urlBytes('eyJhIjoxfQ'); // Uint8Array of '{"a":1}'
 * ```
 */
export function canonicalBase64urlBytes(text: string): Uint8Array {
  const length = text.length;
  const remainder = length % 4;
  const bytes = new Uint8Array((length * 3) >> 2);
  let out = 0;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const n =
      (value(text, i) << 18) |
      (value(text, i + 1) << 12) |
      (value(text, i + 2) << 6) |
      value(text, i + 3);
    bytes[out++] = n >> 16;
    bytes[out++] = (n >> 8) & 0xff;
    bytes[out++] = n & 0xff;
  }
  if (remainder >= 2) {
    const n = (value(text, i) << 18) | (value(text, i + 1) << 12);
    bytes[out++] = n >> 16;
    if (remainder === 3) bytes[out] = ((n | (value(text, i + 2) << 6)) >> 8) & 0xff;
  }
  return bytes;
}

function value(text: string, index: number): number {
  return VALUES[text.charCodeAt(index)] as number;
}

/**
 * Encodes bytes or a UTF-8 string as base64url without padding.
 *
 * @example
 * ```ts
 * encodeBase64url('{"a":1}'); // 'eyJhIjoxfQ'
 * ```
 */
export function encodeBase64url(data: Uint8Array | string): string {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let text = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n =
      ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    text += CHARS[n >> 18]! + CHARS[(n >> 12) & 63]! + CHARS[(n >> 6) & 63]! + CHARS[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = ((bytes[i] as number) << 16) | (rest === 2 ? (bytes[i + 1] as number) << 8 : 0);
    text += CHARS[n >> 18]! + CHARS[(n >> 12) & 63]!;
    if (rest === 2) text += CHARS[(n >> 6) & 63]!;
  }
  return text;
}
