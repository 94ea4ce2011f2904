// One differential comparison: the same token through Tessera (on a crypto backend) and jose, with
// any disagreement explained by a stricter rule.
import { expect } from 'vitest';
import { importJWK, jwtVerify, type CryptoKey, type KeyObject as JoseKeyObject } from 'jose';
import {
  exportPublicJwk,
  generateKeyMaterial,
  isTesseraError,
  type Algorithm,
  type KeyMaterial,
} from '../../../src/index.js';
import {
  AUDIENCE,
  ISSUER,
  NOW_S,
  prepareWebKey,
  verifierOn,
  type BackendName,
} from '../../support/forge.js';
import { MAX_LIFETIME, STRICTER_RULES, stricterRules } from './stricter-rules.js';
import { buildToken, type Scenario } from './token-scenarios.js';

/** One algorithm's key, and the same key as jose takes it. */
export interface Side {
  readonly key: KeyMaterial;
  readonly joseKey: CryptoKey | JoseKeyObject | Uint8Array;
}

/** A fresh key for `alg`, prepared for both backends and for jose. */
export async function prepare(alg: Algorithm): Promise<Side> {
  const key = await generateKeyMaterial({ alg });
  await prepareWebKey(key);
  const joseKey =
    alg === 'HS256' ? key.publicKey.export() : await importJWK(exportPublicJwk(key) as never, alg);
  return { key, joseKey: joseKey as CryptoKey | Uint8Array };
}

/**
 * Verifies the scenario's token with Tessera on `backend` and with jose; fails unless they agree or
 * jose accepts what Tessera refuses by a listed rule and code. Counts each rule met in `seen`.
 */
export async function compare(
  backend: BackendName,
  side: Side,
  sc: Scenario,
  seen: Map<string, number>,
): Promise<void> {
  const token = buildToken(side.key, sc);
  const nowMs = (NOW_S + sc.clockOffsetS) * 1000 + sc.clockMs;
  const keyring = {
    verificationKey: (kid: string) => (kid === side.key.kid ? side.key : undefined),
  };
  const tessera = verifierOn(backend, {
    keys: keyring,
    issuer: ISSUER,
    audience: AUDIENCE,
    leewaySeconds: sc.leeway,
    maxLifetimeSeconds: MAX_LIFETIME,
    now: () => nowMs,
    cacheSize: 0,
  });
  let tesseraError: unknown;
  try {
    await tessera.verify(token);
  } catch (error) {
    tesseraError = error;
  }
  if (tesseraError !== undefined && !isTesseraError(tesseraError)) throw tesseraError;
  let joseAccepted = true;
  try {
    await jwtVerify(token, side.joseKey, {
      algorithms: [side.key.alg],
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: 'at+jwt',
      clockTolerance: sc.leeway,
      currentDate: new Date(nowMs),
      maxTokenAge: MAX_LIFETIME,
    });
  } catch {
    joseAccepted = false;
  }
  const rules = stricterRules(token, side.key);
  const tesseraAccepted = tesseraError === undefined;
  // The classifier may only name rules Tessera enforces: a named rule means Tessera refuses.
  if (rules.length > 0)
    expect(tesseraAccepted, `Tessera accepted a token breaking ${rules.join(', ')}`).toBe(false);
  if (tesseraAccepted === joseAccepted) return;
  expect({ joseAccepted, tesseraAccepted, token }).toMatchObject({
    joseAccepted: true,
    tesseraAccepted: false,
  });
  expect(
    rules.length,
    `unexplained disagreement (${(tesseraError as { code: string }).code}) on ${token}`,
  ).toBeGreaterThan(0);
  const allowed = rules.flatMap((rule) => STRICTER_RULES[rule] as readonly string[]);
  expect(allowed).toContain((tesseraError as { code: string }).code);
  for (const rule of rules) seen.set(rule, (seen.get(rule) ?? 0) + 1);
}
