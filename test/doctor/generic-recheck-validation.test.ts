// The re-check of issue 12: faults built outside Tessera's issuer, judged the way such a user runs the
// doctor (no --verifier unless they would know it, a key only where they would give one). Each case
// asserts the verdict, the bucket and that the words name the cause and not a wrong one.
// Validation faults: wrong secret, alg none, audience and issuer mismatches, an RS256 token to an
// HMAC API, an ID token sent as an access token, exp as a string.
import jwt from 'jsonwebtoken';
import { diagnoseToken } from '../../src/doctor/token/diagnose-token.js';
import { segment } from '../support/forge.js';
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
        jwks: fixtures.jwksFile,
        audience: 'https://api.shop.test',
      }),
    status: 'invalid',
    code: 'AUDIENCE_MISMATCH',
    bucket: 'validation',
    words: /audience "spa-client-id"/,
    notWords: /typ .* not "at\+jwt"/,
  },
];

describeCases(CASES);
