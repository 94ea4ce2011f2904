import { duplicateMemberName } from '../wire/json-duplicates.js';

/** Why a JOSE header or claims set was refused before any claim was read. */
export type StrictJsonProblem = 'utf8' | 'syntax' | 'duplicate-key' | 'not-object';

/** The result of parsing a JOSE JSON object strictly. */
export type StrictJsonResult =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly problem: StrictJsonProblem };

/**
 * Parses a decoded JOSE header or claims set as RFC 7515 section 4 and RFC 7519 section 4 require:
 * valid UTF-8, valid JSON, a top-level object, and no member name twice at any depth.
 * JSON.parse silently keeps the last duplicate, which lets two parsers disagree on what a token says.
 *
 * @example
 * ```ts
 * parseStrictJson(new TextEncoder().encode('{"a":1,"a":2}')); // { ok: false, problem: 'duplicate-key' }
 * ```
 */
export function parseStrictJson(
  bytes: Uint8Array,
  toText: (bytes: Uint8Array) => string | undefined = utf8Text,
): StrictJsonResult {
  const text = toText(bytes);
  if (text === undefined) return { ok: false, problem: 'utf8' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'syntax' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, problem: 'not-object' };
  // Cheap first: when the text names as many members as the parsed value holds, no name repeated.
  if (countMemberNames(text) !== countKeys(value) && duplicateMemberName(text) !== undefined)
    return { ok: false, problem: 'duplicate-key' };
  return { ok: true, value: value as Record<string, unknown> };
}

const BACKSLASH = 0x5c;

// Counts member names in JSON text: strings followed (after whitespace) by a colon.
function countMemberNames(text: string): number {
  let names = 0;
  let i = text.indexOf('"');
  while (i >= 0) {
    let end = text.indexOf('"', i + 1);
    while (end > 0 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
    if (end < 0) return -1;
    let next = end + 1;
    while (next < text.length && text.charCodeAt(next) <= 0x20) next++;
    if (text.charCodeAt(next) === 0x3a) names++;
    i = text.indexOf('"', end + 1);
  }
  return names;
}

function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let j = quote - 1; text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
  return backslashes % 2 === 1;
}

function countKeys(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += countKeys(item);
    return count;
  }
  for (const key of Object.keys(value))
    count += 1 + countKeys((value as Record<string, unknown>)[key]);
  return count;
}

// Pure code, no Buffer, so edge runtimes read claims as Node does. Claims are nearly always ASCII: that
// path builds the string directly; anything else goes through a fatal TextDecoder (invalid UTF-8 refused;
// a BOM kept, as Buffer kept it, so JSON.parse refuses it on every runtime).
const FATAL_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const CHUNK = 4096;

/**
 * The text of UTF-8 bytes, or undefined when they are not valid UTF-8; a BOM is kept. Pure code: the Web
 * Crypto backend's decoder (the node:crypto one uses Node's native check and decoder).
 *
 * @example
 * ```ts
 * utf8Text(new Uint8Array([0xc0, 0xaf])); // undefined (overlong)
 * ```
 */
export function utf8Text(bytes: Uint8Array): string | undefined {
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] as number) >= 0x80) {
      try {
        return FATAL_UTF8.decode(bytes);
      } catch {
        return undefined;
      }
    }
  }
  if (bytes.length <= CHUNK) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let text = '';
  for (let i = 0; i < bytes.length; i += CHUNK)
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  return text;
}
