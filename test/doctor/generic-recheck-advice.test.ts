// The re-check of issue 12: faults built outside Tessera's issuer, judged the way such a user runs the
// doctor (no --verifier unless they would know it, a key only where they would give one). Each case
// asserts the verdict, the bucket and that the words name the cause and not a wrong one.
// Tokens outside the buckets: valid or unknown verdicts with advice (jsonwebtoken and jose and Auth0
// and Supabase shapes, milliseconds, long lifetimes, tokens in URLs), and weak or leaking payloads.
import jwt from 'jsonwebtoken';
import { diagnoseToken } from '../../src/doctor/token/diagnose-token.js';
import {
  describeCases,
  type Case,
  fixtures,
  useRecheckFixtures,
  hs256,
  js,
  nowS,
  rs256,
  secret,
} from './recheck-support.js';

useRecheckFixtures();

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
        jwks: fixtures.jwksFile,
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

describeCases(CASES);
