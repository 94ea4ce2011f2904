// The re-check of issue 12: faults built outside Tessera's issuer, judged the way such a user runs the
// doctor (no --verifier unless they would know it, a key only where they would give one). Each case
// asserts the verdict, the bucket and that the words name the cause and not a wrong one.
// Storage faults: a signature cut short, a token quoted into localStorage, a doubled Bearer prefix.
import { diagnoseToken } from '../../src/doctor/token/diagnose-token.js';
import { describeCases, type Case, js, secret } from './recheck-support.js';

const CASES: readonly Case[] = [
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
];

describeCases(CASES);
