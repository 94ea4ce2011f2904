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
