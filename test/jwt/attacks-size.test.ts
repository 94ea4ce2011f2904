// Size attacks: oversized tokens, refused by their byte length before any key lookup. Tokens are
// signed with the real key, so the rule under test is the only thing that can refuse them.
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_TOKEN_BYTES } from '../../src/jws/compact.js';
import {
  NOW_S,
  b64u,
  claimsAt,
  createFixture,
  forgeSigned,
  headerFor,
  segment,
  type Fixture,
  BACKENDS,
  expectRefusal,
  type BackendName,
  type TestVerifier,
} from '../support/forge.js';

// The whole corpus runs on both crypto backends: node:crypto and Web Crypto must refuse alike.
describe.each(BACKENDS)('%s backend', (backend) => {
  let ed: Fixture<BackendName>;

  beforeAll(async () => {
    ed = await createFixture('EdDSA', { backend });
  });

  describe('size', () => {
    let lookups = 0;
    let counted: TestVerifier;
    beforeAll(() => {
      counted = ed.verifierWith({
        keys: { verificationKey: (kid) => (lookups++, ed.keyring.verificationKey(kid)) },
      });
    });

    /** A signed token padded with a filler claim to exactly `chars` characters, the filler made of `unit`. */
    function paddedToken(chars: number, unit = 'x'): string {
      const bare = forgeSigned(ed.key, headerFor(ed.key), claimsAt(NOW_S, { pad: '' }));
      const budget = chars - bare.length;
      // Every 3 filler bytes add 4 characters; pick the count, then trim by re-signing until exact.
      for (let n = Math.floor((budget * 3) / 4 / Buffer.byteLength(unit)); n >= 0; n--) {
        const token = forgeSigned(
          ed.key,
          headerFor(ed.key),
          claimsAt(NOW_S, { pad: unit.repeat(n) }),
        );
        if (token.length <= chars) return token;
      }
      throw new Error('unreachable');
    }

    it('refuses 8193 characters of garbage before any key lookup', async () => {
      lookups = 0;
      await expectRefusal(counted, 'e'.repeat(MAX_TOKEN_BYTES + 1), 'TOKEN_TOO_LARGE');
      expect(lookups).toBe(0);
    });

    it('refuses a correctly signed token over 8 KB before any key lookup', async () => {
      lookups = 0;
      const token = paddedToken(9000);
      expect(token.length).toBeGreaterThan(MAX_TOKEN_BYTES);
      await expectRefusal(counted, token, 'TOKEN_TOO_LARGE');
      expect(lookups).toBe(0);
    });

    it('accepts a correctly signed token just under the limit (control)', async () => {
      lookups = 0;
      const token = paddedToken(MAX_TOKEN_BYTES);
      expect(token.length).toBeGreaterThan(MAX_TOKEN_BYTES - 4);
      expect((await counted.verify(token)).sub).toBe('user-1');
      expect(lookups).toBe(1);
    });

    it('counts bytes, not UTF-16 units: 6000 characters that are 12 000 bytes are refused before any key lookup', async () => {
      lookups = 0;
      const token = `${segment(headerFor(ed.key))}.${'\u00e9'.repeat(6000)}.${b64u(Buffer.alloc(64))}`;
      expect(token.length).toBeLessThan(MAX_TOKEN_BYTES);
      expect(Buffer.byteLength(token)).toBeGreaterThan(MAX_TOKEN_BYTES);
      await expectRefusal(counted, token, 'TOKEN_TOO_LARGE');
      expect(lookups).toBe(0);
    });
  });
});
