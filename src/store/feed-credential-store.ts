/**
 * Persistence for revocation-feed credentials: one per resource server that follows the feed. Only the
 * credential's id and a hash of its secret are stored; the name is how an operator lists and revokes it.
 * Like the session store it never reads a clock.
 */

/** One feed credential. `name` is unique among live credentials; a revoked one keeps its row. */
export interface FeedCredentialRow {
  readonly name: string;
  readonly id: string;
  readonly secretHash: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

/**
 * The feed-credential store; the SQLite and PostgreSQL stores implement it next to {@link SessionStore}.
 * It is its own interface, like the account store, so a custom session store keeps compiling and simply
 * serves no feed.
 *
 * @example
 * ```ts
 * const created = await store.createFeedCredential({ name: 'billing-api', id, secretHash, createdAt: now });
 * ```
 */
export interface FeedCredentialStore {
  /** Inserts a live credential; false when a live credential already has the name (never a driver error). */
  createFeedCredential(row: Omit<FeedCredentialRow, 'revokedAt'>): Promise<boolean>;
  /** The credential by id, live or revoked. */
  findFeedCredential(id: string): Promise<FeedCredentialRow | undefined>;
  /** Every credential, live and revoked, oldest first. */
  listFeedCredentials(): Promise<FeedCredentialRow[]>;
  /** Revokes the live credential of that name at `at`; false when there is none. */
  revokeFeedCredential(input: { name: string; at: number }): Promise<boolean>;
}

/**
 * Narrows a store to one that also keeps feed credentials.
 *
 * @example
 * ```ts
 * if (hasFeedCredentialStore(store)) await store.listFeedCredentials();
 * ```
 */
export function hasFeedCredentialStore<T extends object>(
  store: T,
): store is T & FeedCredentialStore {
  const candidate = store as Partial<FeedCredentialStore>;
  return (
    typeof candidate.createFeedCredential === 'function' &&
    typeof candidate.findFeedCredential === 'function' &&
    typeof candidate.listFeedCredentials === 'function' &&
    typeof candidate.revokeFeedCredential === 'function'
  );
}
