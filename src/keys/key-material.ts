import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import type { JWK } from 'jose';
import { jwkThumbprint } from './jwk-thumbprint.js';
import type { Algorithm } from '../jwa/algorithms.js';
import { TesseraError } from '../errors/tessera-error.js';
import { assertStrongSecret } from './secret-strength.js';

/**
 * One key with its identity and the one algorithm it may be used with. For HS256 both halves are the secret.
 *
 * @example
 * ```ts
 * const key: KeyMaterial = await generateKeyMaterial({ alg: 'EdDSA' });
 * ```
 */
export interface KeyMaterial {
  readonly kid: string;
  readonly alg: Algorithm;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/**
 * Generates a fresh key for an algorithm. The kid is the RFC 7638 thumbprint of the public key
 * (random for HS256, whose thumbprint would be a hash of the secret).
 *
 * @example
 * ```ts
 * const key = await generateKeyMaterial({ alg: 'ES256' });
 * ```
 */
export async function generateKeyMaterial(options: { alg: Algorithm }): Promise<KeyMaterial> {
  const { alg } = options;
  if (alg === 'HS256') return importKeyMaterial({ alg, secret: randomBytes(32) });
  const pair =
    alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return withKid(alg, pair.privateKey, pair.publicKey);
}

/** Where an imported key comes from: a private PEM, a private JWK, or an HMAC secret. */
export type KeySource =
  | { readonly alg: Algorithm; readonly pem: string; readonly kid?: string }
  | { readonly alg: Algorithm; readonly jwk: JWK; readonly kid?: string }
  | { readonly alg: 'HS256'; readonly secret: string | Uint8Array; readonly kid?: string };

/**
 * Imports a signing key from a private PEM, a private JWK, or (HS256 only) a strong secret, and checks
 * that the key type matches the algorithm.
 *
 * @example
 * ```ts
 * const key = await importKeyMaterial({ alg: 'EdDSA', pem: fs.readFileSync('ed25519.pem', 'utf8') });
 * ```
 */
export async function importKeyMaterial(source: KeySource): Promise<KeyMaterial> {
  if ('secret' in source) {
    assertStrongSecret(source.secret);
    const secret = createSecretKey(Buffer.from(source.secret));
    return {
      kid: source.kid ?? randomBytes(12).toString('base64url'),
      alg: 'HS256',
      privateKey: secret,
      publicKey: secret,
    };
  }
  let privateKey: KeyObject;
  try {
    privateKey =
      'pem' in source
        ? createPrivateKey(source.pem)
        : createPrivateKey({ key: source.jwk as never, format: 'jwk' });
  } catch {
    throw new TesseraError(
      'KEY_INVALID',
      `The ${source.alg} key could not be read as a private key (PEM or JWK with its private part).`,
    );
  }
  assertKeyFitsAlgorithm(source.alg, privateKey);
  return withKid(source.alg, privateKey, createPublicKey(privateKey), source.kid);
}

/**
 * The public half as a JWK with `kid`, `alg` and `use`, for a JWKS. Never exports private material,
 * and HS256 keys have no public half to publish.
 *
 * @example
 * ```ts
 * const jwk = exportPublicJwk(key); // { kty: 'OKP', crv: 'Ed25519', x: '...', kid, alg: 'EdDSA', use: 'sig' }
 * ```
 */
export function exportPublicJwk(key: KeyMaterial): JWK | undefined {
  if (key.alg === 'HS256' || key.publicKey.type === 'secret') return undefined;
  // A hand-built KeyMaterial may pass a private KeyObject as the public half: derive the public one, and
  // copy only public members, so a mistake upstream cannot publish d, p, q...
  const publicKey =
    key.publicKey.type === 'private' ? createPublicKey(key.publicKey) : key.publicKey;
  const jwk = publicKey.export({ format: 'jwk' }) as JWK;
  const published: JWK = { kty: jwk.kty };
  for (const member of PUBLIC_JWK_MEMBERS)
    if (jwk[member] !== undefined) published[member] = jwk[member];
  return { ...published, kid: key.kid, alg: key.alg, use: 'sig' };
}

const PUBLIC_JWK_MEMBERS = ['crv', 'x', 'y', 'n', 'e'] as const;

async function withKid(
  alg: Algorithm,
  privateKey: KeyObject,
  publicKey: KeyObject,
  kid?: string,
): Promise<KeyMaterial> {
  const resolvedKid = kid ?? jwkThumbprint(publicKey.export({ format: 'jwk' }));
  return { kid: resolvedKid, alg, privateKey, publicKey };
}

/** Throws KEY_INVALID unless the key type (and RSA size, EC curve) is the one the algorithm needs.
 *
 * @example
 * ```ts
 * assertKeyFitsAlgorithm('ES256', createPublicKey(pem));
 * ```
 */
export function assertKeyFitsAlgorithm(alg: Algorithm, key: KeyObject): void {
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const fits =
    (alg === 'EdDSA' && type === 'ed25519') ||
    (alg === 'ES256' && type === 'ec' && curve === 'prime256v1') ||
    ((alg === 'RS256' || alg === 'PS256') &&
      (type === 'rsa' || type === 'rsa-pss') &&
      (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048);
  if (!fits) {
    throw new TesseraError(
      'KEY_INVALID',
      `A ${String(type)} key cannot sign ${alg} (RSA keys need at least 2048 bits).`,
      { alg, keyType: String(type) },
    );
  }
}
