import { randomBytes } from 'node:crypto';
import { TesseraError } from '../errors/tessera-error.js';
import { signJws } from '../jwa/node-signatures.js';
import { encodeBase64url } from '../jws/base64url.js';
import type { KeyMaterial } from '../keys/key-material.js';
import { findSensitiveClaim } from './sensitive-claims.js';
import { resolvePositiveSeconds } from './time-options.js';

/** Where the signer gets its current key; the {@link Keyring} is one. */
export interface SigningKeys {
  signingKey(): KeyMaterial;
}

/** Options of {@link createAccessTokenSigner}. */
export interface SignerOptions {
  readonly keys: SigningKeys;
  readonly issuer: string;
  readonly audience: string;
  /** Access-token lifetime in seconds. Default 900 (15 min). */
  readonly ttlSeconds?: number;
  /** App claims that may be signed besides the registered ones. Default `['roles']`. */
  readonly allowedClaims?: readonly string[];
  readonly now?: () => number;
}

/** What goes into one access token. */
export interface AccessTokenInput {
  readonly sub: string;
  readonly sid: string;
  readonly clientId: string;
  readonly scope?: string;
  /** Allow-listed app claims such as `roles`. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** A signed access token and the numbers a token response needs. */
export interface SignedAccessToken {
  readonly token: string;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
  readonly expiresIn: number;
}

/**
 * Signs access tokens. Refuses app claims outside the allow-list and any claim that carries a secret or
 * personal data.
 *
 * @example
 * ```ts
 * const sign = createAccessTokenSigner({ keys: keyring, issuer: 'https://auth.example.com', audience: 'api' });
 * const { token, expiresIn } = sign({ sub: 'user-1', sid: 'sess-1', clientId: 'tessera', claims: { roles: ['admin'] } });
 * ```
 */
export function createAccessTokenSigner(
  options: SignerOptions,
): (input: AccessTokenInput) => SignedAccessToken {
  if (!options.issuer || !options.audience)
    throw new TesseraError('CONFIG_INVALID', 'A signer needs both an issuer and an audience.');
  const ttl = resolvePositiveSeconds('ttlSeconds', options.ttlSeconds ?? 900);
  const allowed = new Set(options.allowedClaims ?? ['roles']);
  const now = options.now ?? Date.now;
  const headers = new Map<string, string>();

  return (input) => {
    const appClaims = input.claims ?? {};
    const sensitive = findSensitiveClaim({ ...appClaims, sub: input.sub, scope: input.scope });
    if (sensitive !== undefined) {
      throw new TesseraError(
        'PAYLOAD_SENSITIVE',
        `Refused to sign: the claim "${sensitive}" looks like a secret or personal data. Anyone holding a JWT can read its payload; keep such data on the server.`,
        {
          claim: sensitive,
        },
      );
    }
    for (const name of Object.keys(appClaims)) {
      if (!allowed.has(name)) {
        throw new TesseraError(
          'CLAIM_NOT_ALLOWED',
          `Refused to sign the claim "${name}": add it to allowedClaims if it belongs in every access token.`,
          { claim: name },
        );
      }
    }
    const key = options.keys.signingKey();
    let header = headers.get(key.kid);
    if (header === undefined) {
      header = encodeBase64url(JSON.stringify({ alg: key.alg, typ: 'at+jwt', kid: key.kid }));
      headers.set(key.kid, header);
    }
    const iat = Math.floor(now() / 1000);
    const exp = iat + ttl;
    const jti = randomBytes(16).toString('base64url');
    const payload = {
      ...appClaims,
      iss: options.issuer,
      aud: options.audience,
      sub: input.sub,
      client_id: input.clientId,
      sid: input.sid,
      jti,
      iat,
      exp,
      ...(input.scope === undefined ? {} : { scope: input.scope }),
    };
    const signingInput = `${header}.${encodeBase64url(JSON.stringify(payload))}`;
    const signature = signJws(key.alg, key.privateKey, Buffer.from(signingInput, 'latin1'));
    return {
      token: `${signingInput}.${signature.toString('base64url')}`,
      jti,
      iat,
      exp,
      expiresIn: ttl,
    };
  };
}
