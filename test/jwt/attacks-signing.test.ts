// The signer is the last place a secret or personal data can be kept out of a readable token.
import { beforeAll, describe, expect, it } from 'vitest';
import { createAccessTokenSigner } from '../../src/index.js';
import { findSensitiveClaim } from '../../src/jwt/sensitive-claims.js';
import {
  AUDIENCE,
  ISSUER,
  NOW_MS,
  createFixture,
  expectCode,
  type Fixture,
} from '../support/forge.js';

let ed: Fixture;
let signWide: ReturnType<typeof createAccessTokenSigner>;

beforeAll(async () => {
  ed = await createFixture('EdDSA');
  // Allow-list everything the tests use, so only the sensitive-data rule can refuse.
  signWide = createAccessTokenSigner({
    keys: ed.keyring,
    issuer: ISSUER,
    audience: AUDIENCE,
    now: () => NOW_MS,
    allowedClaims: ['roles', 'profile', 'ext', 'org'],
  });
});

const input = (
  claims: Record<string, unknown>,
): { sub: string; sid: string; clientId: string; claims: Record<string, unknown> } => ({
  sub: 'user-1',
  sid: 'sess-1',
  clientId: 'web',
  claims,
});

describe('refuses secrets and personal data', () => {
  it.each([
    ['password', { profile: { password: 'hunter2' } }, 'profile.password'],
    ['Password in another case', { profile: { PassWord: 'hunter2' } }, 'profile.PassWord'],
    ['password_hash', { profile: { password_hash: '$2b$...' } }, 'profile.password_hash'],
    ['client-secret', { ext: { 'client-secret': 'x' } }, 'ext.client-secret'],
    ['api_key', { ext: { api_key: 'x' } }, 'ext.api_key'],
    ['refresh_token', { ext: { refresh_token: 'tsr_x' } }, 'ext.refresh_token'],
    ['ssn', { profile: { ssn: '078-05-1120' } }, 'profile.ssn'],
    ['date_of_birth', { profile: { date_of_birth: '1990-01-01' } }, 'profile.date_of_birth'],
    ['a secret inside an array', { ext: [{ private_key: 'x' }] }, 'ext.0.private_key'],
    ['a card number in a role', { roles: ['admin', '4111-1111-1111-1111'] }, 'roles.1'],
    [
      'userPassword (sensitive word inside a longer name)',
      { profile: { userPassword: 'hunter2' } },
      'profile.userPassword',
    ],
    ['db_password', { ext: { db_password: 'x' } }, 'ext.db_password'],
    ['stripeSecretKey', { org: { stripeSecretKey: 'sk_live_x' } }, 'org.stripeSecretKey'],
    ['credit_card_number', { profile: { credit_card_number: 'x' } }, 'profile.credit_card_number'],
  ])('refuses %s', (_name, claims, path) => {
    const error = expectCode(() => signWide(input(claims)), 'PAYLOAD_SENSITIVE');
    expect(error.facts.claim).toBe(path);
    expect(findSensitiveClaim(claims)).toBe(path);
  });

  it('refuses a card number as the subject', () => {
    expectCode(
      () => signWide({ sub: '4111111111111111', sid: 's', clientId: 'c' }),
      'PAYLOAD_SENSITIVE',
    );
  });

  it('never puts the secret value in the explanation', () => {
    const error = expectCode(
      () => signWide(input({ profile: { password: 'correct horse battery staple' } })),
      'PAYLOAD_SENSITIVE',
    );
    expect(JSON.stringify(error.toJSON())).not.toContain('correct horse');
  });

  it('refuses a claim outside the allow-list even when it looks harmless', () => {
    expectCode(() => ed.sign(input({ email: 'user@example.test' })), 'CLAIM_NOT_ALLOWED');
  });

  it.each([
    ['roles', { roles: ['admin', 'billing'] }],
    ['a 12-digit order number (not a card)', { ext: { order: '123456789012' } }],
    ['a 16-digit number failing Luhn', { ext: { ref: '4111111111111112' } }],
    [
      'names that contain short sensitive fragments',
      { ext: { pinned: true, shipping: 'x', tokenType: 'at', hashtag: '#x', dobby: 1 } },
    ],
  ])('signs %s (control)', (_name, claims) => {
    const { token } = signWide(input(claims));
    expect(ed.verifier.verify(token).sub).toBe('user-1');
  });
});
