import { createHash, type JsonWebKey } from 'node:crypto';

// RFC 7638 by hand instead of jose's calculateJwkThumbprint: it is a dozen lines, and importing jose
// for it loaded 177 modules on `import 'tessera-auth'` (the import-time bench shows the difference).
// A differential test checks every key type against jose.

/** The members RFC 7638 §3.2 hashes per key type, already in lexicographic order. */
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
  oct: ['k', 'kty'],
};

/**
 * The RFC 7638 SHA-256 thumbprint of a public JWK (or an `oct` key), base64url: Tessera's default
 * `kid`, so a key keeps one id wherever it is exported.
 *
 * @example
 * ```ts
 * import { generateKeyPairSync } from 'node:crypto';
 * import { jwkThumbprint } from './jwk-thumbprint.js';
 *
 * const { publicKey } = generateKeyPairSync('ed25519');
 * console.log(jwkThumbprint(publicKey.export({ format: 'jwk' })).length); // 43
 * ```
 */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const members = typeof jwk.kty === 'string' ? REQUIRED_MEMBERS[jwk.kty] : undefined;
  if (members === undefined)
    throw new TypeError(`no RFC 7638 thumbprint for kty ${String(jwk.kty)}`);
  const canonical: Record<string, unknown> = {};
  for (const name of members) {
    const value = (jwk as Record<string, unknown>)[name];
    if (typeof value !== 'string') throw new TypeError(`JWK member ${name} is missing`);
    canonical[name] = value;
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}
