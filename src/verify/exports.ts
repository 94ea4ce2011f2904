// What both flavours of tessera-auth/verify export besides their two factories: one list, so the
// node and web entries cannot drift apart.
export { TesseraError, isTesseraError, type ErrorFacts } from '../errors/tessera-error.js';
export { ERROR_TABLE, type Bucket, type ErrorCode, type ErrorTableRow } from '../errors/codes.js';
export type { AccessTokenClaims } from '../jwt/claims.js';
export type { RevocationCheck } from '../jwt/verify-access-token.js';
export type { FollowSettings } from '../jwt/revocation-source.js';
export {
  followRevocations,
  type RevocationFollower,
  type RevocationFollowerOptions,
} from '../jwt/revocation-follower.js';
export type { CryptoBackendName } from '../keys/crypto-backend.js';
export type { Guard, GuardOptions, GuardResult } from './guard.js';
export type { Verifier, VerifyOptions } from './verifier.js';
