// Tessera's own RFC 9068 profile stays strict for Tessera tokens only, and the two Tessera verdicts the
// issue found wrong (exp in milliseconds, a signature cut short) now name the real cause.
import { describe, expect, it } from 'vitest';
import { judgeToken } from '../../src/doctor/token/judge-token.js';
import type { KeySet } from '../../src/doctor/token/key-sources.js';
import { generateKeyMaterial, type KeyMaterial } from '../../src/index.js';
import { forgeSigned } from '../support/forge.js';

const ISSUER = 'https://auth.shop.test';
const NOW_MS = Date.parse('2026-12-02T10:00:00Z');
const NOW_S = NOW_MS / 1000;

const keySet = (key: KeyMaterial): KeySet => ({
  keys: { verificationKey: (kid) => (kid === key.kid ? key : undefined) },
  label: 'test JWKS',
  kind: 'jwks',
  anyKid: false,
});

const tesseraClaims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: ISSUER,
  aud: 'api',
  sub: 'user-1',
  client_id: 'web',
  sid: 'sess-1',
  jti: 'jti-1',
  iat: NOW_S,
  exp: NOW_S + 900,
  ...extra,
});

describe("Tessera's profile", () => {
  it('a Tessera token with exp in milliseconds is told so, not to raise maxLifetimeSeconds', async () => {
    const key = await generateKeyMaterial({ alg: 'EdDSA' });
    const token = forgeSigned(
      key,
      { alg: 'EdDSA', typ: 'at+jwt', kid: key.kid },
      tesseraClaims({ exp: NOW_MS + 900_000 }),
    );
    const diagnosis = judgeToken({
      input: token,
      keys: keySet(key),
      issuer: ISSUER,
      audience: 'api',
      now: () => NOW_MS,
    });
    expect(diagnosis.verifier?.name).toBe('tessera');
    expect(diagnosis.verdict).toMatchObject({ code: 'TOKEN_LIFETIME_TOO_LONG', bucket: 'time' });
    expect(diagnosis.verdict.explanation).toMatch(/in milliseconds \(Date.now\(\)\), not seconds/);
    expect(diagnosis.verdict.fix).toMatch(/do not raise maxLifetimeSeconds/);
    expect(diagnosis.warnings.map((w) => w.id)).toContain('exp-milliseconds');
  });

  it('an RFC 9068 token from another issuer without client_id is judged by its verifier, not refused as CLAIM_INVALID', async () => {
    const key = await generateKeyMaterial({ alg: 'EdDSA' });
    const claims = tesseraClaims();
    delete claims.client_id;
    delete claims.sid;
    const token = forgeSigned(
      key,
      { alg: 'EdDSA', typ: 'at+jwt', kid: key.kid },
      { ...claims, iss: 'https://tenant.idp.test/' },
    );
    const generic = judgeToken({
      input: token,
      keys: keySet(key),
      audience: 'api',
      now: () => NOW_MS,
    });
    expect(generic.verdict.status).toBe('valid');
    expect(generic.verifier?.chosenBy).toBe('common');
    // Told to judge by Tessera, the same token fails Tessera's profile: strict where asked for.
    const strict = judgeToken({
      input: token,
      verifier: 'tessera',
      keys: keySet(key),
      issuer: 'https://tenant.idp.test/',
      audience: 'api',
      now: () => NOW_MS,
    });
    expect(strict.verdict).toMatchObject({ code: 'CLAIM_INVALID', bucket: 'validation' });
    expect(strict.verdict.explanation).toMatch(/"client_id" claim must be a non-empty string/);
  });

  it("a Tessera token still gets Tessera's strict typ check; a jsonwebtoken token never does", async () => {
    const key = await generateKeyMaterial({ alg: 'EdDSA' });
    const idToken = forgeSigned(key, { alg: 'EdDSA', typ: 'JWT', kid: key.kid }, tesseraClaims());
    const told = judgeToken({
      input: idToken,
      verifier: 'tessera',
      keys: keySet(key),
      issuer: ISSUER,
      audience: 'api',
      now: () => NOW_MS,
    });
    expect(told.verdict.code).toBe('TOKEN_TYPE_MISMATCH');
    const detected = judgeToken({
      input: idToken,
      keys: keySet(key),
      issuer: ISSUER,
      audience: 'api',
      now: () => NOW_MS,
    });
    expect(detected.verdict.code).not.toBe('TOKEN_TYPE_MISMATCH');
    expect(detected.verdict.status).toBe('valid');
  });
});
