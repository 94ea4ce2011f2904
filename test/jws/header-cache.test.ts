// The checked-header cache (jws/compact.ts) cannot be abused: a header's decision depends on its exact
// bytes alone, so the same bytes always get the same decision, a header that differs in any byte is
// parsed afresh, the cache stays bounded, and nothing beyond the header's own rules is ever cached (the
// key, the algorithm it fixes, the signature and the claims are decided for every token, on both
// backends).
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Keyring, createAccessTokenSigner, isTesseraError } from '../../src/index.js';
import { CompactParser, HEADER_CACHE_LIMIT } from '../../src/jws/compact.js';
import {
  AUDIENCE,
  BACKENDS,
  ISSUER,
  NOW_MS,
  NOW_S,
  b64u,
  claimsAt,
  createFixture,
  expectRefusal,
  forgeSigned,
  headerFor,
  segment,
  verifierOn,
  type BackendName,
  type Fixture,
} from '../support/forge.js';

const BODY = `${segment({ sub: 'user-1' })}.${b64u('signature-bytes')}`;
const VALID = segment({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k1' });
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** What a parser decides about a token: the checked header, or the error code. */
function decision(parser: CompactParser, token: string): unknown {
  try {
    const { header, signingInput, payloadSegment, signatureSegment } = parser.parse(token);
    return { header: { ...header }, signingInput, payloadSegment, signatureSegment };
  } catch (error) {
    if (!isTesseraError(error)) throw error;
    return { code: error.code };
  }
}

/** The decision of a parser that has never seen a token: nothing cached. */
const fresh = (token: string): unknown => decision(new CompactParser(), token);

// Headers that each break one rule, or none; all close to VALID so one cache holds look-alikes.
const HEADERS = [
  VALID,
  segment({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k2' }),
  segment({ alg: 'none', typ: 'at+jwt', kid: 'k1' }),
  segment({ alg: 'EdDSA', typ: 'JWT', kid: 'k1' }),
  segment({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k1', jku: 'https://evil.test/jwks' }),
  segment({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k1', crit: ['b64'] }),
  segment({ alg: 'EdDSA', typ: 'at+jwt' }),
  segment('{"alg":"EdDSA","typ":"at+jwt","kid":"k1","kid":"k2"}'),
  segment('{"alg":"EdDSA","typ":"at+jwt","kid":"k1"} '),
  segment('["alg"]'),
  `${VALID}=`,
  VALID.slice(0, -1),
  `${VALID}A`,
];

describe('the checked-header cache', () => {
  it('gives the same bytes the same decision as a parser that never saw a token, in any order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...HEADERS), { minLength: 1, maxLength: 60 }),
        (order) => {
          const parser = new CompactParser();
          for (const header of order) {
            const token = `${header}.${BODY}`;
            expect(decision(parser, token)).toEqual(fresh(token));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('parses afresh a header that differs from the cached one in any single character', () => {
    const parser = new CompactParser();
    expect(decision(parser, `${VALID}.${BODY}`)).toMatchObject({ header: { kid: 'k1' } });
    let refused = 0;
    for (let i = 0; i < VALID.length; i++) {
      for (const replacement of ALPHABET) {
        if (replacement === VALID[i]) continue;
        const header = VALID.slice(0, i) + replacement + VALID.slice(i + 1);
        const token = `${header}.${BODY}`;
        const answer = decision(parser, token);
        expect(answer).toEqual(fresh(token));
        if ('code' in (answer as object)) refused++;
        // Back to the cached header: still its own decision, not the look-alike's.
        expect(decision(parser, `${VALID}.${BODY}`)).toMatchObject({ header: { kid: 'k1' } });
      }
    }
    // Nearly every one-character change breaks the header; none was let through on the cached decision.
    expect(refused).toBeGreaterThan(VALID.length * 50);
  });

  it('parses afresh a header of which the cached one is a prefix, or that is a prefix of it', () => {
    const parser = new CompactParser();
    decision(parser, `${VALID}.${BODY}`);
    for (const header of [`${VALID}e30`, `${VALID}A`, VALID.slice(0, -2), VALID.slice(0, 4), '']) {
      const token = `${header}.${BODY}`;
      expect(decision(parser, token)).toEqual(fresh(token));
      expect(decision(parser, token)).toHaveProperty('code');
    }
  });

  it('decides a look-alike that is valid on its own bytes: another kid is another header', () => {
    const parser = new CompactParser();
    const other = segment({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k9' });
    expect(other.length).toBe(VALID.length);
    expect(decision(parser, `${VALID}.${BODY}`)).toMatchObject({ header: { kid: 'k1' } });
    expect(decision(parser, `${other}.${BODY}`)).toMatchObject({ header: { kid: 'k9' } });
    expect(decision(parser, `${VALID}.${BODY}`)).toMatchObject({ header: { kid: 'k1' } });
  });

  it('stays bounded, and keeps deciding correctly after it starts over', () => {
    const parser = new CompactParser();
    const kids = Array.from({ length: HEADER_CACHE_LIMIT * 4 + 3 }, (_, i) => `kid-${i}`);
    for (const kid of kids) {
      const token = `${segment({ alg: 'ES256', typ: 'at+jwt', kid })}.${BODY}`;
      expect(decision(parser, token)).toMatchObject({ header: { kid } });
      expect(parser.cachedHeaders).toBeLessThanOrEqual(HEADER_CACHE_LIMIT);
      expect(parser.cachedHeaders).toBeGreaterThan(0);
    }
    for (const kid of kids.slice(0, 10)) {
      const token = `${segment({ alg: 'ES256', typ: 'at+jwt', kid })}.${BODY}`;
      expect(decision(parser, token)).toMatchObject({ header: { kid } });
    }
  });

  it('never caches a refused header', () => {
    const parser = new CompactParser();
    const refused = HEADERS.filter((header) => 'code' in (fresh(`${header}.${BODY}`) as object));
    expect(refused.length).toBe(HEADERS.length - 3);
    for (const header of refused) decision(parser, `${header}.${BODY}`);
    expect(parser.cachedHeaders).toBe(0);
  });
});

// Through the verifier, on both backends: a header the cache already holds decides nothing but itself.
describe.each(BACKENDS)('%s backend: a cached header decides nothing else', (backend) => {
  let ed: Fixture<BackendName>;

  beforeAll(async () => {
    ed = await createFixture('EdDSA', { backend });
  });

  it('checks the signature of every token under a cached header (no signature result is cached)', async () => {
    const verifier = ed.verifierWith({ cacheSize: 0 });
    const { token } = ed.sign({ sub: 'user-1', sid: 'sess-1', clientId: 'web' });
    expect(await verifier.verify(token)).toMatchObject({ sub: 'user-1' });
    const [header, , signature] = token.split('.') as [string, string, string];
    const forged = `${header}.${segment(claimsAt(NOW_S, { sub: 'admin' }))}.${signature}`;
    await expectRefusal(verifier, forged, 'SIGNATURE_INVALID');
    expect(await verifier.verify(token)).toMatchObject({ sub: 'user-1' });
  });

  it('reads the claims of every token under a cached header (no claims are cached by header)', async () => {
    const verifier = ed.verifierWith({ cacheSize: 0 });
    const header = headerFor(ed.key);
    const first = forgeSigned(ed.key, header, claimsAt(NOW_S, { sub: 'user-1' }));
    const second = forgeSigned(ed.key, header, claimsAt(NOW_S, { sub: 'user-2' }));
    const expired = forgeSigned(ed.key, header, claimsAt(NOW_S - 7200));
    expect(first.split('.')[0]).toBe(second.split('.')[0]);
    expect(await verifier.verify(first)).toMatchObject({ sub: 'user-1' });
    expect(await verifier.verify(second)).toMatchObject({ sub: 'user-2' });
    await expectRefusal(verifier, expired, 'TOKEN_EXPIRED');
  });

  it('looks the key up for every token under a cached header: a retired key is refused at once', async () => {
    let now = NOW_MS;
    const keyring = new Keyring({
      entries: [{ key: ed.key, createdAt: 0, activatesAt: 0, retiresAt: NOW_MS + 1000 }],
      now: () => now,
    });
    const options = { keys: keyring, issuer: ISSUER, audience: AUDIENCE, now: () => now };
    const verifier = verifierOn(backend, { ...options, cacheSize: 0 });
    const { token } = createAccessTokenSigner(options)({
      sub: 'user-1',
      sid: 'sess-1',
      clientId: 'web',
    });
    expect(await verifier.verify(token)).toMatchObject({ sub: 'user-1' });
    now += 1000;
    await expectRefusal(verifier, token, 'KEY_UNKNOWN');
  });
});
