// Generated tokens for the differential test: a valid access token per scenario (lifetime, nbf,
// clock, low-S), then one mutation of its header, claims or encoding.
import fc from 'fast-check';
import type { KeyMaterial } from '../../../src/index.js';
import { AUDIENCE, ISSUER, NOW_S, P256_N, b64u, rawSign, splitRS } from '../../support/forge.js';
import { B64 } from './stricter-rules.js';

const FLIP_CHARS = [...'AQgw_-09az', '=', '+', '/', ' ', '\n', '.', '\u00e9'];
const HEADER_ADDITIONS: readonly [string, unknown][] = [
  ['jku', 'https://evil.test/jwks'],
  ['x5u', 'https://evil.test/c'],
  ['jwk', { kty: 'OKP', crv: 'Ed25519', x: 'AA' }],
  ['x5c', ['MII']],
  ['crit', ['exp']],
  ['b64', false],
  ['b64', true],
  ['cty', 'JWT'],
  ['enc', 'A256GCM'],
  ['zip', 'DEF'],
  ['x-trace', 'abc'],
  ['kid', 'other-kid'],
  ['kid', 7],
  ['typ', 'JWT'],
  ['typ', 'AT+JWT'],
  ['typ', 'application/at+jwt'],
  ['typ', 'refresh+jwt'],
  ['alg', 'none'],
  ['alg', 'HS256'],
  ['alg', 'EdDSA'],
  ['alg', 'ES256'],
  ['alg', 'RS256'],
];
const CLAIM_NAMES = [
  'exp',
  'iat',
  'nbf',
  'iss',
  'aud',
  'sub',
  'client_id',
  'sid',
  'jti',
  'scope',
  'roles',
];
const CLAIM_VALUES: readonly unknown[] = [
  'x',
  '',
  '1767225600',
  -5,
  0,
  null,
  true,
  [],
  {},
  1e300,
  ISSUER,
  AUDIENCE,
  [AUDIENCE, 7],
  ['r'],
  [AUDIENCE],
];

type Mutation =
  | { kind: 'none' }
  | { kind: 'flip'; seg: number; at: number; ch: string }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'header-add'; index: number }
  | { kind: 'header-remove'; name: 'alg' | 'typ' | 'kid' }
  | { kind: 'claim-set'; name: string; value: unknown }
  | { kind: 'claim-remove'; name: string }
  | { kind: 'claim-raw'; text: string }
  | { kind: 'insert'; seg: number; at: number; ch: string }
  | { kind: 'stray-bits'; seg: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      seg: fc.nat(2),
      at: fc.nat(),
      ch: fc.constantFrom(...FLIP_CHARS),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('swap' as const), a: fc.nat(2), b: fc.nat(2) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      seg: fc.nat(2),
      at: fc.nat(),
      ch: fc.constantFrom(' ', '\n', '=', '==', '\t'),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('stray-bits' as const), seg: fc.nat(2) }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('header-add' as const),
      index: fc.nat(HEADER_ADDITIONS.length - 1),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('header-remove' as const),
      name: fc.constantFrom('alg' as const, 'typ' as const, 'kid' as const),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('claim-set' as const),
      name: fc.constantFrom(...CLAIM_NAMES),
      value: fc.constantFrom(...CLAIM_VALUES),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('claim-remove' as const),
      name: fc.constantFrom(...CLAIM_NAMES),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('claim-raw' as const),
      text: fc.constantFrom(
        '"exp":1e400',
        '"exp":"later"',
        '"sub":"admin"',
        '"iss":"https://evil.test"',
        '"iat":-1e400',
        '"aud":"api"',
      ),
    }),
    weight: 2,
  },
);

/** A token's scenario: times, clock, leeway, low-S and one mutation. */
export const scenario = fc.record({
  leeway: fc.constantFrom(0, 60, 300),
  lifetime: fc.oneof(fc.integer({ min: 1, max: 3600 }), fc.integer({ min: 3601, max: 7200 })),
  nbfOffset: fc.option(fc.integer({ min: -120, max: 400 }), { nil: undefined }),
  // Clock relative to iat, in ms, concentrated around the boundaries.
  clockOffsetS: fc.oneof(
    fc.integer({ min: -400, max: 7600 }),
    fc.constantFrom(-300, -301, -60, -61, -1, 0, 1, 3599, 3600, 3601, 3660, 3900),
  ),
  clockMs: fc.integer({ min: 0, max: 999 }),
  lowS: fc.boolean(),
  mutation,
});
export type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;
/** The token a scenario describes, signed with `key` and then mutated. */
export function buildToken(key: KeyMaterial, sc: Scenario): string {
  const iat = NOW_S;
  const header: Record<string, unknown> = { alg: key.alg, typ: 'at+jwt', kid: key.kid };
  const claims: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    client_id: 'web',
    sid: 'sess-1',
    jti: 'jti-1',
    iat,
    exp: iat + sc.lifetime,
    roles: ['user'],
  };
  if (sc.nbfOffset !== undefined) claims.nbf = iat + sc.nbfOffset;
  const m = sc.mutation;
  if (m.kind === 'header-add') {
    const [name, value] = HEADER_ADDITIONS[m.index] as [string, unknown];
    header[name] = value;
  }
  if (m.kind === 'header-remove') delete header[m.name];
  if (m.kind === 'claim-set') claims[m.name] = m.value;
  if (m.kind === 'claim-remove') delete claims[m.name];
  let claimsJson = JSON.stringify(claims);
  if (m.kind === 'claim-raw') claimsJson = claimsJson.replace(/}$/, `,${m.text}}`);
  const input = `${b64u(JSON.stringify(header))}.${b64u(claimsJson)}`;
  let signature = rawSign(key.alg, key.privateKey, input);
  if (key.alg === 'ES256' && sc.lowS) {
    const { r, s } = splitRS(signature);
    if (s > P256_N / 2n)
      signature = Buffer.from(
        r.toString(16).padStart(64, '0') + (P256_N - s).toString(16).padStart(64, '0'),
        'hex',
      );
  }
  const parts = [...input.split('.'), b64u(signature)];
  if (m.kind === 'flip') {
    const seg = parts[m.seg] as string;
    const at = seg.length === 0 ? 0 : m.at % seg.length;
    parts[m.seg] = `${seg.slice(0, at)}${m.ch}${seg.slice(at + 1)}`;
  }
  if (m.kind === 'insert') {
    const seg = parts[m.seg] as string;
    const at = m.at % (seg.length + 1);
    parts[m.seg] = `${seg.slice(0, at)}${m.ch}${seg.slice(at)}`;
  }
  if (m.kind === 'stray-bits') {
    // Set an unused low bit of the last character: lenient decoders read the same bytes.
    const seg = parts[m.seg] as string;
    const value = B64.indexOf(seg.at(-1) ?? 'A');
    if (seg.length % 4 !== 0) parts[m.seg] = `${seg.slice(0, -1)}${B64[value | 1] as string}`;
  }
  if (m.kind === 'swap') [parts[m.a], parts[m.b]] = [parts[m.b] as string, parts[m.a] as string];
  return parts.join('.');
}
