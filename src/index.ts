// tessera-auth: the server core. The client, adapters, ESLint plugin and store test-kit are separate subpaths.
export {
  ERROR_TABLE,
  ERROR_CODES,
  type Bucket,
  type ErrorCode,
  type ErrorTableRow,
  type OAuthErrorValue,
} from './errors/codes.js';
export { TesseraError, isTesseraError, type ErrorFacts } from './errors/tessera-error.js';
export { describeUntrusted, formatDuration, formatInstant } from './errors/explain.js';
export { ALGORITHMS, isAlgorithm, type Algorithm } from './jwa/algorithms.js';
export { decodeBase64url, encodeBase64url } from './jws/base64url.js';
export { MAX_TOKEN_BYTES } from './jws/compact.js';
export type { AccessTokenClaims, ClaimRules } from './jwt/claims.js';
export { detectMangling, MANGLING_WORDS, type Mangling } from './errors/mangling.js';
export { findSensitiveClaim } from './jwt/sensitive-claims.js';
export {
  createAccessTokenSigner,
  type AccessTokenInput,
  type SignedAccessToken,
  type SignerOptions,
  type SigningKeys,
} from './jwt/sign-access-token.js';
export {
  createAccessTokenVerifier,
  type AccessTokenVerifier,
  type RevocationCheck,
  type VerificationKeys,
  type VerifierOptions,
} from './jwt/verify-access-token.js';
export { DEFAULT_LEEWAY_SECONDS, MAX_LEEWAY_SECONDS } from './jwt/time-options.js';
export {
  generateKeyMaterial,
  importKeyMaterial,
  exportPublicJwk,
  type KeyMaterial,
  type KeySource,
} from './keys/key-material.js';
export { Keyring, type KeyringEntry, type KeyringOptions } from './keys/keyring.js';
export {
  sealKeyringEntry,
  openStoredKey,
  type KeyStore,
  type StoredKey,
  type SealOptions,
} from './keys/key-store.js';
export { createFileKeyStore } from './keys/file-key-store.js';
export { loadKeyring, type LoadKeyringOptions } from './keys/load-keyring.js';
export { assertStrongSecret, WELL_KNOWN_SECRETS } from './keys/secret-strength.js';
export { createRemoteJwks, type RemoteJwks, type RemoteJwksOptions } from './keys/remote-jwks.js';

// Sessions
export {
  createSessionManager,
  type SessionManager,
  type TokenSet,
  type RequestContext,
} from './sessions/session-manager.js';
export {
  MAX_GRACE_SECONDS,
  type SessionClaims,
  type SessionManagerOptions,
} from './sessions/session-options.js';
export {
  createRevocationView,
  type RevocationView,
  type RevocationViewOptions,
} from './sessions/revocation-view.js';
export { REFRESH_TOKEN_PATTERN } from './wire/names.js';

// Stores
export type {
  SessionStore,
  SessionRow,
  RefreshTokenRow,
  NewSession,
  Rotation,
  RevocationRecord,
  AuditEvent,
  SweepPolicy,
  Transport,
} from './store/session-store.js';
export type { AccountStore, UserRow, OneTimeTokenRow } from './store/account-store.js';
export {
  createSqliteStore,
  type SqliteDatabase,
  type SqliteStoreOptions,
} from './store/sqlite/sqlite-store.js';
export { openSqliteStore, type OpenSqliteStoreOptions } from './store/sqlite/open-sqlite-store.js';
export { createPostgresStore, type PostgresStoreOptions } from './store/postgres/postgres-store.js';
export {
  openPostgresStore,
  type OpenPostgresStoreOptions,
} from './store/postgres/open-postgres-store.js';

// Accounts and HTTP
export {
  createAccounts,
  PASSWORD_RULES,
  type Accounts,
  type AccountsOptions,
} from './accounts/accounts.js';
export { createAuthHandler, type AuthHandler, type ConnectionInfo } from './http/auth-handler.js';
export type { AuthHandlerOptions, LoggerLike } from './http/handler-options.js';
export { REFRESH_COOKIE } from './wire/names.js';
export {
  createResourceGuard,
  type ResourceGuard,
  type ResourceGuardOptions,
  type GuardResult,
} from './http/require-auth.js';
export {
  problemParts,
  problemResponse,
  oauthErrorResponse,
  type ProblemParts,
} from './http/problem.js';
export {
  createMemoryRateLimiter,
  createRedisRateLimiter,
  type RateLimiter,
  type RateRule,
  type RedisLike,
} from './http/rate-limit.js';
export { toNodeListener, listen } from './adapters/node.js';

// The standalone server
export { resolveConfig, SETTINGS, type ServerConfig } from './server/config.js';
export {
  createTesseraServer,
  type TesseraServer,
  type CreateServerOptions,
} from './server/create-server.js';
