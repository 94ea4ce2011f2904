// tessera-auth: the public API of the server side. Importing it loads no argon2, pino, hono, zod or
// database driver: those load when a function that needs one is called. The client, the adapters,
// the ESLint plugin and the store test-kit are separate subpaths (`tessera-auth/client`, …).

// Errors: one error type, a stable code, a bucket, and the table of HTTP status per code.
export {
  ERROR_TABLE,
  ERROR_CODES,
  type Bucket,
  type ErrorCode,
  type ErrorTableRow,
  type OAuthErrorValue,
} from './errors/codes.js';
export { TesseraError, isTesseraError, type ErrorFacts } from './errors/tessera-error.js';

// Tokens: RFC 9068 access tokens, signed and verified.
export { ALGORITHMS, type Algorithm } from './jwa/algorithms.js';
export type { AccessTokenClaims, ClaimRules } from './jwt/claims.js';
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
  followRevocations,
  type FollowerPolling,
  type FollowerSchedule,
  type RevocationFollower,
  type RevocationFollowerOptions,
} from './jwt/revocation-follower.js';

// Keys: material, the rotating keyring, where it persists, remote JWKS.
export {
  generateKeyMaterial,
  importKeyMaterial,
  exportPublicJwk,
  type KeyMaterial,
  type KeySource,
} from './keys/key-material.js';
export { Keyring, type KeyringEntry, type KeyringOptions } from './keys/keyring.js';
export type { KeyStore, StoredKey } from './keys/key-store.js';
export { createFileKeyStore } from './keys/file-key-store.js';
export { loadKeyring, type LoadKeyringOptions } from './keys/load-keyring.js';
export { assertStrongSecret } from './keys/secret-strength.js';
export { createRemoteJwks, type RemoteJwks, type RemoteJwksOptions } from './keys/remote-jwks.js';

// Sessions: rotation, grace, reuse detection, revocation.
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
  defaultRotationsPerMinute,
  type RotationCheck,
  type RotationLimit,
} from './sessions/rotation-limit.js';
export {
  createRevocationView,
  type RevocationView,
  type RevocationViewOptions,
} from './sessions/revocation-view.js';

// Wire names and the vocabularies stores persist.
export { REFRESH_COOKIE, REFRESH_TOKEN_PATTERN, type Transport } from './wire/names.js';
export {
  AUDIT_EVENT_WORDS,
  REVOCATION_WORDS,
  isAuditEventType,
  isRevocationReason,
  type AuditEventType,
  type RevocationReason,
} from './store/vocabulary.js';

// Stores: one interface, SQLite and PostgreSQL.
export type {
  SessionStore,
  SessionRow,
  RefreshTokenRow,
  NewSession,
  Rotation,
  RevocationRecord,
  AuditEvent,
  SweepPolicy,
  SweepResult,
} from './store/session-store.js';
export type { AccountStore, UserRow, OneTimeTokenRow } from './store/account-store.js';
export {
  createSqliteStore,
  type SqliteDatabase,
  type SqliteStoreOptions,
} from './store/sqlite/sqlite-store.js';
export { openSqliteStore, type OpenSqliteStoreOptions } from './store/sqlite/open-sqlite-store.js';
export { createPostgresStore, type PostgresStoreOptions } from './store/postgres/postgres-store.js';
export type { PostgresPooler } from './store/postgres/postgres-pooler.js';
export {
  openPostgresStore,
  type OpenPostgresStoreOptions,
} from './store/postgres/open-postgres-store.js';

// Accounts and HTTP.
export {
  createAccounts,
  PASSWORD_RULES,
  type Accounts,
  type AccountsOptions,
} from './accounts/accounts.js';
export {
  createMailOutbox,
  type MailOutbox,
  type MailOutboxOptions,
  type MailReport,
  type OutgoingMail,
} from './accounts/mail-outbox.js';
export {
  DEFAULT_MAIL_TEMPLATES,
  mailLink,
  renderMail,
  resolveMailTemplates,
  type MailTemplate,
  type MailTemplateOverrides,
  type MailTemplates,
} from './accounts/mail-templates.js';
export type { MailKind, MailOutboxRow } from './store/account-store.js';
export type { DeliveredMail } from './server/mailer.js';
export { createAuthHandler, type AuthHandler, type ConnectionInfo } from './http/auth-handler.js';
export type { AuthHandlerOptions, LoggerLike } from './http/handler-options.js';
export type { RequestFacts } from './http/request-facts.js';
export {
  createSessionIssuer,
  type IssueSessionContext,
  type IssuedSession,
  type SessionIssuerOptions,
} from './http/session-issuer.js';
export {
  createResourceGuard,
  type ResourceGuard,
  type ResourceGuardOptions,
  type GuardResult,
} from './http/require-auth.js';
export type { FollowSettings, RevocationSource } from './jwt/revocation-source.js';
export type { FeedEntry, FeedPage } from './http/revocation-feed.js';
export {
  createMemoryRateLimiter,
  createRedisRateLimiter,
  createRotationLimit,
  type RateLimiter,
  type RateRule,
  type RedisLike,
} from './http/rate-limit.js';
export {
  createTicketAuthenticator,
  readTicket,
  ticketRefusal,
  TICKET_QUERY,
  TICKETS_PER_SESSION,
  type AuthenticateTicket,
  type TicketIdentity,
} from './http/ticket-auth.js';
export { toNodeListener, listen } from './adapters/node.js';

// The standalone server (loaded on call).
export { createTesseraServer, resolveConfig } from './server/server-entry.js';
export type { ServerConfig } from './server/config.js';
export type { TesseraServer, CreateServerOptions } from './server/create-server.js';
