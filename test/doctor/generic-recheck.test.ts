// The re-check of issue 12: faults built outside Tessera's issuer, judged the way such a user runs the
// doctor (no --verifier unless they would know it, a key only where they would give one). Each case
// asserts the verdict, the bucket and that the words name the cause and not a wrong one.
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnoseToken } from '../../src/doctor/token/diagnose-token.js';
import { segment } from '../support/forge.js';
import { wordsOf } from './support.js';

const SECRET = 'Xr4!pQ9#mL2$vB7%nT5^kW8&zC3*hJ6@';
const nowS = (): number => Math.floor(Date.now() / 1000);
const secret = { value: SECRET, name: 'JWT_SECRET' };
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rs256 = (header: Record<string, unknown>, payload: unknown): string => {
  const input = `${segment({ alg: 'RS256', ...header })}.${segment(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), rsa.privateKey).toString('base64url')}`;
};
const hs256 = (header: Record<string, unknown>, payload: unknown, key = SECRET): string => {
  const input = `${segment({ alg: 'HS256', ...header })}.${segment(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
};

let dir: string;
let jwksFile: string;
let skewed: Server;
let skewedUrl: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-recheck-'));
  jwksFile = join(dir, 'jwks.json');
  writeFileSync(
    jwksFile,
    JSON.stringify({
      keys: [
        {
          ...rsa.publicKey.export({ format: 'jwk' }),
          kid: 'auth0-key-1',
          alg: 'RS256',
          use: 'sig',
        },
      ],
    }),
  );
  // A hand-rolled API whose clock runs two minutes ahead: it answers every request with its Date.
  skewed = createServer((_req, res) => {
    res.writeHead(404, { date: new Date(Date.now() + 120_000).toUTCString() }).end();
  });
  await new Promise<void>((resolve) => skewed.listen(0, '127.0.0.1', resolve));
  skewedUrl = `http://127.0.0.1:${(skewed.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => skewed.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

interface Case {
  readonly name: string;
  readonly run: () => ReturnType<typeof diagnoseToken>;
  readonly status: 'valid' | 'invalid' | 'unknown';
  readonly code: string | null;
  readonly bucket: string | null;
  readonly words: RegExp;
  readonly notWords?: RegExp;
}

const js = (payload: object, options: jwt.SignOptions = {}): string =>
  jwt.sign(payload, SECRET, options);

const CASES: readonly Case[] = [
  {
    name: 'a valid jsonwebtoken HS256 token with { userId }, verified with its secret',
    run: () => diagnoseToken({ input: js({ userId: 42 }, { expiresIn: '15m' }), secret }),
    status: 'valid',
    code: null,
    bucket: null,
    words: /the order jsonwebtoken writes/,
    notWords: /ID token|not an access token/,
  },
  {
    name: 'the same token without a key',
    run: () => diagnoseToken({ input: js({ userId: 42 }, { expiresIn: '15m' }) }),
    status: 'unknown',
    code: null,
    bucket: null,
    words: /Every check but the signature passes/,
    notWords: /ID token/,
  },
  {
    name: 'an expired jsonwebtoken token',
    run: () => diagnoseToken({ input: js({ userId: 42, iat: nowS() - 1200, exp: nowS() - 300 }) }),
    status: 'invalid',
    code: 'TOKEN_EXPIRED',
    bucket: 'time',
    words: /expired 5 min( \d+ s)? ago.*leeway 0 s \(jsonwebtoken's default\)/,
  },
  {
    name: 'exp in milliseconds',
    run: () =>
      diagnoseToken({ input: js({ userId: 42, iat: nowS(), exp: Date.now() + 900_000 }), secret }),
    status: 'valid',
    code: null,
    bucket: null,
    words: /milliseconds \(Date.now\(\)\).*never expires/s,
    notWords: /raise maxLifetimeSeconds/,
  },
  {
    name: 'exp as a string of seconds',
    // jsonwebtoken refuses to sign it; a hand-rolled signer does not.
    run: () =>
      diagnoseToken({
        input: hs256({ typ: 'JWT' }, { userId: 42, iat: nowS(), exp: String(nowS() + 900) }),
        secret,
      }),
    status: 'invalid',
    code: 'CLAIM_INVALID',
    bucket: 'validation',
    words: /"exp" claim must be a number of seconds.*hand-rolled check/s,
  },
  {
    name: 'a signature cut by a column 8 characters too short',
    run: () =>
      diagnoseToken({
        input: js({ userId: 42, role: 'customer' }, { expiresIn: '15m' }).slice(0, -8),
        secret,
      }),
    status: 'invalid',
    code: 'SIGNATURE_INVALID',
    bucket: 'storage',
    words: /cut short after it was signed/,
    notWords: /rotat(ed|ion) without overlap|another deployment/,
  },
  {
    name: 'a token quoted by JSON.stringify into localStorage',
    run: () =>
      diagnoseToken({ input: JSON.stringify(js({ userId: 42 }, { expiresIn: '15m' })), secret }),
    status: 'invalid',
    code: 'TOKEN_MALFORMED',
    bucket: 'storage',
    words: /wrapped in quotes/,
  },
  {
    name: 'a doubled Bearer prefix',
    run: () =>
      diagnoseToken({ input: `Bearer Bearer ${js({ userId: 42 }, { expiresIn: '15m' })}`, secret }),
    status: 'invalid',
    code: 'TOKEN_MALFORMED',
    bucket: 'storage',
    words: /"Bearer ".*sent twice/,
  },
  {
    name: 'signed with the staging secret',
    run: () =>
      diagnoseToken({
        input: jwt.sign({ userId: 42 }, 'staging-secret-0123456789abcdefghij', {
          expiresIn: '15m',
        }),
        secret,
      }),
    status: 'invalid',
    code: 'SIGNATURE_INVALID',
    bucket: 'validation',
    words: /another secret or key.*jsonwebtoken says: JsonWebTokenError: invalid signature/s,
  },
  {
    name: 'an expired jose token (header with alg only): detected as jose',
    run: () =>
      diagnoseToken({
        input: hs256({}, { sub: 'u1', iat: nowS() - 7200, exp: nowS() - 3600 }),
        secret,
      }),
    status: 'invalid',
    code: 'TOKEN_EXPIRED',
    bucket: 'time',
    words: /jose says: JWTExpired \[ERR_JWT_EXPIRED\]: "exp" claim timestamp check failed/,
  },
  {
    name: 'an Auth0-style RFC 9068 token without client_id, verified with its JWKS',
    run: () =>
      diagnoseToken({
        input: rs256(
          { typ: 'at+jwt', kid: 'auth0-key-1' },
          {
            iss: 'https://tenant.auth0.test/',
            aud: 'https://api.shop.test',
            sub: 'auth0|42',
            azp: 'spa',
            scope: 'read:orders',
            iat: nowS(),
            exp: nowS() + 600,
            jti: 'a1',
          },
        ),
        jwks: jwksFile,
        audience: 'https://api.shop.test',
        issuer: 'https://tenant.auth0.test/',
      }),
    status: 'valid',
    code: null,
    bucket: null,
    words: /common rules/,
    notWords: /client_id/,
  },
  {
    name: 'alg none',
    run: () =>
      diagnoseToken({
        input: `${segment({ alg: 'none', typ: 'JWT' })}.${segment({ userId: 1, admin: true })}.`,
        secret,
      }),
    status: 'invalid',
    code: 'ALGORITHM_NOT_ALLOWED',
    bucket: 'validation',
    words: /unsigned/,
  },
  {
    name: 'nbf 10 minutes ahead',
    run: () =>
      diagnoseToken({ input: js({ userId: 42, nbf: nowS() + 600 }, { expiresIn: '30m' }), secret }),
    status: 'invalid',
    code: 'TOKEN_NOT_YET_VALID',
    bucket: 'time',
    words: /not valid for another (9|10) min.*NotBeforeError: jwt not active/s,
  },
  {
    name: 'a token for another API',
    run: () =>
      diagnoseToken({
        input: js({ userId: 42, aud: 'billing' }, { expiresIn: '15m' }),
        secret,
        audience: 'orders',
      }),
    status: 'invalid',
    code: 'AUDIENCE_MISMATCH',
    bucket: 'validation',
    words: /jwt audience invalid\. expected: orders/,
  },
  {
    name: 'an issuer with a trailing slash the API does not expect',
    run: () =>
      diagnoseToken({
        input: js({ userId: 42, iss: 'https://login.shop.test/' }, { expiresIn: '15m' }),
        secret,
        issuer: 'https://login.shop.test',
      }),
    status: 'invalid',
    code: 'ISSUER_MISMATCH',
    bucket: 'validation',
    words: /jwt issuer invalid\. expected: https:\/\/login\.shop\.test/,
  },
  {
    name: 'a tutorial secret, guessed without a key',
    run: () => diagnoseToken({ input: jwt.sign({ userId: 42 }, 'secret', { expiresIn: '15m' }) }),
    status: 'invalid',
    code: 'SECRET_WEAK',
    bucket: null,
    words: /well-known example secret "secret"/,
  },
  {
    name: 'a password and an email in the payload',
    run: () =>
      diagnoseToken({
        input: js(
          { userId: 42, email: 'ada@shop.test', password: '$2b$10$abcdefghijklmnopqrstuv' },
          { expiresIn: '15m' },
        ),
        secret,
      }),
    status: 'valid',
    code: null,
    bucket: null,
    words: /looks like a secret or personal data.*personal data: email/s,
  },
  {
    name: 'a 30-day access token',
    run: () => diagnoseToken({ input: js({ userId: 42 }, { expiresIn: '30d' }), secret }),
    status: 'valid',
    code: null,
    bucket: null,
    words: /lives 30 d/,
  },
  {
    name: 'a token pasted from a URL',
    run: () =>
      diagnoseToken({
        input: `https://shop.test/callback?token=${js({ userId: 42 }, { expiresIn: '15m' })}`,
        secret,
      }),
    status: 'valid',
    code: null,
    bucket: null,
    words: /taken from a URL/,
  },
  {
    name: 'an RS256 token sent to an API that verifies with an HMAC secret',
    run: () =>
      diagnoseToken({
        input: rs256({ typ: 'JWT' }, { userId: 42, iat: nowS(), exp: nowS() + 600 }),
        secret,
      }),
    status: 'invalid',
    code: 'ALGORITHM_NOT_ALLOWED',
    bucket: 'validation',
    words: /says alg "RS256".*HMAC secret.*invalid algorithm/s,
  },
  {
    name: 'a Google-style ID token sent to the API (aud is the client id)',
    run: () =>
      diagnoseToken({
        input: rs256(
          { typ: 'JWT', kid: 'auth0-key-1' },
          {
            iss: 'https://accounts.example.test',
            aud: 'spa-client-id',
            sub: '1093',
            email: 'ada@shop.test',
            nonce: 'n',
            iat: nowS(),
            exp: nowS() + 3600,
          },
        ),
        jwks: jwksFile,
        audience: 'https://api.shop.test',
      }),
    status: 'invalid',
    code: 'AUDIENCE_MISMATCH',
    bucket: 'validation',
    words: /audience "spa-client-id"/,
    notWords: /typ .* not "at\+jwt"/,
  },
  {
    name: "an API two minutes ahead with jsonwebtoken's zero leeway (--server)",
    run: () =>
      diagnoseToken({
        input: js({ userId: 42 }, { expiresIn: '60s' }),
        secret,
        server: skewedUrl,
        samples: 2,
        verifier: 'express-jwt',
      }),
    status: 'invalid',
    code: 'TOKEN_EXPIRED',
    bucket: 'time',
    words:
      /2 min( \d+ s)? ahead of this machine's, and the verifier allows 0 s of leeway \(express-jwt's default\)/,
  },
  {
    name: 'a Supabase session token (HS256, role authenticated) verified with the project secret',
    run: () =>
      diagnoseToken({
        input: hs256(
          { typ: 'JWT' },
          {
            aud: 'authenticated',
            iss: 'https://abcd.supabase.co/auth/v1',
            sub: 'uuid-1',
            role: 'authenticated',
            session_id: 's1',
            iat: nowS(),
            exp: nowS() + 3600,
          },
        ),
        secret,
        audience: 'authenticated',
      }),
    status: 'valid',
    code: null,
    bucket: null,
    words: /jsonwebtoken/,
  },
];

describe('issue 12 re-check: faults built outside Tessera', () => {
  for (const c of CASES)
    it(c.name, async () => {
      const diagnosis = await c.run();
      const { causes, fixes } = wordsOf(diagnosis);
      const verifierLines = (diagnosis.verifier?.errors ?? [])
        .map(
          (e) =>
            `${e.verifier} says: ${e.error === null ? 'accepts it' : `${e.error.name}${e.error.code === null ? '' : ` [${e.error.code}]`}: ${e.error.message}`}`,
        )
        .join('\n');
      const words = `${causes}\n${fixes}\n${verifierLines}\nJudged by ${diagnosis.verifier?.name ?? ''}: ${diagnosis.verifier?.reason ?? ''}`;
      expect({
        status: diagnosis.verdict.status,
        code: diagnosis.verdict.code,
        bucket: diagnosis.verdict.bucket,
      }).toEqual({
        status: c.status,
        code: c.code,
        bucket: c.bucket,
      });
      expect(words).toMatch(c.words);
      if (c.notWords) expect(words).not.toMatch(c.notWords);
    });
});
