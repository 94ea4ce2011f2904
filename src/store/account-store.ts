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
}

/** A single-use secret of a kind: `reset` (password reset) or `ticket` (EventSource/WebSocket connect). */
export interface OneTimeTokenRow {
  readonly id: string;
  readonly kind: 'reset' | 'ticket';
  readonly userId: string;
  readonly sessionId: string | null;
  readonly secretHash: string;
  readonly expiresAt: number;
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
  updatePassword(input: { userId: string; passwordHash: string; at: number }): Promise<void>;
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
