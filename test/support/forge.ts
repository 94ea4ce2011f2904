// Builds forged tokens by hand: raw base64url segments and raw signatures made with node:crypto, so the
// attack tests never depend on Tessera's own signer to produce what they attack.
import { createHmac, sign as cryptoSign, constants, type KeyObject } from 'node:crypto';
import { expect } from 'vitest';
import {
  Keyring,
  createAccessTokenSigner,
  createAccessTokenVerifier,
  exportPublicJwk,
  generateKeyMaterial,
  type AccessTokenClaims,
  type AccessTokenVerifier,
  type Algorithm,
  type ErrorCode,
  type KeyMaterial,
  type TesseraError,
  type VerifierOptions,
} from '../../src/index.js';
import type { PublicJwk, VerificationKey } from '../../src/keys/crypto-backend.js';
import { webCryptoBackend } from '../../src/keys/web-crypto-backend.js';
import { createTokenVerifier } from '../../src/jwt/token-verifier.js';

/**
 * The crypto backends every attack and differential test runs against: `node` is the root entry's
 * verifier (node:crypto, synchronous), `web` the same rules over Web Crypto (globalThis.crypto.subtle,
 * asynchronous), as `tessera-auth/verify` runs them on edge runtimes.
 */
export type BackendName = 'node' | 'web';
export const BACKENDS: readonly BackendName[] = ['node', 'web'];

/** A verifier on either backend: claims, or a Promise of them on Web Crypto. */
export interface TestVerifier {
  verify(token: string): AccessTokenClaims | Promise<AccessTokenClaims>;
}

// Web Crypto keys are imported once per KeyMaterial (importKey is asynchronous, lookups are not), through
// the backend's own JWK import for published keys; HS256 has no JWK to publish, so its secret is imported raw.
const webKeys = new WeakMap<KeyMaterial, VerificationKey<CryptoKey>>();

/** Imports a key for the Web Crypto backend; call before building a `web` verifier over it. */
export async function prepareWebKey(key: KeyMaterial): Promise<void> {
  if (webKeys.has(key)) return;
  let publicKey: CryptoKey | string;
  if (key.alg === 'HS256') {
    publicKey = await globalThis.crypto.subtle.importKey(
      'raw',
      key.publicKey.export(),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
  } else {
    const { kty, crv, x, y, n, e } = exportPublicJwk(key) as Record<string, string>;
    const jwk = Object.fromEntries(
      Object.entries({ kty, crv, x, y, n, e }).filter(([, value]) => value !== undefined),
    ) as unknown as PublicJwk;
    publicKey = await webCryptoBackend.importPublicJwk(key.alg, jwk);
  }
  if (typeof publicKey === 'string')
    throw new Error(`Web Crypto refused the ${key.alg} key: ${publicKey}`);
  webKeys.set(key, { kid: key.kid, alg: key.alg, publicKey });
}

/**
 * A verifier with the root verifier's options on one backend. On `web`, the keys the lookup returns must
 * have been prepared with {@link prepareWebKey}.
 */
export function verifierOn<B extends BackendName>(
  backend: B,
  options: VerifierOptions,
): VerifierOn<B> {
  if (backend === 'node') return createAccessTokenVerifier(options) as VerifierOn<B>;
  const keys = {
    verificationKey(kid: string): VerificationKey<CryptoKey> | undefined {
      const material = options.keys.verificationKey(kid);
      if (material === undefined) return undefined;
      const key = webKeys.get(material);
      if (key === undefined) throw new Error(`prepareWebKey was not called for kid ${kid}`);
      return key;
    },
  };
  return createTokenVerifier({ ...options, keys }, webCryptoBackend) as VerifierOn<B>;
}

export const ISSUER = 'https://auth.test';
export const AUDIENCE = 'api';
/** 2026-01-01T00:00:00Z in epoch ms: every fixture clock starts here. */
export const NOW_MS = 1_767_225_600_000;
export const NOW_S = NOW_MS / 1000;

/** P-256 group order. */
export const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

export function b64u(data: string | Uint8Array): string {
  return Buffer.from(data).toString('base64url');
}

/** A segment from a JSON value, or from raw JSON text when given a string (duplicate keys, odd numbers). */
export function segment(value: unknown): string {
  return b64u(typeof value === 'string' ? value : JSON.stringify(value));
}

/** A header as the signer writes it for `key`. */
export function headerFor(
  key: KeyMaterial,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { alg: key.alg, typ: 'at+jwt', kid: key.kid, ...extra };
}

/** A valid claims set at `nowS` (seconds), with overrides. */
export function claimsAt(
  nowS: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    client_id: 'web',
    sid: 'sess-1',
    jti: 'jti-1',
    iat: nowS,
    exp: nowS + 900,
    ...extra,
  };
}

/** Raw signature bytes over `input` with node:crypto alone. ES256 output is whatever OpenSSL gives (either S). */
export function rawSign(
  alg: Algorithm,
  key: KeyObject | Uint8Array | string,
  input: string,
): Buffer {
  const data = Buffer.from(input, 'ascii');
  switch (alg) {
    case 'HS256':
      return createHmac('sha256', key as KeyObject)
        .update(data)
        .digest();
    case 'EdDSA':
      return cryptoSign(null, data, key as KeyObject);
    case 'ES256':
      return cryptoSign('sha256', data, { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
    case 'RS256':
      return cryptoSign('sha256', data, key as KeyObject);
    case 'PS256':
      return cryptoSign('sha256', data, {
        key: key as KeyObject,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      });
  }
}

/** `header.payload.signature`, where the signature is computed over the exact segments given. */
export function forge(
  headerSegment: string,
  payloadSegment: string,
  signWith: (input: string) => Buffer | string,
): string {
  const input = `${headerSegment}.${payloadSegment}`;
  const signature = signWith(input);
  return `${input}.${typeof signature === 'string' ? signature : b64u(signature)}`;
}

/**
 * A correctly signed token with the real private key, from header and claims objects or raw JSON text.
 * ES256 signatures are given in their canonical low-S form, as Tessera's signer writes them: OpenSSL
 * returns either S, and Tessera's verifier takes only the low one, so a raw signature would make half
 * of the tokens fail for a reason the test is not about.
 */
export function forgeSigned(key: KeyMaterial, header: unknown, claims: unknown): string {
  return forge(segment(header), segment(claims), (input) => {
    const signature = rawSign(key.alg, key.privateKey, input);
    if (key.alg !== 'ES256') return signature;
    const { r, s } = splitRS(signature);
    return s > P256_N / 2n ? p1363(r, P256_N - s) : signature;
  });
}

/** Splits an IEEE P1363 ES256 signature into r and s. */
export function splitRS(signature: Buffer): { r: bigint; s: bigint } {
  return { r: toBigInt(signature.subarray(0, 32)), s: toBigInt(signature.subarray(32)) };
}

export function toBigInt(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
}

export function p1363(r: bigint, s: bigint): Buffer {
  return Buffer.from(r.toString(16).padStart(64, '0') + s.toString(16).padStart(64, '0'), 'hex');
}

/**
 * Runs `verify`, asserts it throws a TesseraError with exactly `code`, and asserts the explanation leaks
 * neither the token nor its signature segment.
 */
export function expectRejection(
  verifier: AccessTokenVerifier,
  token: string,
  code: ErrorCode,
): TesseraError {
  let caught: unknown;
  try {
    verifier.verify(token);
  } catch (error) {
    caught = error;
  }
  return checkRejection(caught, token, code);
}

/** {@link expectRejection} for a verifier on either backend: awaits its answer, synchronous or not. */
export async function expectRefusal(
  verifier: TestVerifier,
  token: string,
  code: ErrorCode,
): Promise<TesseraError> {
  let caught: unknown;
  try {
    await verifier.verify(token);
  } catch (error) {
    caught = error;
  }
  return checkRejection(caught, token, code);
}

function checkRejection(caught: unknown, token: string, code: ErrorCode): TesseraError {
  expect(caught, `expected ${code}, but the token verified`).toBeDefined();
  const error = caught as TesseraError;
  expect({ name: error.name, code: error.code }).toEqual({ name: 'TesseraError', code });
  const exposed = `${error.message}\n${JSON.stringify(error.toJSON())}`;
  expect(exposed.includes(token)).toBe(false);
  const signature = token.split('.')[2] ?? '';
  if (signature.length >= 16) expect(exposed.includes(signature)).toBe(false);
  // Explanations are ASCII-only: they end up in logs and headers.
  expect(/^[\x20-\x7e\n]*$/.test(error.message)).toBe(true);
  return error;
}

/** Asserts a synchronous call throws a TesseraError with exactly `code`. */
export function expectCode(action: () => unknown, code: ErrorCode): TesseraError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code}, but nothing was thrown`).toBeDefined();
  expect({ name: (caught as Error).name, code: (caught as TesseraError).code }).toEqual({
    name: 'TesseraError',
    code,
  });
  return caught as TesseraError;
}

/** Async twin of {@link expectCode}. */
export async function expectCodeAsync(
  action: () => Promise<unknown>,
  code: ErrorCode,
): Promise<TesseraError> {
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code}, but nothing was thrown`).toBeDefined();
  expect({ name: (caught as Error).name, code: (caught as TesseraError).code }).toEqual({
    name: 'TesseraError',
    code,
  });
  return caught as TesseraError;
}

/** The verifier type of a backend: the root entry's synchronous one on `node`. */
export type VerifierOn<B extends BackendName> = B extends 'node'
  ? AccessTokenVerifier
  : TestVerifier;

export interface Fixture<B extends BackendName = 'node'> {
  readonly key: KeyMaterial;
  readonly keyring: Keyring;
  readonly backend: B;
  readonly verifier: VerifierOn<B>;
  readonly sign: ReturnType<typeof createAccessTokenSigner>;
  /** A fresh verifier on the same keyring and backend with other options. */
  verifierWith(options: Partial<VerifierOptions>): VerifierOn<B>;
}

/**
 * One key, a keyring, a signer and a verifier on `backend` (default `node`), all on the fixed clock
 * NOW_MS unless `now` is given.
 */
export async function createFixture<B extends BackendName = 'node'>(
  alg: Algorithm,
  options: { key?: KeyMaterial; now?: () => number; backend?: B } = {},
): Promise<Fixture<B>> {
  const now = options.now ?? ((): number => NOW_MS);
  const backend = (options.backend ?? 'node') as B;
  const key = options.key ?? (await generateKeyMaterial({ alg }));
  if (backend === 'web') await prepareWebKey(key);
  const keyring = new Keyring({ entries: [{ key, createdAt: 0, activatesAt: 0 }], now });
  const base = { keys: keyring, issuer: ISSUER, audience: AUDIENCE, now };
  return {
    key,
    keyring,
    backend,
    verifier: verifierOn(backend, base),
    sign: createAccessTokenSigner(base),
    verifierWith: (extra) => verifierOn(backend, { ...base, ...extra }),
  };
}
