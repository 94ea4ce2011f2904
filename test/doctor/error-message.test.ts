// `tessera doctor --error`: the messages are produced by running each library on a token forged here
// and pasted the way people paste them (the thrown error as text, the middleware's HTTP body). The
// Supabase, Auth0 and SuperTokens messages come from services that cannot run here: they are the
// strings those services document and print, and are marked as such.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  matchErrorMessage,
  MAX_MESSAGE_CHARS,
  redactSecrets,
} from '../../src/doctor/message/match-error.js';
import { renderMessageReport } from '../../src/doctor/message/render-message.js';
import { createAccessTokenVerifier } from '../../src/jwt/verify-access-token.js';
import { isTesseraError } from '../../src/errors/tessera-error.js';
import { segment } from '../support/forge.js';
import { runLibrary, startMiddlewareApp, type VerifyConfig } from './verifier-libraries.js';

const SECRET = 'b7Kq2!vR9#xL4$mN8%pT3^wZ6&cF1*hJ';
const nowS = (): number => Math.floor(Date.now() / 1000);
const hs256 = (
  payload: unknown,
  secret = SECRET,
  header: unknown = { alg: 'HS256', typ: 'JWT' },
): string => {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};

const config: VerifyConfig = { secret: SECRET, audience: 'orders-api' };
let app: { url: string; close: () => Promise<void> };
beforeAll(async () => {
  app = await startMiddlewareApp(config);
});
afterAll(async () => {
  await app.close();
});

const FAULTS = [
  {
    name: 'expired',
    token: () => hs256({ aud: 'orders-api', exp: nowS() - 60 }),
    code: 'TOKEN_EXPIRED',
  },
  {
    name: 'wrong secret',
    token: () =>
      hs256({ aud: 'orders-api', exp: nowS() + 600 }, 'another-secret-of-32-characters!!'),
    code: 'SIGNATURE_INVALID',
  },
  {
    name: 'not active',
    token: () => hs256({ aud: 'orders-api', nbf: nowS() + 600, exp: nowS() + 900 }),
    code: 'TOKEN_NOT_YET_VALID',
  },
  {
    name: 'other audience',
    token: () => hs256({ aud: 'billing', exp: nowS() + 600 }),
    code: 'AUDIENCE_MISMATCH',
  },
  {
    name: 'two parts',
    token: () =>
      hs256({ exp: nowS() + 600 })
        .split('.')
        .slice(0, 2)
        .join('.'),
    code: 'TOKEN_MISSING',
  },
] as const;

const LIBRARIES = ['jsonwebtoken', 'jose', 'fast-jwt', 'express-jwt'] as const;

describe('messages produced by running each library', () => {
  for (const fault of FAULTS)
    for (const library of LIBRARIES)
      it(`${library}: ${fault.name}`, async () => {
        const error = await runLibrary(library, fault.token(), config, app);
        expect(error).not.toBeNull();
        // Pasted as people paste it: "Name: message", with the code when the library has one.
        const pasted = `${error?.name ?? ''}${error?.code ? ` [${error.code}]` : ''}: ${error?.message ?? ''}`;
        const report = matchErrorMessage(pasted);
        expect(report.matches[0]?.source).toBe(
          library === 'express-jwt' ? 'jsonwebtoken' : library,
        );
        const codes = report.matches.flatMap((m) => m.causes.map((c) => c.code));
        expect(codes).toContain(fault.code === 'TOKEN_MISSING' ? 'TOKEN_MALFORMED' : fault.code);
        expect(report.matches[0]?.causes[0]?.code).toBe(fault.code);
      });

  it('passport-jwt and @nestjs/jwt answer a bare 401: the doctor says the cause is hidden and how to see it', async () => {
    const token = FAULTS[0].token();
    const passport = await runLibrary('passport-jwt', token, config, app);
    const nest = await runLibrary('@nestjs/jwt', token, config, app);
    const bare = matchErrorMessage(`401 ${passport?.response ?? ''}`);
    expect(bare.matches[0]?.id).toBe('passport-unauthorized');
    const guard = matchErrorMessage(nest?.response ?? '');
    expect(guard.matches[0]?.id).toBe('nest-unauthorized');
    for (const report of [bare, guard])
      expect(report.matches[0]?.causes.map((c) => c.check).join('\n')).toMatch(
        /passport.authenticate with a callback receives it as info/,
      );
    // What Nest's JwtService threw underneath is jsonwebtoken's, and is matched as such.
    expect(matchErrorMessage(`${nest?.name}: ${nest?.message}`).matches[0]?.id).toBe(
      'jsonwebtoken-expired',
    );
  });

  it("Tessera's own refusal, from its verifier", () => {
    const verifier = createAccessTokenVerifier({
      keys: { verificationKey: () => undefined },
      issuer: 'https://auth.test',
      audience: 'api',
    });
    let pasted = '';
    try {
      verifier.verify(
        hs256({ exp: nowS() + 600 }, SECRET, { alg: 'HS256', typ: 'at+jwt', kid: 'k1' }),
      );
    } catch (error) {
      if (isTesseraError(error)) pasted = `${error.code}: ${error.message}`;
    }
    const report = matchErrorMessage(pasted);
    expect(report.matches[0]).toMatchObject({ id: 'tessera-KEY_UNKNOWN', source: 'tessera' });
    expect(report.matches[0]?.causes[0]).toMatchObject({
      code: 'KEY_UNKNOWN',
      bucket: 'validation',
    });
  });
});

describe('messages of services that cannot run here (their documented wording)', () => {
  const cases: [string, string, string | null][] = [
    [
      'invalid JWT: unable to parse or verify signature, token is expired by 5m3s',
      'supabase-expired-by',
      'TOKEN_EXPIRED',
    ],
    [
      'invalid JWT: unable to parse or verify signature, signature is invalid',
      'supabase-bad-jwt',
      'SIGNATURE_INVALID',
    ],
    ['{"code":"PGRST301","message":"JWT expired"}', 'supabase-jwt-expired', 'TOKEN_EXPIRED'],
    [
      'AuthApiError: Invalid Refresh Token: Already Used',
      'supabase-refresh-used',
      'REFRESH_TOKEN_REUSED',
    ],
    ['AuthSessionMissingError: Auth session missing!', 'supabase-session-missing', 'TOKEN_MISSING'],
    [
      "Missing Refresh Token (audience: 'https://api.example.com', scope: 'openid offline_access')",
      'auth0-missing-refresh-token',
      'REFRESH_TOKEN_MISSING',
    ],
    ['Error: Login required', 'auth0-login-required', null],
    [
      '{"error":"invalid_grant","error_description":"Unknown or invalid refresh token."}',
      'auth0-invalid-refresh',
      'REFRESH_TOKEN_REUSED',
    ],
    ['{"message":"try refresh token"}', 'supertokens-try-refresh', 'TOKEN_EXPIRED'],
    ['TOKEN_THEFT_DETECTED', 'supertokens-theft', 'REFRESH_TOKEN_REUSED'],
    ['{"message":"unauthorised"}', 'supertokens-unauthorised', 'TOKEN_MISSING'],
  ];
  for (const [message, id, code] of cases)
    it(id, () => {
      const report = matchErrorMessage(message);
      expect(report.matches[0]?.id).toBe(id);
      expect(report.matches[0]?.causes[0]?.code ?? null).toBe(code);
    });

  it('reads how long a Supabase token had been expired', () => {
    expect(matchErrorMessage(cases[0]?.[0] ?? '').facts[0]).toMatch(/expired for 5m3s/);
  });
});

describe('adversarial input', () => {
  const token = hs256({ sub: 'u', exp: nowS() + 600 });

  it('never echoes a token, a cookie value or a Bearer credential', () => {
    const pasted = [
      `TokenExpiredError: jwt expired for ${token}`,
      `Authorization: Bearer ${token}`,
      'Cookie: sid=s%3Aabc123def456ghi789; theme=dark',
      'refresh_token=tsr_AbCdEf0123456789.XyZsecretpart0123456789',
      '{"password":"correct horse battery staple"}',
      `api key sk_live_${'a1B2c3D4e5'.repeat(4)}`,
    ].join('\n');
    const report = matchErrorMessage(pasted);
    const out = renderMessageReport(report) + JSON.stringify(report);
    for (const secret of [
      token,
      token.split('.')[2] as string,
      's%3Aabc123def456ghi789',
      'dark',
      'tsr_AbCdEf0123456789',
      'XyZsecretpart0123456789',
      'correct horse',
      'a1B2c3D4e5a1B2c3D4e5',
    ])
      expect(out).not.toContain(secret);
    expect(report.redacted).toBeGreaterThanOrEqual(5);
    expect(report.matches[0]?.id).toBe('jsonwebtoken-expired');
  });

  it('keeps error codes readable while redacting', () => {
    expect(redactSecrets('ERR_JWS_SIGNATURE_VERIFICATION_FAILED').text).toBe(
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    );
  });

  it('reads a message of any length: a megabyte is cut, judged from its start, and shown short', () => {
    const huge = `JsonWebTokenError: invalid signature\n${'    at Object.module.exports [as verify] (/app/node_modules/jsonwebtoken/verify.js:171:19)\n'.repeat(20_000)}`;
    const report = matchErrorMessage(huge);
    expect(report.truncated).toBe(huge.length > MAX_MESSAGE_CHARS);
    expect(report.matches[0]?.id).toBe('jsonwebtoken-signature');
    expect(report.excerpt.length).toBeLessThanOrEqual(250);
    // Patterns built to backtrack get no purchase: long runs of token characters and dots.
    const hostile = `${'eyJ'.repeat(5000)}${'.a'.repeat(20_000)}${'a'.repeat(100_000)}`;
    expect(matchErrorMessage(hostile).matches).toEqual([]);
  });

  it('escapes nothing into the terminal: control characters in a message stay out of the excerpt', () => {
    const report = matchErrorMessage('jwt expired \u001b[2J\u0007');
    expect(report.excerpt.includes('\u001b') || report.excerpt.includes('\u0007')).toBe(false);
    expect(report.excerpt).toContain('\\u001b');
  });

  it('says so when it does not know a message', () => {
    const report = matchErrorMessage('Segmentation fault (core dumped)');
    expect(report.matches).toEqual([]);
    expect(renderMessageReport(report)).toMatch(/No known message/);
  });
});
