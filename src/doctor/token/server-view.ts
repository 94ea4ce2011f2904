/**
 * Judges a token exactly as a Tessera server would: the Authorization header is read by the server's
 * own reader and the token by the server's own verifier, so every code and every word is the server's.
 * Without a key the signature is substituted (same header and payload, re-signed with a throwaway key of
 * the same algorithm) and everything after the signature check still runs through the real verifier.
 */
import { generateKeyPairSync, randomBytes, createSecretKey, type KeyObject } from 'node:crypto';
import { isTesseraError, TesseraError } from '../../errors/tessera-error.js';
import { readBearerTokenFrom } from '../../wire/bearer.js';
import { isAlgorithm, type Algorithm } from '../../jwa/algorithms.js';
import { signJws } from '../../jwa/node-signatures.js';
import { CompactParser } from '../../jws/compact.js';
import { createAccessTokenVerifier } from '../../jwt/verify-access-token.js';
import type { KeySet } from './key-sources.js';

/**
 * The expectations a server judges with.
 *
 * @example
 * ```ts
 * const rules: ServerRules = { issuer: 'https://auth.example.com', audience: 'api', leewaySeconds: 60, maxLifetimeSeconds: 3600 };
 * ```
 */
export interface ServerRules {
  readonly issuer: string;
  readonly audience: string;
  readonly leewaySeconds: number;
  readonly maxLifetimeSeconds: number;
}

/**
 * The outcome of judging one presented token as a server would.
 *
 * @example
 * ```ts
 * const outcome: ServerOutcome = judgeAsServer({ authorization, rules, keys, nowMs: Date.now() });
 * const code = outcome.ok ? null : outcome.error.code;
 * ```
 */
export type ServerOutcome =
  | { readonly ok: true; readonly signatureChecked: boolean }
  | { readonly ok: false; readonly error: TesseraError; readonly signatureChecked: boolean };

// A page URL with no query: the token's own URL, when there is one, is passed separately.
const NO_URL = 'https://doctor.invalid/';

/**
 * Runs the server's header reader and verifier over an Authorization header value at a given instant.
 *
 * @example
 * ```ts
 * const outcome = judgeAsServer({ authorization: 'Bearer eyJ...', rules, keys, nowMs: Date.now() });
 * if (!outcome.ok) outcome.error.code; // 'TOKEN_EXPIRED'
 * ```
 */
export function judgeAsServer(options: {
  authorization: string;
  url?: string | null;
  rules: ServerRules;
  keys: KeySet | undefined;
  nowMs: number;
}): ServerOutcome {
  let token: string;
  try {
    token = readBearerTokenFrom({
      url: options.url ?? NO_URL,
      authorization: options.authorization,
    });
  } catch (error) {
    return failed(error, { signatureChecked: false });
  }
  const alg = headerAlgorithm(token);
  const usable = options.keys !== undefined && !jwksCannotJudge(options.keys, token);
  const verifierFor = (keys: KeySet['keys']): ReturnType<typeof createAccessTokenVerifier> =>
    createAccessTokenVerifier({ keys, ...options.rules, now: () => options.nowMs, cacheSize: 0 });
  if (usable && options.keys !== undefined) {
    try {
      verifierFor(options.keys.keys).verify(token);
      return { ok: true, signatureChecked: true };
    } catch (error) {
      return failed(error, { signatureChecked: true });
    }
  }
  let kid: string;
  try {
    // Header rules first, on the token as presented: these fail before any key is looked up.
    kid = new CompactParser().parse(token).header.kid;
  } catch (error) {
    return failed(error, { signatureChecked: false });
  }
  const substituteAlg: Algorithm = isAlgorithm(alg) ? alg : 'EdDSA';
  const key = throwawayKey(substituteAlg);
  const signingInput = token.slice(0, token.lastIndexOf('.'));
  const signature = signJws(substituteAlg, key.privateKey, Buffer.from(signingInput, 'latin1'));
  const substitute = `${signingInput}.${signature.toString('base64url')}`;
  try {
    verifierFor({
      verificationKey: (requested) =>
        requested === kid ? { kid, alg: substituteAlg, ...key } : undefined,
    }).verify(substitute);
    return { ok: true, signatureChecked: false };
  } catch (error) {
    return failed(error, { signatureChecked: false });
  }
}

/**
 * True when the keys are a JWKS and the token is HS256 with a kid the JWKS does not hold: HMAC keys are
 * never published, so the JWKS cannot tell an unknown key from an unpublished secret. (An HS256 token
 * naming a published asymmetric kid is judged: that is algorithm confusion.)
 *
 * @example
 * ```ts
 * jwksCannotJudge(jwksKeys, hs256Token); // true
 * ```
 */
export function jwksCannotJudge(keys: KeySet, token: string): boolean {
  if (keys.kind !== 'jwks' || headerAlgorithm(token) !== 'HS256') return false;
  const kid = readHeader(token)?.kid;
  return typeof kid !== 'string' || keys.keys.verificationKey(kid) === undefined;
}

/**
 * The `alg` a token's header names, read leniently (undefined when unreadable).
 *
 * @example
 * ```ts
 * headerAlgorithm('eyJhbGciOiJIUzI1NiJ9.e30.x'); // 'HS256'
 * ```
 */
export function headerAlgorithm(token: string): string | undefined {
  const alg = readHeader(token)?.alg;
  return typeof alg === 'string' ? alg : undefined;
}

function readHeader(token: string): { alg?: unknown; kid?: unknown } | undefined {
  try {
    const header: unknown = JSON.parse(
      Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'),
    );
    return typeof header === 'object' && header !== null
      ? (header as { alg?: unknown; kid?: unknown })
      : undefined;
  } catch {
    return undefined;
  }
}

// Only the token core's own refusals are outcomes; anything else is a bug and is rethrown.
function failed(error: unknown, options: { signatureChecked: boolean }): ServerOutcome {
  if (isTesseraError(error))
    return { ok: false, error, signatureChecked: options.signatureChecked };
  throw error;
}

const throwaway = new Map<Algorithm, { privateKey: KeyObject; publicKey: KeyObject }>();

function throwawayKey(alg: Algorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  let pair = throwaway.get(alg);
  if (pair === undefined) {
    if (alg === 'HS256') {
      const secret = createSecretKey(randomBytes(32));
      pair = { privateKey: secret, publicKey: secret };
    } else if (alg === 'EdDSA') pair = generateKeyPairSync('ed25519');
    else if (alg === 'ES256') pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    else pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    throwaway.set(alg, pair);
  }
  return pair;
}
