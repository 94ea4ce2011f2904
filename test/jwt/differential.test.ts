// Differential property test: Tessera and jose (with the same key, algorithm, issuer, audience, typ,
// leeway, clock and maximum age) must agree on every generated token, valid or mutated, except where
// Tessera is stricter on purpose. Those rules are listed one by one; a disagreement must be jose
// accepting, Tessera refusing with the listed code, and the token breaking a listed rule.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jwtVerify } from 'jose';
import type { Algorithm } from '../../src/index.js';
import { AUDIENCE, BACKENDS, ISSUER, NOW_S } from '../support/forge.js';
import { compare, prepare, type Side } from './support/jose-comparison.js';
import { MAX_LIFETIME } from './support/stricter-rules.js';
import { buildToken, scenario } from './support/token-scenarios.js';

// Both crypto backends: node:crypto (the root verifier) and Web Crypto (tessera-auth/verify on edge
// runtimes) must each agree with jose by the same named rules.
describe.each(BACKENDS)(
  '%s backend: Tessera and jose agree, except where Tessera is stricter by a named rule',
  (backend) => {
    const sides = new Map<Algorithm, Side>();
    beforeAll(async () => {
      for (const alg of ['EdDSA', 'ES256', 'HS256', 'RS256'] as const)
        sides.set(alg, await prepare(alg));
    });

    it.each([
      ['EdDSA', 400],
      ['ES256', 400],
      ['HS256', 400],
      ['RS256', 200],
    ] as const)('%s: %i generated tokens', async (alg, numRuns) => {
      const side = sides.get(alg) as Side;
      const seen = new Map<string, number>();
      let agreedValid = 0;
      await fc.assert(
        fc.asyncProperty(scenario, async (sc) => {
          await compare(backend, side, sc, seen);
          if (sc.mutation.kind === 'none') agreedValid++;
        }),
        { numRuns },
      );
      // The generator must reach the stricter rules, or the property says little.
      expect(agreedValid).toBeGreaterThan(0);
      if (process.env.DIFF_DEBUG) console.log(alg, agreedValid, JSON.stringify([...seen]));
      expect(seen.size).toBeGreaterThanOrEqual(4);
    });

    it('agrees on untouched tokens across the whole time range (both accept or both refuse)', async () => {
      const side = sides.get('EdDSA') as Side;
      const seen = new Map<string, number>();
      let bothAccepted = 0;
      await fc.assert(
        fc.asyncProperty(scenario, async (sc) => {
          const clean = {
            ...sc,
            lifetime: Math.min(sc.lifetime, MAX_LIFETIME),
            mutation: { kind: 'none' as const },
          };
          await compare(backend, side, clean, seen);
          const nowMs = (NOW_S + clean.clockOffsetS) * 1000 + clean.clockMs;
          try {
            await jwtVerify(buildToken(side.key, clean), side.joseKey, {
              algorithms: ['EdDSA'],
              issuer: ISSUER,
              audience: AUDIENCE,
              typ: 'at+jwt',
              clockTolerance: clean.leeway,
              currentDate: new Date(nowMs),
              maxTokenAge: MAX_LIFETIME,
            });
            bothAccepted++;
          } catch {
            // a time refusal both sides agree on
          }
        }),
        { numRuns: 300 },
      );
      expect(seen.size).toBe(0);
      expect(bothAccepted).toBeGreaterThan(30);
    });
  },
);
