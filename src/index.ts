// tessera-auth: the server core. The client, adapters, ESLint plugin and store test-kit are separate subpaths.
export { ERROR_TABLE, ERROR_CODES, type Bucket, type ErrorCode, type ErrorTableRow, type OAuthErrorValue } from './errors/codes.js';
export { TesseraError, isTesseraError, type ErrorFacts } from './errors/tessera-error.js';
export { describeUntrusted, formatDuration, formatInstant } from './errors/explain.js';
export { ALGORITHMS, isAlgorithm, type Algorithm } from './jwa/algorithms.js';
export { decodeBase64url, encodeBase64url } from './jws/base64url.js';
export { MAX_TOKEN_BYTES } from './jws/compact.js';
export type { AccessTokenClaims, ClaimRules } from './jwt/claims.js';
export { detectMangling, MANGLING_WORDS, type Mangling } from './jwt/mangling.js';
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
export { generateKeyMaterial, importKeyMaterial, exportPublicJwk, type KeyMaterial, type KeySource } from './keys/key-material.js';
export { Keyring, type KeyringEntry, type KeyringOptions } from './keys/keyring.js';
export { sealKeyringEntry, openStoredKey, type KeyStore, type StoredKey, type SealOptions } from './keys/key-store.js';
export { createFileKeyStore } from './keys/file-key-store.js';
export { loadKeyring, type LoadKeyringOptions } from './keys/load-keyring.js';
export { assertStrongSecret, WELL_KNOWN_SECRETS } from './keys/secret-strength.js';
