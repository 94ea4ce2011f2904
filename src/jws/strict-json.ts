import { isUtf8 } from 'node:buffer';

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
 * parseStrictJson(Buffer.from('{"a":1,"a":2}')); // { ok: false, problem: 'duplicate-key' }
 * ```
 */
export function parseStrictJson(bytes: Buffer): StrictJsonResult {
  if (!isUtf8(bytes)) return { ok: false, problem: 'utf8' };
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'syntax' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, problem: 'not-object' };
  // Cheap first: when the text names as many members as the parsed value holds, no name repeated.
  if (countMemberNames(text) !== countKeys(value) && hasDuplicateKey(text))
    return { ok: false, problem: 'duplicate-key' };
  return { ok: true, value: value as Record<string, unknown> };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

// Runs only on text JSON.parse already accepted, so it can rely on the grammar being right.
function hasDuplicateKey(text: string): boolean {
  const frames: (Set<string> | null)[] = [];
  let previous = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === QUOTE) {
      const start = i;
      let escaped = false;
      for (i++; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === BACKSLASH) {
          escaped = true;
          i++;
        } else if (c === QUOTE) break;
      }
      const frame = frames[frames.length - 1];
      if (frame && (previous === OPEN_BRACE || previous === COMMA)) {
        // "a" and "\u0061" name the same member: compare decoded names.
        const raw = text.slice(start, i + 1);
        const key = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (frame.has(key)) return true;
        frame.add(key);
      }
      previous = QUOTE;
    } else if (ch === OPEN_BRACE) {
      frames.push(new Set());
      previous = ch;
    } else if (ch === OPEN_BRACKET) {
      frames.push(null);
      previous = ch;
    } else if (ch === CLOSE_BRACE || ch === CLOSE_BRACKET) {
      frames.pop();
      previous = ch;
    } else if (ch > 0x20) {
      previous = ch;
    }
  }
  return false;
}

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
