import { describe, expect, it } from 'vitest';
import { quickParseConfig } from '../../src/server/config-quick-parse.js';
import { CONFIG_SCHEMA } from '../../src/server/config-schema.js';
import { SETTINGS, type SettingName } from '../../src/server/settings.js';

// Values every setting is tried with: right and wrong types, edges of the bounds, odd spellings.
const COMMON: readonly unknown[] = [
  '',
  ' ',
  'x',
  '0',
  '1',
  '-1',
  '1.5',
  '1e3',
  ' 42 ',
  '0x10',
  'true',
  'false',
  'TRUE',
  0,
  1,
  -1,
  -0,
  1.5,
  NaN,
  Infinity,
  2 ** 53,
  true,
  false,
  null,
  [],
  ['a', 'b'],
  ['a', 1],
  {},
  'a,b, ,c',
  'https://auth.example.com',
];

// Values that only make sense for one setting, at and around what the schema allows.
const SPECIFIC: Partial<Record<SettingName, readonly unknown[]>> = {
  port: ['8080', '65535', '65536', 65_535, 65_536, '0009000', '999999999'],
  host: ['127.0.0.1', '  ::1  ', 'h'.repeat(255), 'h'.repeat(256), ` ${'h'.repeat(255)} `],
  'database-url': ['postgres://u@h/db', 'postgresql://h/db', 'mysql://h/db', ' postgres://h'],
  'pg-pooler': ['none', 'transaction', 'session', 'None'],
  issuer: [
    'http://localhost:8080',
    'https://auth.bench',
    'https://auth.example.com/tenant/a',
    'https://auth.example.com:99999',
    'https://exa\nmple.com',
    ' https://auth.example.com ',
    'https://user:pw@auth.example.com',
    'https://bücher.example',
    'http:example.com',
    'ftp://files.example.com',
    'https://',
    'https://a..b',
    'https://[::1]:8080',
  ],
  'access-ttl': ['15m', '90s', '2h', '14d', '15 m', '15M', 900, '1000000000', ' 5m '],
  'refresh-grace': ['600', '601', '10m', '11m', 600, 601],
  'refresh-rate-limit': ['1', '10000', '10001', 10_000, 10_001],
  leeway: ['300', '301', '5m', '6m', 300, 301],
  'allowed-origins': ['https://a.example, https://b.example', ['https://a.example'], ',,'],
  'cookie-same-site': ['Lax', 'Strict', 'None', 'lax'],
  'max-sessions': ['5', 5, '0'],
  alg: ['ES256', 'EdDSA', 'RS256', 'PS256', 'HS256', 'es256'],
  'smtp-url': ['smtp://u:p@h:587', 'smtps://h', 'smtp://', 'smtp://a b', 'http://h'],
  'public-url': ['https://app.example.com', 'http://localhost:3000', 'ftp://app.example.com'],
  'mail-from': ['Tessera <t@example.com>', '  ab  ', 'abc', 'a'.repeat(321)],
};

type Outcome = { ok: true; data: unknown } | { ok: false };

const bySchema = (input: Record<string, unknown>): Outcome => {
  try {
    const parsed = CONFIG_SCHEMA.safeParse(input);
    return parsed.success ? { ok: true, data: parsed.data } : { ok: false };
  } catch {
    // parseDuration throws its own CONFIG_INVALID from inside the schema.
    return { ok: false };
  }
};

const expectSameAsSchema = (input: Record<string, unknown>): boolean => {
  const quick = quickParseConfig(input);
  if (quick === undefined) return false;
  const schema = bySchema(input);
  expect(schema, JSON.stringify(input)).toEqual({ ok: true, data: quick });
  if (schema.ok) expect(Object.keys(quick)).toEqual(Object.keys(schema.data as object));
  return true;
};

describe('the quick configuration reader', () => {
  it('reads every value it accepts exactly as the schema does, and accepts nothing the schema refuses', () => {
    let accepted = 0;
    for (const name of Object.keys(SETTINGS) as SettingName[])
      for (const value of [...COMMON, ...(SPECIFIC[name] ?? [])])
        if (expectSameAsSchema({ [name]: value })) accepted++;
    // It must read the ordinary values itself, or the server's start loads zod after all.
    expect(accepted).toBeGreaterThan(150);
  });

  it('reads the defaults and an ordinary deployment without the schema', () => {
    expect(expectSameAsSchema({})).toBe(true);
    expect(
      expectSameAsSchema({
        db: '/var/lib/tessera/tessera.db',
        issuer: 'https://auth.example.com',
        audience: 'api',
        'access-ttl': '15m',
        port: '8080',
        production: 'true',
        'allowed-origins': 'https://app.example.com',
        'smtp-url': 'smtps://mailer:secret@smtp.example.com:465',
        'public-url': 'https://app.example.com',
        'mail-from': 'Example <no-reply@example.com>',
      }),
    ).toBe(true);
  });

  it('leaves an unknown setting to the schema, which refuses it', () => {
    expect(quickParseConfig({ prot: '8080' })).toBeUndefined();
    expect(bySchema({ prot: '8080' }).ok).toBe(false);
  });
});
