// Claims attacks: registered claims of the wrong type. Tokens are signed with the real key, so the
// rule under test is the only thing that can refuse them.
import { beforeAll, describe, it } from 'vitest';
import {
  AUDIENCE,
  ISSUER,
  NOW_S,
  claimsAt,
  createFixture,
  forgeSigned,
  headerFor,
  type Fixture,
  BACKENDS,
  expectRefusal,
  type BackendName,
} from '../support/forge.js';

// The whole corpus runs on both crypto backends: node:crypto and Web Crypto must refuse alike.
describe.each(BACKENDS)('%s backend', (backend) => {
  let ed: Fixture<BackendName>;

  beforeAll(async () => {
    ed = await createFixture('EdDSA', { backend });
  });

  describe('claims of the wrong type', () => {
    const withClaims = (claims: unknown): string => forgeSigned(ed.key, headerFor(ed.key), claims);
    const rawClaims = (extra: string): string =>
      forgeSigned(
        ed.key,
        headerFor(ed.key),
        JSON.stringify(claimsAt(NOW_S, { exp: undefined })).replace('}', `,${extra}}`),
      );

    it.each([
      ['exp as a string', { exp: String(NOW_S + 900) }],
      ['exp as true', { exp: true }],
      ['exp as an array', { exp: [NOW_S + 900] }],
      ['exp negative', { exp: -1 }],
      ['exp missing', { exp: undefined }],
      ['iat missing', { iat: undefined }],
      ['iat as a string', { iat: String(NOW_S) }],
      ['nbf as a string', { nbf: String(NOW_S) }],
      ['sub as a number', { sub: 1 }],
      ['sub empty', { sub: '' }],
      ['sid missing', { sid: undefined }],
      ['client_id as null', { client_id: null }],
      ['jti as an object', { jti: {} }],
      ['aud as a number', { aud: 1 }],
      ['aud as an array with a number', { aud: [AUDIENCE, 1] }],
      ['scope as an array', { scope: ['read'] }],
      ['roles as a string', { roles: 'admin' }],
      ['exp equal to iat', { exp: NOW_S }],
    ])('refuses %s', async (_name, extra) => {
      await expectRefusal(ed.verifier, withClaims(claimsAt(NOW_S, extra)), 'CLAIM_INVALID');
    });

    it('refuses exp = 1e400 (parses to Infinity)', async () => {
      await expectRefusal(ed.verifier, rawClaims('"exp":1e400'), 'CLAIM_INVALID');
    });

    it('refuses exp = -1e400 (parses to -Infinity)', async () => {
      await expectRefusal(ed.verifier, rawClaims('"exp":-1e400'), 'CLAIM_INVALID');
    });

    it('refuses exp = 1e300 as a lifetime far beyond the maximum', async () => {
      await expectRefusal(
        ed.verifier,
        withClaims(claimsAt(NOW_S, { exp: 1e300 })),
        'TOKEN_LIFETIME_TOO_LONG',
      );
    });

    it('refuses another issuer', async () => {
      await expectRefusal(
        ed.verifier,
        withClaims(claimsAt(NOW_S, { iss: `${ISSUER}/` })),
        'ISSUER_MISMATCH',
      );
    });

    it('refuses another audience, as a string and as an array', async () => {
      await expectRefusal(
        ed.verifier,
        withClaims(claimsAt(NOW_S, { aud: 'api-preview' })),
        'AUDIENCE_MISMATCH',
      );
      await expectRefusal(
        ed.verifier,
        withClaims(claimsAt(NOW_S, { aud: ['other', 'API'] })),
        'AUDIENCE_MISMATCH',
      );
    });

    it('refuses an empty audience array', async () => {
      await expectRefusal(
        ed.verifier,
        withClaims(claimsAt(NOW_S, { aud: [] })),
        'AUDIENCE_MISMATCH',
      );
    });
  });
});
