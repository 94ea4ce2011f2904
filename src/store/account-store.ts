/**
 * Persistence for Tessera's own accounts (email and password), password-reset tokens and connection
 * tickets. Teams with their own user table skip this and call `issueSession(userId)` from their login code.
 * Like the session store it never reads a clock.
 */

/** One account. `email` is stored normalised (trimmed, lower-case). */
export interface UserRow {
  readonly id: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly createdAt: number;
  readonly passwordChangedAt: number;
  /**
   * Whether the owner proved the address by following a verification or reset link. Both stores return
   * it; a row created without it is unverified.
   */
  readonly emailVerified?: boolean;
  /**
   * Bumped by every password change. A reset or verification token remembers the epoch it was minted
   * under and is dead under any other, so a change (any way) or a used reset kills every older link.
   * Both stores return it; a new row starts at 0.
   */
  readonly passwordEpoch?: number;
}

/**
 * A single-use secret of a kind: `reset` (password reset), `verify` (email verification) or `ticket`
 * (EventSource/WebSocket connect).
 */
export interface OneTimeTokenRow {
  readonly id: string;
  readonly kind: 'reset' | 'ticket' | 'verify';
  readonly userId: string;
  readonly sessionId: string | null;
  readonly secretHash: string;
  readonly expiresAt: number;
  /** The user's password epoch when a `reset` or `verify` token was minted (null for tickets). */
  readonly passwordEpoch?: number | null;
}

/** What a queued mail is for: a reset link, a verification link, or the "you already have an account" notice. */
export type MailKind = 'reset' | 'verify' | 'account-exists';

/**
 * One queued mail. It names its recipient by normalised address only and holds no token: the delivery
 * worker mints the link's token when it sends (accounts/mail-outbox.ts), so nothing at rest opens an
 * account.
 */
export interface MailOutboxRow {
  readonly id: string;
  readonly kind: MailKind;
  readonly email: string;
  readonly createdAt: number;
  /** When the row may next be taken: now for a new row, the backoff after a failure, a lease while sending. */
  readonly dueAt: number;
  /** Delivery attempts started so far (a claim counts one). */
  readonly attempts: number;
  /** The last failure's code (a word such as ECONNECTION, never a token or a message body). */
  readonly lastError: string | null;
}

/** A row of an import that cannot go in: its index in the batch, and which of its keys is taken. */
export interface ImportConflict {
  readonly index: number;
  /** `id` or `email` already belongs to a stored user, or to an earlier row of the same batch. */
  readonly field: 'id' | 'email';
}

/**
 * What separates one stored hash's scheme and cost from another's, in SQL: bcrypt's first 7
 * characters (`$2b$12$`), else the hash with its last two `$` fields (salt and digest) trimmed off,
 * which leaves the PHC and Django prefixes (`$scrypt$ln=15,r=8,p=1$`, `pbkdf2_sha256$870000$`).
 * Both SQLite and PostgreSQL read it alike.
 *
 * @example
 * ```ts
 * sql(`SELECT min(password_hash) FROM users GROUP BY ${HASH_WORK_KEY_SQL}`);
 * ```
 */
export const HASH_WORK_KEY_SQL = `CASE WHEN password_hash LIKE '$2_$%' THEN substr(password_hash, 1, 7) ELSE rtrim(rtrim(rtrim(password_hash, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/.='), '$'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/.=') END`;

/**
 * Finds the conflicts of a batch against itself: a row whose id or email an earlier row already has.
 * Stores add the conflicts with stored users.
 *
 * @example
 * ```ts
 * batchConflicts([{ id: 'a', email: 'x@e.com' }, { id: 'b', email: 'x@e.com' }]); // [{ index: 1, field: 'email' }]
 * ```
 */
export function batchConflicts(
  users: readonly Pick<UserRow, 'id' | 'email'>[],
  taken: { ids: ReadonlySet<string>; emails: ReadonlySet<string> } = {
    ids: new Set(),
    emails: new Set(),
  },
): ImportConflict[] {
  const ids = new Set(taken.ids);
  const emails = new Set(taken.emails);
  const conflicts: ImportConflict[] = [];
  users.forEach((user, index) => {
    if (ids.has(user.id)) conflicts.push({ index, field: 'id' });
    else if (emails.has(user.email)) conflicts.push({ index, field: 'email' });
    ids.add(user.id);
    emails.add(user.email);
  });
  return conflicts;
}

/**
 * The account store; the SQLite and PostgreSQL stores implement it next to {@link SessionStore}.
 *
 * @example
 * ```ts
 * const created = await store.createUser({ id, email, passwordHash, createdAt: now, passwordChangedAt: now });
 * ```
 */
export interface AccountStore {
  /** Inserts the user; false when the email is taken (never a driver error). */
  createUser(user: UserRow): Promise<boolean>;
  findUserByEmail(email: string): Promise<UserRow | undefined>;
  findUserById(id: string): Promise<UserRow | undefined>;
  /**
   * Sets the hash and bumps the password epoch; with `expectedEpoch`, only while the epoch is still that
   * (the compare-and-swap a reset confirmation makes); `verifyEmail` also marks the address verified.
   * Returns whether the row changed.
   */
  updatePassword(input: {
    userId: string;
    passwordHash: string;
    at: number;
    expectedEpoch?: number;
    verifyEmail?: boolean;
  }): Promise<boolean>;
  /** Marks the address verified while the password epoch is still `passwordEpoch`; true when it did. */
  markEmailVerified(input: { userId: string; passwordEpoch: number }): Promise<boolean>;
  /** Deletes one one-time token by id (the worker's token for a delivery that failed). */
  deleteOneTimeToken(id: string): Promise<void>;
  /** Queues a mail. The request path writes exactly this, known address or not. */
  enqueueMail(row: MailOutboxRow): Promise<void>;
  /**
   * Takes up to `limit` rows due at `at`, oldest first: each gets `dueAt = leaseUntil` and one more
   * attempt in the same statement, so two workers (or nodes) never take one row at once, and a worker
   * that dies mid-send leaves the row to be taken again when the lease ends.
   */
  claimMail(input: { at: number; leaseUntil: number; limit: number }): Promise<MailOutboxRow[]>;
  /** Removes a row: sent, dropped, or given up on. */
  finishMail(id: string): Promise<void>;
  /** Puts a row back for `dueAt`, with the failure's code. */
  retryMail(input: { id: string; dueAt: number; lastError: string }): Promise<void>;
  /**
   * The rehash at sign-in: replaces the user's hash with `to` only while it still is `from` (a
   * compare-and-swap, so of two concurrent sign-ins one rehashes and neither clobbers a password
   * changed meanwhile); true when this call replaced it. `passwordChangedAt` stays: the password is
   * the same one.
   */
  replacePasswordHash(input: { userId: string; from: string; to: string }): Promise<boolean>;
  /** One stored hash per scheme and cost ({@link HASH_WORK_KEY_SQL}): what the unknown-email dummy samples. */
  passwordHashSamples(): Promise<string[]>;
  /**
   * Inserts every user in one transaction, or none: the answer lists the rows whose id or email is
   * taken (by a stored user or an earlier row), and when it is not empty nothing was written. With
   * `dryRun` nothing is written either way. Ids and emails are stored as given (emails normalised).
   */
  importUsers(users: readonly UserRow[], options?: { dryRun?: boolean }): Promise<ImportConflict[]>;
  /**
   * Inserts the token. With `maxPerSession`, the session's tokens of the same kind beyond that many
   * (expired first, then the oldest) are deleted in the same transaction, so no caller can grow the
   * table one row per call.
   */
  createOneTimeToken(token: OneTimeTokenRow, options?: { maxPerSession?: number }): Promise<void>;
  /**
   * Atomically deletes and returns the token when it exists, is of `kind`, carries `secretHash` and has
   * not expired at `at`. A wrong hash deletes nothing: a forged secret cannot burn the real token.
   */
  consumeOneTimeToken(input: {
    id: string;
    kind: OneTimeTokenRow['kind'];
    secretHash: string;
    at: number;
  }): Promise<OneTimeTokenRow | undefined>;
}

/** The account-store methods email delivery added (the stores keep them in their `*-mail.ts` files). */
export type MailStoreMethods = Pick<
  AccountStore,
  | 'markEmailVerified'
  | 'deleteOneTimeToken'
  | 'enqueueMail'
  | 'claimMail'
  | 'finishMail'
  | 'retryMail'
>;
