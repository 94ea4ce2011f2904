import { duplicateMemberName } from '../wire/json-duplicates.js';

/** Why a JOSE header or claims set was refused before any claim was read. */
export type StrictJsonProblem = 'utf8' | 'syntax' | 'duplicate-key' | 'not-object';

/** The result of parsing a JOSE JSON object strictly; the value is deeply frozen. */
export type StrictJsonResult =
  | { readonly ok: true; readonly value: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly problem: StrictJsonProblem };

/**
 * Parses a decoded JOSE header or claims set as RFC 7515 section 4 and RFC 7519 section 4 require:
 * valid UTF-8, valid JSON, a top-level object, and no member name twice at any depth.
 * JSON.parse silently keeps the last duplicate, which lets two parsers disagree on what a token says.
 * The value comes back deeply frozen (it is walked once anyway), so verified claims can be shared.
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
  const tally = freezeAndTally(value);
  // Cheap first. Without a backslash, every name and string reads in the text exactly as parsed, and a
  // colon is either inside one of them or follows a member name: so the text holds exactly `tally`
  // colons when every member survived, and more when JSON.parse dropped a repeated one. With escapes
  // (rare in claims), or when the counts differ, the full scan decides.
  const suspect = text.includes('\\') || countColons(text) !== tally;
  if (suspect && duplicateMemberName(text) !== undefined)
    return { ok: false, problem: 'duplicate-key' };
  return { ok: true, value: value as Record<string, unknown> };
}

// Freezes a parsed value deeply and returns its member count plus the colons in every own member name
// and string value (Object.keys and Object.values: own members only, never anything inherited). One
// stack frame per level of nesting: the deepest payload that fits a token is a few thousand levels.
function freezeAndTally(value: object): number {
  let tally = 0;
  let items = value as unknown[];
  if (!Array.isArray(value)) {
    const names = Object.keys(value);
    items = Object.values(value);
    tally += names.length;
    for (let i = 0; i < names.length; i++) tally += countColons(names[i] as string);
  }
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (typeof item === 'string') tally += countColons(item);
    else if (typeof item === 'object' && item !== null) tally += freezeAndTally(item);
  }
  Object.freeze(value);
  return tally;
}

function countColons(text: string): number {
  let colons = 0;
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) colons++;
  return colons;
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
