/**
 * The tokens an emailed link carries: password reset (`tsp_`) and email verification (`tsv_`). Each is
 * single use, expires, and remembers the password epoch of its user when it was minted; the store
 * changes a password or marks an address verified only while that epoch still holds (a compare-and-
 * swap), so a link dies when the password changes by any route, when a later reset is used, and at its
 * expiry. Only the id, a hash of the secret and the epoch are stored.
 */
import { hashSecret, mintSecret, parseSecret, secretMatches } from '../secrets/opaque-secret.js';
import type { AccountStore, UserRow } from '../store/account-store.js';

/** What a link token is for. */
export type LinkKind = 'reset' | 'verify';

const PREFIX = { reset: 'tsp', verify: 'tsv' } as const;

/** A link token as minted: the value for the mail, and its row's id (to delete it if sending fails). */
export interface MintedLinkToken {
  readonly token: string;
  readonly id: string;
  readonly expiresAt: number;
}

/** What a redeemed link token speaks for. */
export interface RedeemedLinkToken {
  readonly userId: string;
  /** The password epoch it was minted under: the store's compare-and-swap expects it. */
  readonly passwordEpoch: number;
}

/**
 * Mints and stores a link token for `user` at its current password epoch.
 *
 * @example
 * ```ts
 * const { token } = await mintLinkToken(store, { kind: 'reset', user, at: Date.now(), lifetimeMs: 900_000 });
 * ```
 */
export async function mintLinkToken(
  store: Pick<AccountStore, 'createOneTimeToken'>,
  input: { kind: LinkKind; user: UserRow; at: number; lifetimeMs: number },
): Promise<MintedLinkToken> {
  const minted = mintSecret(PREFIX[input.kind], { pepper: undefined });
  const expiresAt = input.at + input.lifetimeMs;
  await store.createOneTimeToken({
    id: minted.id,
    kind: input.kind,
    userId: input.user.id,
    sessionId: null,
    secretHash: minted.secretHash,
    expiresAt,
    passwordEpoch: input.user.passwordEpoch ?? 0,
  });
  return { token: minted.value, id: minted.id, expiresAt };
}

/**
 * Uses a link token once: undefined when it is malformed, of the other kind, unknown, used, expired,
 * or minted before epochs existed. A wrong secret burns nothing (the store deletes by id and hash).
 * The caller still has to win the epoch compare-and-swap for the token to take effect.
 *
 * @example
 * ```ts
 * const redeemed = await redeemLinkToken(store, { kind: 'verify', token, at: Date.now() });
 * if (redeemed) await store.markEmailVerified(redeemed);
 * ```
 */
export async function redeemLinkToken(
  store: Pick<AccountStore, 'consumeOneTimeToken'>,
  input: { kind: LinkKind; token: string; at: number },
): Promise<RedeemedLinkToken | undefined> {
  const parts = parseSecret(PREFIX[input.kind], input.token);
  if (parts === undefined) return undefined;
  const row = await store.consumeOneTimeToken({
    id: parts.id,
    kind: input.kind,
    secretHash: hashSecret(parts.secret, undefined),
    at: input.at,
  });
  if (row === undefined || !secretMatches(parts.secret, row.secretHash, undefined))
    return undefined;
  if (typeof row.passwordEpoch !== 'number') return undefined;
  return { userId: row.userId, passwordEpoch: row.passwordEpoch };
}
