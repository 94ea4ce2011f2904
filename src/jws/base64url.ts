/**
 * Strict base64url (RFC 4648 section 5, as RFC 7515 requires): no padding, no `+` or `/`, no whitespace,
 * and the unused trailing bits must be zero, so every byte string has exactly one accepted spelling.
 * Node's decoder is lenient on all four, which lets one token be spelled many ways and slip past
 * caches and deny-lists keyed by the string.
 */

const ALPHABET = /^[A-Za-z0-9_-]*$/;
// Value of each base64url character, used to check the bits a short final group leaves unused.
const VALUES = new Map(
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].map((c, i) => [c, i]),
);

/**
 * Decodes canonical base64url, or returns undefined when the text is not canonical.
 *
 * @example
 * ```ts
 * decodeBase64url('eyJhIjoxfQ'); // <Buffer 7b 22 61 22 3a 31 7d>
 * decodeBase64url('eyJhIjoxfQ=='); // undefined (padding)
 * ```
 */
export function decodeBase64url(text: string): Buffer | undefined {
  if (!ALPHABET.test(text)) return undefined;
  const remainder = text.length % 4;
  if (remainder === 1) return undefined;
  if (remainder !== 0) {
    const last = VALUES.get(text[text.length - 1] as string) as number;
    // 2 chars carry 8 bits (4 unused), 3 chars carry 16 bits (2 unused).
    const unusedMask = remainder === 2 ? 0b1111 : 0b11;
    if ((last & unusedMask) !== 0) return undefined;
  }
  return Buffer.from(text, 'base64url');
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
  return Buffer.from(data).toString('base64url');
}

/**
 * {@link decodeBase64url} for text whose alphabet was already checked (the compact parser checks the
 * payload and signature in one pass); only the length and unused-bit rules remain.
 *
 * @example
 * ```ts
 * decodeCheckedBase64url(payloadSegment);
 * ```
 */
export function decodeCheckedBase64url(text: string): Buffer | undefined {
  const remainder = text.length % 4;
  if (remainder === 1) return undefined;
  if (remainder !== 0) {
    const last = VALUES.get(text[text.length - 1] as string);
    if (last === undefined) return undefined;
    if ((last & (remainder === 2 ? 0b1111 : 0b11)) !== 0) return undefined;
  }
  return Buffer.from(text, 'base64url');
}
