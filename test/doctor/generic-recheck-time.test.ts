// The re-check of issue 12: faults built outside Tessera's issuer, judged the way such a user runs the
// doctor (no --verifier unless they would know it, a key only where they would give one). Each case
// asserts the verdict, the bucket and that the words name the cause and not a wrong one.
// Time faults: expired tokens, nbf ahead, and an API whose clock runs ahead of the issuer's.
import { diagnoseToken } from '../../src/doctor/token/diagnose-token.js';
import {
  describeCases,
  type Case,
  fixtures,
  useRecheckFixtures,
  hs256,
  js,
  nowS,
  secret,
} from './recheck-support.js';

useRecheckFixtures();

const CASES: readonly Case[] = [
  {
    name: 'an expired jsonwebtoken token',
    run: () => diagnoseToken({ input: js({ userId: 42, iat: nowS() - 1200, exp: nowS() - 300 }) }),
    status: 'invalid',
    code: 'TOKEN_EXPIRED',
    bucket: 'time',
    words: /expired 5 min( \d+ s)? ago.*leeway 0 s \(jsonwebtoken's default\)/,
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
    name: 'nbf 10 minutes ahead',
    run: () =>
      diagnoseToken({ input: js({ userId: 42, nbf: nowS() + 600 }, { expiresIn: '30m' }), secret }),
    status: 'invalid',
    code: 'TOKEN_NOT_YET_VALID',
    bucket: 'time',
    words: /not valid for another (9|10) min.*NotBeforeError: jwt not active/s,
  },
  {
    name: "an API two minutes ahead with jsonwebtoken's zero leeway (--server)",
    run: () =>
      diagnoseToken({
        input: js({ userId: 42 }, { expiresIn: '60s' }),
        secret,
        server: fixtures.skewedUrl,
        samples: 2,
        verifier: 'express-jwt',
      }),
    status: 'invalid',
    code: 'TOKEN_EXPIRED',
    bucket: 'time',
    words:
      /2 min( \d+ s)? ahead of this machine's, and the verifier allows 0 s of leeway \(express-jwt's default\)/,
  },
];

describeCases(CASES);
