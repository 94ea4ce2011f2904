// The generic-JWT catalogue: each fault is a token forged here, outside Tessera's issuer, and each of
// jsonwebtoken, jose, fast-jwt, express-jwt, passport-jwt and @nestjs/jwt is run on it. The doctor,
// told which verifier the API runs, must state exactly the error that library produced, beside
// Tessera's code and bucket.
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeToken } from '../../src/doctor/token/judge-token.js';
import { keyFromSecret } from '../../src/doctor/token/key-sources.js';
import type { VerifierName } from '../../src/doctor/token/verifier-rules.js';
import { segment } from '../support/forge.js';
import { runLibrary, startMiddlewareApp, type VerifyConfig } from './verifier-libraries.js';

const SECRET = 'b7Kq2!vR9#xL4$mN8%pT3^wZ6&cF1*hJ';
const OTHER_SECRET = 'Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4';
const AUDIENCE = 'orders-api';
const ISSUER = 'https://login.example.com/';
const nowS = (): number => Math.floor(Date.now() / 1000);

const hs256 = (header: unknown, payload: unknown, secret = SECRET): string => {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};
const JWT_HEADER = { alg: 'HS256', typ: 'JWT' };
const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  userId: 42,
  iat: nowS() - 60,
  exp: nowS() + 900,
  ...extra,
});

interface Fault {
  readonly name: string;
  readonly token: () => string;
  readonly config?: Partial<VerifyConfig>;
  /** Tessera's code and bucket for it; null when every library accepts the token. */
  readonly code: string | null;
  readonly bucket: string | null;
  /** Where one library judges otherwise than the rest. */
  readonly except?: Partial<Record<VerifierName, { code: string; bucket: string }>>;
  /** A warning id that must be raised even when the token passes. */
  readonly warning?: string;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

const FAULTS: readonly Fault[] = [
  {
    name: 'a valid HS256 token with { userId } claims and typ JWT',
    token: () => hs256(JWT_HEADER, claims()),
    code: null,
    bucket: null,
  },
  {
    name: 'expired 10 minutes ago',
    token: () => hs256(JWT_HEADER, claims({ iat: nowS() - 1500, exp: nowS() - 600 })),
    code: 'TOKEN_EXPIRED',
    bucket: 'time',
  },
  {
    name: 'nbf 10 minutes ahead (a batch job on a fast clock)',
    token: () => hs256(JWT_HEADER, claims({ nbf: nowS() + 600 })),
    code: 'TOKEN_NOT_YET_VALID',
    bucket: 'time',
  },
  {
    name: 'signed with the secret of another environment',
    token: () => hs256(JWT_HEADER, claims(), OTHER_SECRET),
    code: 'SIGNATURE_INVALID',
    bucket: 'validation',
  },
  {
    name: 'cut 10 characters inside its signature (a VARCHAR column)',
    token: () => hs256(JWT_HEADER, claims()).slice(0, -10),
    code: 'SIGNATURE_INVALID',
    bucket: 'storage',
  },
  {
    name: 'cut 11 characters inside its signature (not even base64url any more)',
    token: () => hs256(JWT_HEADER, claims()).slice(0, -11),
    code: 'SIGNATURE_INVALID',
    bucket: 'storage',
  },
  {
    name: 'exp in milliseconds (Date.now() + 15 min)',
    token: () => hs256(JWT_HEADER, claims({ exp: Date.now() + 900_000 })),
    code: null,
    bucket: null,
    warning: 'exp-milliseconds',
  },
  {
    name: 'exp as a string of seconds',
    token: () => hs256(JWT_HEADER, claims({ exp: String(nowS() + 900) })),
    code: 'CLAIM_INVALID',
    bucket: 'validation',
    warning: 'exp-string',
  },
  {
    name: 'alg "none" with an empty signature',
    token: () => `${segment({ alg: 'none', typ: 'JWT' })}.${segment(claims())}.`,
    code: 'ALGORITHM_NOT_ALLOWED',
    bucket: 'validation',
  },
  {
    name: 'an RS256 token sent to an API that verifies with an HMAC secret',
    token: () => {
      const input = `${segment({ alg: 'RS256', typ: 'JWT' })}.${segment(claims())}`;
      return `${input}.${sign('sha256', Buffer.from(input), rsa.privateKey).toString('base64url')}`;
    },
    code: 'ALGORITHM_NOT_ALLOWED',
    bucket: 'validation',
  },
  {
    name: 'two parts only (cut at the last dot)',
    token: () => {
      const token = hs256(JWT_HEADER, claims());
      return token.slice(0, token.lastIndexOf('.'));
    },
    code: 'TOKEN_MALFORMED',
    bucket: 'storage',
  },
  {
    name: 'wrapped in quotes by JSON.stringify into localStorage',
    token: () => JSON.stringify(hs256(JWT_HEADER, claims())),
    code: 'TOKEN_MALFORMED',
    bucket: 'storage',
  },
  {
    name: '"undefined": sent before the client had a token',
    token: () => 'undefined',
    code: 'TOKEN_MALFORMED',
    bucket: 'storage',
  },
  {
    name: 'iat as a string (a hand-rolled signer)',
    token: () => hs256(JWT_HEADER, claims({ iat: String(nowS()) })),
    code: null,
    bucket: null,
    // Only jose checks iat's type when no maxAge is configured.
    except: { jose: { code: 'CLAIM_INVALID', bucket: 'validation' } },
  },
  {
    name: 'an audience for another API',
    token: () => hs256(JWT_HEADER, claims({ aud: 'billing-api' })),
    config: { audience: AUDIENCE },
    code: 'AUDIENCE_MISMATCH',
    bucket: 'validation',
  },
  {
    name: 'an issuer from the staging tenant',
    token: () => hs256(JWT_HEADER, claims({ iss: 'https://staging-login.example.com/' })),
    config: { issuer: ISSUER },
    code: 'ISSUER_MISMATCH',
    bucket: 'validation',
  },
  {
    name: 'an RFC 9068 token without client_id from a non-Tessera issuer',
    token: () =>
      hs256(
        { alg: 'HS256', typ: 'at+jwt', kid: 'k1' },
        claims({ iss: ISSUER, aud: AUDIENCE, sub: 'auth0|42', scope: 'read:orders', jti: 'x1' }),
      ),
    config: { audience: AUDIENCE, issuer: ISSUER },
    code: null,
    bucket: null,
  },
];

const GENERIC: readonly Exclude<VerifierName, 'tessera'>[] = [
  'jsonwebtoken',
  'jose',
  'fast-jwt',
  'express-jwt',
  'passport-jwt',
  '@nestjs/jwt',
];

const apps = new Map<string, { url: string; close: () => Promise<void> }>();
const configOf = (fault: Fault): VerifyConfig => ({ secret: SECRET, ...fault.config });
const keyOf = (config: VerifyConfig): string => JSON.stringify(config);

beforeAll(async () => {
  for (const fault of FAULTS) {
    const config = configOf(fault);
    if (!apps.has(keyOf(config))) apps.set(keyOf(config), await startMiddlewareApp(config));
  }
});
afterAll(async () => {
  for (const app of apps.values()) await app.close();
});

describe('catalogue: generic JWTs judged by the verifier the API runs', () => {
  for (const fault of FAULTS) {
    it(fault.name, async () => {
      const token = fault.token();
      const config = configOf(fault);
      const app = apps.get(keyOf(config));
      if (app === undefined) throw new Error('no app for this configuration');
      for (const verifier of GENERIC) {
        const actual = await runLibrary(verifier, token, config, app);
        const diagnosis = judgeToken({
          input: token,
          verifier,
          keys: keyFromSecret({ secret: SECRET, label: 'secret from $JWT_SECRET' }),
          audience: config.audience,
          issuer: config.issuer,
          now: Date.now,
        });
        expect({ verifier, error: diagnosis.verifier?.errors[0]?.error ?? null }).toEqual({
          verifier,
          error: actual,
        });
        const expected = fault.except?.[verifier] ?? { code: fault.code, bucket: fault.bucket };
        expect({
          verifier,
          code: diagnosis.verdict.code,
          bucket: diagnosis.verdict.bucket,
        }).toEqual({ verifier, ...expected });
        if (expected.code === null) expect(diagnosis.verdict.status).toBe('valid');
        if (fault.warning !== undefined)
          expect(diagnosis.warnings.map((w) => w.id)).toContain(fault.warning);
        // Tessera's own profile is never applied to a token the API's library judges.
        expect(diagnosis.verdict.code).not.toBe('TOKEN_TYPE_MISMATCH');
      }
    });
  }
});
