/**
 * The two vocabularies that stores persist and every layer above reads: audit event types and
 * revocation reasons. Each is a string union with its words beside it, keyed by the union, so a new
 * value without words fails the typecheck instead of printing a bare string in `tessera events`.
 */

/** Every audit event type Tessera writes. */
export type AuditEventType =
  | 'login'
  | 'refresh'
  | 'refresh.grace'
  | 'refresh.reuse_detected'
  | 'logout'
  | 'session.revoked'
  | 'user.revoked'
  | 'mail.undeliverable'
  | 'legacy.exchanged'
  | 'legacy.replay_detected';

/** What each audit event means, in the words a person debugging a logout needs. */
export const AUDIT_EVENT_WORDS: Readonly<Record<AuditEventType, string>> = {
  login: 'signed in: a new session',
  refresh: 'refreshed: the refresh token rotated',
  'refresh.grace': 'retry inside the grace window: answered with the same successor',
  'refresh.reuse_detected': 'an old refresh token came back after rotation: session revoked',
  logout: 'logged out: session revoked',
  'session.revoked': 'session revoked',
  'user.revoked': 'every session revoked (logout everywhere, password change or reset)',
  'mail.undeliverable': 'a reset, verification or notice mail was given up on after its retries',
  'legacy.exchanged': "adopted: the old app's token was exchanged for a new session",
  'legacy.replay_detected':
    'an already exchanged legacy token came back (possible theft): its session revoked',
};

/** Why a session (or every session of a user) was revoked. */
export type RevocationReason =
  | 'logout'
  | 'logout-all'
  | 'password-change'
  | 'password-reset'
  | 'revoked-by-user'
  | 'reuse'
  | 'session_limit'
  | 'admin'
  | 'legacy-replay';

/** Each revocation reason as the end of "This session was revoked at … ". */
export const REVOCATION_WORDS: Readonly<Record<RevocationReason, string>> = {
  logout: 'by a logout',
  'logout-all': 'by a logout from every device',
  'password-change': 'by a password change',
  'password-reset': 'by a password reset',
  'revoked-by-user': 'from the session list',
  reuse: 'because a refresh token was used twice (possible theft); sign in again',
  session_limit: 'because the user signed in on more devices than the session limit allows',
  admin: 'by an administrator',
  'legacy-replay':
    'because the old token it was adopted from was presented again (possible theft); sign in again',
};

/**
 * Narrows a stored string to a known event type (rows written by another version may hold others).
 *
 * @example
 * ```ts
 * import { isAuditEventType } from 'tessera-auth';
 *
 * console.log(isAuditEventType('refresh.grace')); // true
 * console.log(isAuditEventType('made-up')); // false
 * ```
 */
export function isAuditEventType(value: string): value is AuditEventType {
  return Object.hasOwn(AUDIT_EVENT_WORDS, value);
}

/**
 * Narrows a stored string to a known revocation reason.
 *
 * @example
 * ```ts
 * import { isRevocationReason } from 'tessera-auth';
 *
 * console.log(isRevocationReason('reuse')); // true
 * ```
 */
export function isRevocationReason(value: string): value is RevocationReason {
  return Object.hasOwn(REVOCATION_WORDS, value);
}
