// Values from a token are attacker-controlled: explanations show them escaped, ASCII-only and short.
import { beforeAll, describe, expect, it } from 'vitest';
import { type TesseraError } from '../../src/index.js';
import { describeUntrusted, formatDuration, formatInstant } from '../../src/errors/explain.js';
import {
  NOW_S,
  claimsAt,
  createFixture,
  expectRejection,
  forgeSigned,
  headerFor,
  type Fixture,
} from '../support/forge.js';

const ASCII_LINE = /^[\x20-\x7e]*$/;
let ed: Fixture;

beforeAll(async () => {
  ed = await createFixture('EdDSA');
});

function expectSafe(error: TesseraError, limit = 400): void {
  expect(error.message).toMatch(ASCII_LINE);
  expect(error.message.length).toBeLessThan(limit);
  for (const value of Object.values(error.facts)) {
    if (typeof value === 'string') expect(value).toMatch(ASCII_LINE);
  }
}

describe('describeUntrusted', () => {
  it('escapes a newline so no log line can be forged', () => {
    expect(describeUntrusted('evil\nINFO admin logged in')).toBe('"evil\\nINFO admin logged in"');
  });

  it('escapes non-ASCII and control characters', () => {
    const shown = describeUntrusted('k\u00efd\u202e\u0007\u{1F511}');
    expect(shown).toMatch(ASCII_LINE);
    expect(shown).toContain('\\u202e');
  });

  it('cuts a 10 KB string to a short ASCII text', () => {
    const shown = describeUntrusted(`${'A'.repeat(5000)}\n${'\u00e9'.repeat(5000)}`);
    expect(shown).toMatch(ASCII_LINE);
    expect(shown.length).toBeLessThan(100);
    expect(shown.endsWith('...(cut)')).toBe(true);
  });

  it('survives values JSON cannot render', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(describeUntrusted(circular)).toMatch(ASCII_LINE);
    expect(describeUntrusted(10n)).toMatch(ASCII_LINE);
    expect(describeUntrusted(undefined)).toBe('undefined');
  });
});

describe('explanations of tokens with hostile values', () => {
  it.each([
    ['a newline', 'kid\nERROR forged'],
    ['non-ASCII and a right-to-left override', '\u202ekid-\u00e9\u{1F511}'],
    ['5 000 characters (the largest a token under 8 KB can carry)', 'k'.repeat(5000)],
    ['5 000 characters with a newline', `${'k'.repeat(2500)}\n${'k'.repeat(2500)}`],
  ])('a kid with %s gives a short ASCII message', (_name, kid) => {
    expectSafe(
      expectRejection(
        ed.verifier,
        forgeSigned(ed.key, headerFor(ed.key, { kid }), claimsAt(NOW_S)),
        'KEY_UNKNOWN',
      ),
    );
  });

  it('an unknown but well-formed 128-character kid is cut', () => {
    const error = expectRejection(
      ed.verifier,
      forgeSigned(ed.key, headerFor(ed.key, { kid: 'k'.repeat(128) }), claimsAt(NOW_S)),
      'KEY_UNKNOWN',
    );
    expectSafe(error, 300);
    expect(error.message).not.toContain('k'.repeat(100));
  });

  it('a typ with a newline and 5 000 characters gives a short ASCII message', () => {
    const typ = `JWT\r\n${'x'.repeat(5000)}`;
    expectSafe(
      expectRejection(
        ed.verifier,
        forgeSigned(ed.key, headerFor(ed.key, { typ }), claimsAt(NOW_S)),
        'TOKEN_TYPE_MISMATCH',
      ),
    );
  });

  it('an alg with a newline gives a short ASCII message', () => {
    expectSafe(
      expectRejection(
        ed.verifier,
        forgeSigned(ed.key, headerFor(ed.key, { alg: 'none\nINFO ok' }), claimsAt(NOW_S)),
        'ALGORITHM_NOT_ALLOWED',
      ),
    );
  });

  it('an issuer of 2 000 non-ASCII and newline characters gives a short ASCII message and facts', () => {
    expectSafe(
      expectRejection(
        ed.verifier,
        forgeSigned(ed.key, headerFor(ed.key), claimsAt(NOW_S, { iss: '\u00e9\n'.repeat(1000) })),
        'ISSUER_MISMATCH',
      ),
    );
  });

  it('an audience array of hostile strings gives a short ASCII message and facts', () => {
    expectSafe(
      expectRejection(
        ed.verifier,
        forgeSigned(
          ed.key,
          headerFor(ed.key),
          claimsAt(NOW_S, { aud: ['\u2028', 'x'.repeat(3000)] }),
        ),
        'AUDIENCE_MISMATCH',
      ),
    );
  });

  it('a wrong-typed claim holding a long hostile string gives a short ASCII message', () => {
    expectSafe(
      expectRejection(
        ed.verifier,
        forgeSigned(ed.key, headerFor(ed.key), claimsAt(NOW_S, { exp: `\n${'9'.repeat(4000)}` })),
        'CLAIM_INVALID',
      ),
    );
  });

  it('a header with cty of 5 000 characters gives a short ASCII message', () => {
    expectSafe(
      expectRejection(
        ed.verifier,
        forgeSigned(
          ed.key,
          headerFor(ed.key, { cty: `JWT\n${'y'.repeat(5000)}` }),
          claimsAt(NOW_S),
        ),
        'TOKEN_UNSUPPORTED',
      ),
    );
  });
});

describe('numbers in explanations', () => {
  it('formats durations and instants, including out-of-range ones', () => {
    expect(formatDuration(95)).toBe('1 min 35 s');
    expect(formatDuration(7500)).toBe('2 h 5 min');
    expect(formatInstant(1_767_268_805)).toBe('2026-01-01T12:00:05Z');
    expect(formatInstant(1e300)).toMatch(/^\(out of range/);
  });
});
