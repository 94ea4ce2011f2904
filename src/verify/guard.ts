import { problemResponse } from '../errors/problem-parts.js';
import { TesseraError, isTesseraError } from '../errors/tessera-error.js';
import type { AccessTokenClaims } from '../jwt/claims.js';
import type { CryptoBackend } from '../keys/crypto-backend.js';
import { readBearerTokenFrom } from '../wire/bearer.js';
import { createVerifierWith, type Verifier, type VerifyOptions } from './verifier.js';

/** Options of `createGuard` in `tessera-auth/verify`: those of the verifier. */
export type GuardOptions = VerifyOptions;

/**
 * The outcome of authenticating one request: the claims, or the error and the response to send
 * (RFC 9457 problem+json with the RFC 6750 challenge, exactly as the auth server answers).
 *
 * @example
 * ```ts
 * const result = await guard.authenticate(request);
 * if (!result.ok) return result.response;
 * ```
 */
export type GuardResult =
  | { readonly ok: true; readonly claims: AccessTokenClaims }
  | { readonly ok: false; readonly error: TesseraError; readonly response: Response };

/**
 * Authenticates Fetch-standard `Request`s: `Authorization: Bearer <token>` only (a token in the URL
 * query is refused with TOKEN_IN_URL), verified by the guard's {@link Verifier}.
 *
 * @example
 * ```ts
 * const result = await guard.authenticate(request);
 * ```
 */
export interface Guard {
  authenticate(request: Request): Promise<GuardResult>;
  /** The verifier behind the guard, for tokens that do not arrive in a Request. */
  readonly verifier: Verifier;
  /** Whether revocation reaches this guard (a `revocations` view was given). */
  readonly followsRevocations: boolean;
}

/**
 * Builds a {@link Guard} over one crypto backend; the entries of `tessera-auth/verify` bind it by export
 * condition.
 *
 * @example
 * ```ts
 * const guard = createGuardWith(webCryptoBackend, { issuer, audience, jwksUrl });
 * ```
 */
export function createGuardWith<K>(backend: CryptoBackend<K>, options: GuardOptions): Guard {
  const verifier = createVerifierWith(backend, options);
  const { revocations } = options;
  return {
    verifier,
    followsRevocations: revocations !== undefined,
    async authenticate(request) {
      try {
        // A view that refreshes on demand (no background timer on edge runtimes) is brought up to date
        // first. Its failure is not the answer: the check below fails closed once the view is too stale.
        if (revocations?.refresh !== undefined) await revocations.refresh().catch(() => undefined);
        const token = readBearerTokenFrom({
          url: request.url,
          authorization: request.headers.get('authorization'),
        });
        return { ok: true, claims: await verifier.verify(token) };
      } catch (error) {
        const tessera = isTesseraError(error)
          ? error
          : new TesseraError('KEY_INVALID', 'The verification keys could not be loaded.');
        return { ok: false, error: tessera, response: problemResponse(tessera) };
      }
    },
  };
}
