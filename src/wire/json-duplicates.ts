// JSON.parse keeps the last of two members with one name, so `{"refresh_token":"a","refresh_token":"b"}`
// means one thing to Tessera and maybe another to a proxy, a WAF or a log pipeline that read the first.
// Request bodies (http/request-body.ts) and JOSE headers and claims (jws/strict-json.ts) are refused
// instead; both read this one scan, which only ever runs on text JSON.parse accepted.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/**
 * The first member name that appears twice in one object, at any depth, of JSON text that
 * `JSON.parse` accepted; undefined when every name is unique. `"a"` and `"\u0061"` are one name.
 *
 * @example
 * ```ts
 * duplicateMemberName('{"a":{"b":1,"b":2}}'); // 'b'
 * duplicateMemberName('{"a":1,"b":{"a":2}}'); // undefined (same name in different objects)
 * ```
 */
export function duplicateMemberName(text: string): string | undefined {
  // A null frame is an array: its strings are values, never names.
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
        const raw = text.slice(start, i + 1);
        const name = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (frame.has(name)) return name;
        frame.add(name);
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
  return undefined;
}
