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
  updatePassword(input: { userId: string; passwordHash: string; at: number }): Promise<void>;
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
