// tessera-auth/verify, web flavour: the Web Crypto backend (the `workerd`, `edge-light`, `browser`, `deno` and `worker` export conditions, and the default): `crypto.subtle`, asynchronous.
// The other flavour (src/verify/node.ts) has the same API; package.json "exports" picks one.
import { webCryptoBackend } from '../keys/web-crypto-backend.js';
import { createGuardWith, type Guard, type GuardOptions } from './guard.js';
import { createVerifierWith, type Verifier, type VerifyOptions } from './verifier.js';

export { TesseraError, isTesseraError, type ErrorFacts } from '../errors/tessera-error.js';
export { ERROR_TABLE, type Bucket, type ErrorCode, type ErrorTableRow } from '../errors/codes.js';
export type { AccessTokenClaims } from '../jwt/claims.js';
export type { RevocationCheck } from '../jwt/verify-access-token.js';
export type { CryptoBackendName } from '../keys/crypto-backend.js';
export type { Guard, GuardOptions, GuardResult } from './guard.js';
export type { Verifier, VerifyOptions } from './verifier.js';

/**
 * A verifier for Tessera access tokens against the auth server's JWKS, with the same rules as the
 * server's own (strict base64url and JSON, header rules, alg from the key, low-S ES256, iss, aud,
 * time with leeway, lifetime, revocation when given). Throws CONFIG_INVALID at once without an issuer,
 * an audience or a usable jwksUrl.
 *
 * @example
 * ```ts
 * import { createVerifier, isTesseraError } from 'tessera-auth/verify';
 *
 * const verifier = createVerifier({
 *   issuer: 'https://auth.example.com',
 *   audience: 'api',
 *   jwksUrl: 'https://auth.example.com/.well-known/jwks.json',
 * });
 * export async function userOf(token: string): Promise<string | undefined> {
 *   try {
 *     return (await verifier.verify(token)).sub;
 *   } catch (error) {
 *     if (!isTesseraError(error)) throw error;
 *     console.log(error.code, error.status); // e.g. TOKEN_EXPIRED 401
 *   }
 * }
 * ```
 */
export function createVerifier(options: VerifyOptions): Verifier {
  return createVerifierWith(webCryptoBackend, options);
}

/**
 * A guard for Fetch-standard `Request`s (Cloudflare Workers, Vercel and Next.js edge functions, Deno,
 * Bun, Node): reads `Authorization: Bearer` (a token in the URL is refused), verifies it, and on failure
 * hands back the problem+json `Response` the auth server itself would send.
 *
 * @example
 * ```ts
 * import { createGuard } from 'tessera-auth/verify';
 *
 * const guard = createGuard({
 *   issuer: 'https://auth.example.com',
 *   audience: 'api',
 *   jwksUrl: 'https://auth.example.com/.well-known/jwks.json',
 * });
 * export default {
 *   async fetch(request: Request): Promise<Response> {
 *     const result = await guard.authenticate(request);
 *     if (!result.ok) return result.response;
 *     return Response.json({ hello: result.claims.sub });
 *   },
 * };
 * ```
 */
export function createGuard(options: GuardOptions): Guard {
  return createGuardWith(webCryptoBackend, options);
}
