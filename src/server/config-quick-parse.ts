import { DEFAULT_ALGORITHM, PUBLISHABLE_ALGORITHMS } from '../jwa/algorithms.js';
import { MAX_LEEWAY_SECONDS } from '../jwt/time-options.js';
import { MAX_ROTATIONS_PER_MINUTE } from '../sessions/rotation-limit.js';
import { MAX_GRACE_SECONDS } from '../sessions/session-options.js';
import { POSTGRES_POOLERS } from '../store/postgres/postgres-pooler.js';
import type { ParsedConfig } from './config-schema.js';
import { parseDuration } from './durations.js';

/**
 * The zod schema (config-schema.ts) is the one judge of a configuration, but loading zod is a third of
 * a server's start. This reader accepts only values it can read exactly as the schema would (plain
 * integers, known words, ASCII URLs) and declines everything else, so an odd or invalid value still
 * reaches the schema and its CONFIG_INVALID message. It never refuses anything on its own:
 * test/server/config-quick-parse.test.ts holds it to the schema's output, value by value.
 */

// A reader's answer when only the schema may judge the value.
const DECLINE: unique symbol = Symbol('decline');
type Reader = (value: unknown) => unknown;

const integer =
  (min: number, max: number): Reader =>
  (value) => {
    const number =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^\d{1,9}$/.test(value)
          ? Number(value)
          : NaN;
    return Number.isInteger(number) && number >= min && number <= max ? number : DECLINE;
  };

const text =
  (options: { min: number; max?: number; trim?: boolean; pattern?: RegExp }): Reader =>
  (value) => {
    if (typeof value !== 'string') return DECLINE;
    const read = options.trim === true ? value.trim() : value;
    if (read.length < options.min || read.length > (options.max ?? Infinity)) return DECLINE;
    return options.pattern === undefined || options.pattern.test(read) ? read : DECLINE;
  };

// Only what no URL parser rewrites: no spaces, tabs or newlines (the schema trims and strips them),
// no credentials, no non-ASCII host. Any other URL, valid or not, is the schema's to judge.
const PLAIN_URL = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~%/-]*)?$/;
const url: Reader = (value) =>
  typeof value === 'string' && PLAIN_URL.test(value) && URL.canParse(value) ? value : DECLINE;

const oneOf =
  (words: readonly string[]): Reader =>
  (value) =>
    typeof value === 'string' && words.includes(value) ? value : DECLINE;

const BOOLEAN_WORDS = ['true', 'false', '1', '0', ''];
const bool: Reader = (value) =>
  typeof value === 'boolean'
    ? value
    : typeof value === 'string' && BOOLEAN_WORDS.includes(value)
      ? value === 'true' || value === '1' || value === ''
      : DECLINE;

const list: Reader = (value) => {
  if (Array.isArray(value))
    return value.every((item) => typeof item === 'string') ? [...value] : DECLINE;
  if (typeof value !== 'string') return DECLINE;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
};

// parseDuration throws its own CONFIG_INVALID; the schema throws the same one, after what it checks first.
const duration =
  (name: string, max = Infinity): Reader =>
  (value) => {
    if (typeof value !== 'string' && typeof value !== 'number') return DECLINE;
    try {
      const seconds = parseDuration(value, name);
      return seconds <= max ? seconds : DECLINE;
    } catch {
      return DECLINE;
    }
  };

// In the schema's order (its output keeps that order): reader, and the default when there is one.
const READERS: readonly (readonly [keyof ParsedConfig, Reader, (() => unknown)?])[] = [
  ['port', integer(0, 65_535), () => 8080],
  ['host', text({ min: 1, max: 255, trim: true })],
  ['db', text({ min: 1 }), () => './tessera.db'],
  ['database-url', text({ min: 0, pattern: /^postgres(ql)?:\/\// })],
  ['pg-pooler', oneOf(POSTGRES_POOLERS), () => 'none'],
  ['issuer', url],
  ['audience', text({ min: 1 })],
  ['access-ttl', duration('access-ttl'), () => 900],
  ['refresh-grace', duration('refresh-grace', MAX_GRACE_SECONDS), () => 30],
  ['refresh-rate-limit', integer(1, MAX_ROTATIONS_PER_MINUTE)],
  ['idle-timeout', duration('idle-timeout'), () => 14 * 86_400],
  ['absolute-lifetime', duration('absolute-lifetime'), () => 30 * 86_400],
  ['leeway', duration('leeway', MAX_LEEWAY_SECONDS), () => 60],
  ['allowed-origins', list, () => []],
  ['client-ids', list, () => ['tessera']],
  ['trust-proxy', bool, () => false],
  ['production', bool, () => false],
  ['redis-url', text({ min: 0, pattern: /^rediss?:\/\// })],
  ['signup', bool],
  ['demo', bool],
  ['cookie-same-site', oneOf(['Lax', 'Strict', 'None']), () => 'Lax'],
  ['max-sessions', integer(1, Number.MAX_SAFE_INTEGER)],
  ['allow-long-access-ttl', bool, () => false],
  ['retention', duration('retention'), () => 90 * 86_400],
  ['alg', oneOf(PUBLISHABLE_ALGORITHMS), () => DEFAULT_ALGORITHM],
  ['smtp-url', text({ min: 0, pattern: /^smtps?:\/\/[^\s]+$/ })],
  ['public-url', url],
  ['mail-from', text({ min: 3, max: 320, trim: true })],
  ['mail-templates', text({ min: 1 })],
  ['require-verified-email', bool, () => false],
];
const KNOWN = new Set<string>(READERS.map(([name]) => name));

/**
 * Reads the merged settings as `CONFIG_SCHEMA` would, or answers `undefined` when any value is one
 * only the schema may judge (then parse with the schema, which also words the refusal).
 *
 * @example
 * ```ts
 * quickParseConfig({ port: '9000' })?.port; // 9000
 * quickParseConfig({ port: 'ninety' }); // undefined: the schema says why
 * ```
 */
export function quickParseConfig(
  merged: Readonly<Record<string, unknown>>,
): ParsedConfig | undefined {
  for (const name of Object.keys(merged)) if (!KNOWN.has(name)) return undefined;
  const parsed: Record<string, unknown> = {};
  for (const [name, read, fallback] of READERS) {
    const value = merged[name];
    if (value === undefined) {
      if (fallback !== undefined) parsed[name] = fallback();
      continue;
    }
    const reading = read(value);
    if (reading === DECLINE) return undefined;
    parsed[name] = reading;
  }
  return parsed as ParsedConfig;
}
