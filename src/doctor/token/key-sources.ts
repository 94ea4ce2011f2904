/**
 * Where the doctor gets keys to verify with: a JWKS (URL or file), one key file (PEM or JWK), or an
 * HMAC secret. JWKS parsing is the resource servers' own (createRemoteJwks), so a key the doctor skips is
 * a key an API would skip too.
 */
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { TesseraError } from '../../errors/tessera-error.js';
import { isAlgorithm, type Algorithm } from '../../jwa/algorithms.js';
import type { VerificationKeys } from '../../jwt/verify-access-token.js';
import type { KeyMaterial } from '../../keys/key-material.js';
import { createRemoteJwks } from '../../keys/remote-jwks.js';

/**
 * Where keys to verify with came from: a JWKS, one key file, a secret the user gave, or a well-known
 * example secret the doctor guessed.
 *
 * @example
 * ```ts
 * const source: KeySource = keySet.kind; // 'guessed' when a well-known secret verified the token
 * ```
 */
export type KeySource = 'jwks' | 'key' | 'secret' | 'guessed';

/**
 * Keys to verify with, and where they came from.
 *
 * @example
 * ```ts
 * const keys: KeySet = await loadJwks({ location: './jwks.json' });
 * keys.label; // 'JWKS ./jwks.json'
 * ```
 */
export interface KeySet {
  readonly keys: VerificationKeys;
  readonly label: string;
  readonly kind: KeySource;
  /** True for one key named by the user: it answers for whatever kid the token names. */
  readonly anyKid: boolean;
}

/**
 * Loads a JWKS from an http(s) URL or a file, parsed exactly as `requireAuth({ jwksUrl })` parses it.
 *
 * @example
 * ```ts
 * const keys = await loadJwks({ location: 'https://auth.example.com/.well-known/jwks.json' });
 * ```
 */
export async function loadJwks(options: {
  location: string;
  fetch?: typeof fetch;
}): Promise<KeySet> {
  const isUrl = /^https?:\/\//i.test(options.location);
  let fetcher: typeof fetch;
  if (isUrl) {
    const base = options.fetch ?? fetch;
    fetcher = (input, init) => base(input, { ...init, signal: AbortSignal.timeout(10_000) });
  } else {
    let text: string;
    try {
      text = await readFile(options.location, 'utf8');
    } catch {
      throw new TesseraError('KEY_INVALID', `The JWKS file ${options.location} could not be read.`);
    }
    fetcher = async () =>
      new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
  }
  const jwks = createRemoteJwks({ url: isUrl ? options.location : 'file:jwks', fetch: fetcher });
  try {
    await jwks.refresh();
  } catch (error) {
    if (error instanceof TesseraError) throw error;
    throw new TesseraError(
      'KEY_INVALID',
      `The JWKS at ${options.location} could not be loaded (${error instanceof Error ? error.name : 'error'}): unreachable, not JSON, or timed out.`,
    );
  }
  return { keys: jwks, label: `JWKS ${options.location}`, kind: 'jwks', anyKid: false };
}

/**
 * Loads one verification key from a PEM (public or private) or JWK file. The algorithm comes from the
 * key type; RSA keys take `alg` (RS256 unless told PS256).
 *
 * @example
 * ```ts
 * const keys = await loadKeyFile({ path: 'public.pem' });
 * ```
 */
export async function loadKeyFile(options: { path: string; alg?: Algorithm }): Promise<KeySet> {
  let text: string;
  try {
    text = await readFile(options.path, 'utf8');
  } catch {
    throw new TesseraError('KEY_INVALID', `The key file ${options.path} could not be read.`);
  }
  let publicKey: KeyObject;
  let jwkAlg: unknown;
  try {
    if (text.trimStart().startsWith('{')) {
      const jwk = JSON.parse(text) as Record<string, unknown>;
      jwkAlg = jwk.alg;
      publicKey = createPublicKey({ key: jwk as never, format: 'jwk' });
    } else {
      publicKey = createPublicKey(text);
    }
  } catch {
    throw new TesseraError('KEY_INVALID', `The key file ${options.path} is not a PEM or JWK key.`);
  }
  const alg = options.alg ?? (isAlgorithm(jwkAlg) ? jwkAlg : algorithmOf(publicKey));
  if (alg === undefined)
    throw new TesseraError(
      'KEY_INVALID',
      `The key in ${options.path} is a ${String(publicKey.asymmetricKeyType)} key; Tessera verifies Ed25519, P-256 and RSA keys.`,
    );
  return singleKey(
    { kid: 'given', alg, publicKey, privateKey: publicKey },
    `key file ${options.path}`,
    'key',
  );
}

/**
 * An HS256 key from a secret (an environment variable's value).
 *
 * @example
 * ```ts
 * const keys = keyFromSecret({ secret: process.env.JWT_SECRET!, label: 'secret from $JWT_SECRET' });
 * ```
 */
export function keyFromSecret(options: {
  secret: string | Uint8Array;
  label: string;
  kind?: Extract<KeySource, 'secret' | 'guessed'>;
}): KeySet {
  const secret = createSecretKey(Buffer.from(options.secret));
  return singleKey(
    { kid: 'given', alg: 'HS256', publicKey: secret, privateKey: secret },
    options.label,
    options.kind ?? 'secret',
  );
}

function singleKey(material: KeyMaterial, label: string, kind: KeySource): KeySet {
  return {
    keys: { verificationKey: (kid) => ({ ...material, kid }) },
    label,
    kind,
    anyKid: true,
  };
}

function algorithmOf(key: KeyObject): Algorithm | undefined {
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return 'EdDSA';
    case 'ec':
      return key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? 'ES256' : undefined;
    case 'rsa':
      return 'RS256';
    case 'rsa-pss':
      return 'PS256';
    default:
      return undefined;
  }
}
