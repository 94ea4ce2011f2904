// The strict JSON reader's fast paths against their references: the colon tally that clears most texts
// of duplicate member names must agree with the full scan on every text JSON.parse accepts (colons in
// names and values, whitespace, escapes, duplicates at any depth), the value comes back deeply frozen,
// and the node:crypto backend's UTF-8 reader (Node's decoder plus a U+FFFD check) must agree with a fatal
// TextDecoder and with the Web Crypto backend's pure decoder on every byte string.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseStrictJson, utf8Text } from '../../src/jws/strict-json.js';
import { duplicateMemberName } from '../../src/wire/json-duplicates.js';
import { nodeCryptoBackend } from '../../src/keys/node-crypto-backend.js';
import { webCryptoBackend } from '../../src/keys/web-crypto-backend.js';

const ENCODER = new TextEncoder();
const FATAL = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Names and strings chosen to collide and to carry colons, quotes and escapes.
const NAMES = ['a', 'b', 'a:b', ':', 'https://x', 'sub', '\\u0061', 'a\\"', 'é'];
const STRINGS = [
  '',
  'x',
  ':',
  'a:b:c',
  'https://auth.example.com',
  '\\":',
  'read write',
  '\\u003a',
];
const SPACE = fc.constantFrom('', '', '', ' ', '\n', '\t ');

interface Text {
  readonly text: string;
}

const json = fc.letrec<{ value: Text; object: Text; array: Text }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(...STRINGS).map((s) => ({ text: `"${s}"` })),
    fc.constantFrom('0', '1e3', '-2.5', 'true', 'false', 'null').map((text) => ({ text })),
    tie('object'),
    tie('array'),
  ),
  object: fc
    .array(fc.tuple(fc.constantFrom(...NAMES), SPACE, SPACE, tie('value')), { maxLength: 5 })
    .map((members) => ({
      text: `{${members.map(([name, before, after, value]) => `"${name}"${before}:${after}${value.text}`).join(',')}}`,
    })),
  array: fc
    .array(tie('value'), { maxLength: 4 })
    .map((items) => ({ text: `[${items.map((item) => item.text).join(', ')}]` })),
}));

function isDeeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeeplyFrozen);
}

describe('parseStrictJson', () => {
  it('refuses a duplicate member name exactly when the full scan finds one', () => {
    let duplicates = 0;
    fc.assert(
      fc.property(json.object, ({ text }) => {
        JSON.parse(text);
        const parsed = parseStrictJson(ENCODER.encode(text));
        const expected = duplicateMemberName(text) !== undefined;
        if (expected) duplicates++;
        expect(parsed.ok ? 'ok' : parsed.problem).toBe(expected ? 'duplicate-key' : 'ok');
        if (parsed.ok) expect(isDeeplyFrozen(parsed.value)).toBe(true);
      }),
      { numRuns: 3000 },
    );
    // The generator must exercise both answers.
    expect(duplicates).toBeGreaterThan(300);
  });

  it('refuses duplicates the colon tally must not miss', () => {
    const cases = [
      '{"a":1,"a":2}',
      '{"a":1,"a" :2}',
      '{"a:b":1,"a:b":2}',
      '{"x":"a:b","x":":"}',
      '{"a":":","b":{"c":1,"c":"::"}}',
      '{"a":[{"b":1},{"b":2,"b":3}]}',
      '{"a":1,"\\u0061":2}',
      '{"iss":"https://a","aud":"https://b","iss":"https://c"}',
    ];
    for (const text of cases)
      expect(parseStrictJson(ENCODER.encode(text))).toEqual({
        ok: false,
        problem: 'duplicate-key',
      });
  });

  it('accepts colons, whitespace and escapes that repeat no name (controls)', () => {
    const cases = [
      '{"a:b":"c:d","e":[":",":"],"f":{"a":"::"}}',
      '{ "a" : 1 , "b" : { "a" : 2 } }',
      '{"a":"\\u003a","b":"\\":"}',
      '{"a":[{"b":1},{"b":2}]}',
    ];
    for (const text of cases) {
      const parsed = parseStrictJson(ENCODER.encode(text));
      expect(parsed).toEqual({ ok: true, value: JSON.parse(text) });
      expect(parsed.ok && isDeeplyFrozen(parsed.value)).toBe(true);
    }
  });
});

describe('parseStrictJson on the deepest nesting a token can carry', () => {
  it('answers for thousands of levels instead of overflowing the stack', () => {
    // 8 KiB of token is at most ~6100 bytes of payload: every one of them an opening bracket.
    for (const [open, close] of [
      ['[', ']'],
      ['{"a":', '}'],
    ] as const) {
      const depth = Math.floor(6100 / open.length);
      const text = `{"x":${open.repeat(depth)}0${close.repeat(depth)}}`;
      const parsed = parseStrictJson(ENCODER.encode(text));
      expect(parsed.ok).toBe(true);
      expect(parseStrictJson(ENCODER.encode(`{"x":1,${text.slice(1)}`))).toEqual({
        ok: false,
        problem: 'duplicate-key',
      });
    }
  });
});

describe('UTF-8 readers', () => {
  const readers = {
    pure: utf8Text,
    node: nodeCryptoBackend.utf8Text,
    web: webCryptoBackend.utf8Text,
  };
  const reference = (bytes: Uint8Array): string | undefined => {
    try {
      return FATAL.decode(bytes);
    } catch {
      return undefined;
    }
  };
  // Mostly valid UTF-8 with some bytes spliced in, so both answers come up often.
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 24 }),
    fc
      .tuple(
        fc.string({ unit: 'binary', maxLength: 12 }),
        fc.uint8Array({ maxLength: 3 }),
        fc.nat(),
      )
      .map(([text, extra, at]) => {
        const valid = ENCODER.encode(text);
        const cut = valid.length === 0 ? 0 : at % (valid.length + 1);
        return Uint8Array.from([...valid.subarray(0, cut), ...extra, ...valid.subarray(cut)]);
      }),
  );

  it('agree with a fatal TextDecoder on every byte string, on both backends', () => {
    fc.assert(
      fc.property(bytes, (input) => {
        const expected = reference(input);
        for (const read of Object.values(readers)) expect(read(input)).toBe(expected);
        expect(nodeCryptoBackend.utf8Text(Buffer.from(input))).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('accept a U+FFFD that was sent, and refuse every sequence Node would replace with one', () => {
    const sent = ENCODER.encode('{"name":"\uFFFD"}');
    for (const read of Object.values(readers)) expect(read(sent)).toBe('{"name":"\uFFFD"}');
    const invalid = [
      [0x80],
      [0xff],
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xe2, 0x82],
      [0xf4, 0x90, 0x80, 0x80],
      [0xef, 0xbf, 0xbd, 0xc3],
    ];
    for (const sequence of invalid) {
      const input = Uint8Array.from([0x7b, ...sequence, 0x7d]);
      for (const read of Object.values(readers)) expect(read(input)).toBeUndefined();
    }
  });
});
