import { TesseraError } from '../errors/tessera-error.js';
import type { AccountStore, UserRow } from '../store/account-store.js';
import { createDummyWork } from './dummy-work.js';
import { readPasswordHash } from './hash-format.js';
import type { Argon2Params } from './password-hasher.js';

/**
 * What sign-in does for imported password hashes, beside the check itself (password-hasher.ts):
 * refuse a stored hash it will not run, give unknown emails the work of the slowest scheme in the
 * store, and move an imported hash to argon2id once its password has been proven.
 */
export interface LegacyPasswords {
  /** The hash a login for an unknown email is checked against (see dummy-work.ts). */
  dummy(): Promise<string>;
  /**
   * Throws PASSWORD_HASH_UNUSABLE, before any work, for a stored hash of an unknown format or a
   * cost above the cap: a row edited in the database answers with a code instead of a long login.
   */
  assertUsable(user: UserRow): void;
  /**
   * After a successful check: rehashes an imported hash to argon2id with a compare-and-swap on the
   * old one, and returns the user as stored now. Of concurrent sign-ins, one replaces it.
   */
  upgrade(user: UserRow, password: string): Promise<UserRow>;
}

/**
 * Creates the sign-in helpers for imported hashes over the account store.
 *
 * @example
 * ```ts
 * const legacy = createLegacyPasswords({ store, argon2: ARGON2, hash: hasher.hash, now: Date.now });
 * if (user !== undefined) legacy.assertUsable(user);
 * const ok = await hasher.verify(user?.passwordHash ?? legacy.dummy(), password);
 * ```
 */
export function createLegacyPasswords(options: {
  readonly store: Pick<AccountStore, 'passwordHashSamples' | 'replacePasswordHash'>;
  readonly argon2: Argon2Params;
  readonly hash: (password: string, params: Argon2Params) => Promise<string>;
  readonly now: () => number;
}): LegacyPasswords {
  const { store } = options;
  const dummy = createDummyWork({
    samples: () => store.passwordHashSamples(),
    argon2: options.argon2,
    hashArgon2: options.hash,
    now: options.now,
  });
  return {
    dummy: () => dummy.hash(),
    assertUsable(user) {
      const reading = readPasswordHash(user.passwordHash);
      if (!reading.ok)
        throw new TesseraError(
          'PASSWORD_HASH_UNUSABLE',
          `This account's stored password hash cannot be checked (${reading.refusal}); an operator must re-import it within the caps or reset the password.`,
          { refusal: reading.refusal },
        );
    },
    async upgrade(user, password) {
      if (user.passwordHash.startsWith('$argon2id$')) return user;
      const to = await options.hash(password, options.argon2);
      const replaced = await store.replacePasswordHash({
        userId: user.id,
        from: user.passwordHash,
        to,
      });
      return replaced ? { ...user, passwordHash: to } : user;
    },
  };
}
