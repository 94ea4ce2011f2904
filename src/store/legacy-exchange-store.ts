import type { NewSession } from './session-store.js';

/**
 * Persistence for adopting an old app's sessions (issue 14): each legacy token is exchanged once, keyed
 * on what cannot be re-spelled (its `jti`, else a hash of its signature bytes), and the key names the
 * session it became so that a second presentation can revoke that session.
 */

/** One exchanged legacy token: its key, the session it became, and until when the token itself lived. */
export interface LegacyExchangeRow {
  readonly key: string;
  readonly sessionId: string;
  readonly userId: string;
  readonly exchangedAt: number;
  /** The legacy token's own `exp` in epoch ms: after it the token is refused as expired anyway. */
  readonly legacyExpiresAt: number;
}

/** What {@link LegacyExchangeStore.createLegacySession} writes: the key and the new session, together. */
export interface NewLegacySession extends NewSession {
  readonly legacyKey: string;
  readonly legacyExpiresAt: number;
}

/** The answer of one exchange: the session was created, or the key was already taken (a replay). */
export type LegacyExchangeResult =
  { readonly created: true } | { readonly created: false; readonly exchange: LegacyExchangeRow };

/**
 * The legacy-exchange half of the built-in stores. The key is unique: of two exchanges of one token at
 * once, exactly one creates a session and the other sees the winner's row.
 *
 * @example
 * ```ts
 * const result = await store.createLegacySession({ ...newSession, legacyKey, legacyExpiresAt });
 * if (!result.created) console.log('replayed; adopted as', result.exchange.sessionId);
 * ```
 */
export interface LegacyExchangeStore {
  /**
   * In one transaction: records `legacyKey` and creates the session with its first refresh token and
   * event. When the key is already recorded, writes nothing and returns the existing row.
   */
  createLegacySession(input: NewLegacySession): Promise<LegacyExchangeResult>;
  findLegacyExchange(key: string): Promise<LegacyExchangeRow | undefined>;
}

/**
 * Narrows a store to one that can record legacy exchanges.
 *
 * @example
 * ```ts
 * if (!hasLegacyExchangeStore(store)) throw new Error('this store cannot adopt legacy sessions');
 * ```
 */
export function hasLegacyExchangeStore<T extends object>(
  store: T,
): store is T & LegacyExchangeStore {
  const candidate = store as Partial<LegacyExchangeStore>;
  return (
    typeof candidate.createLegacySession === 'function' &&
    typeof candidate.findLegacyExchange === 'function'
  );
}
