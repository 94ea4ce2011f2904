import { randomBytes } from 'node:crypto';
import { TesseraError } from '../errors/tessera-error.js';
import type { AccountStore, UserRow } from '../store/account-store.js';
import type { SessionStore } from '../store/session-store.js';
import { createLegacyPasswords } from './legacy-login.js';
import { mintLinkToken, redeemLinkToken } from './link-tokens.js';
import type { MailOutbox } from './mail-outbox.js';
import { createTicketService, DEFAULT_MAX_TICKETS_PER_SESSION } from './tickets.js';
import {
  createPasswordHasher,
  type Argon2Params,
  type PasswordHasherOptions,
} from './password-hasher.js';

/** Password length rules: a maximum stops a 1 MB password before it reaches the hash. */
export const PASSWORD_RULES = { minLength: 8, maxLength: 256 } as const;

/** Options of {@link createAccounts}. */
export interface AccountsOptions {
  readonly store: AccountStore;
  readonly now?: () => number;
  /**
   * Where reset and verification mail goes: one outbox row per request, delivered off the request
   * path (mail-outbox.ts). Without it (and without `deliverResetToken`) no mail is sent.
   */
  readonly outbox?: Pick<MailOutbox, 'enqueue'>;
  /**
   * Sign-up answers alike for new and taken addresses and signs no one in; an account signs in once
   * its address is verified. Needs `outbox`.
   */
  readonly requireVerifiedEmail?: boolean;
  /**
   * @deprecated Delivers a reset token inside the request, which makes a known address slower to
   * answer than an unknown one; pass `outbox` instead. Ignored when `outbox` is set.
   */
  readonly deliverResetToken?: (input: {
    email: string;
    token: string;
    expiresAt: number;
  }) => void | Promise<void>;
  readonly resetTokenSeconds?: number;
  readonly ticketSeconds?: number;
  /**
   * Where a ticket's session is checked, when it is issued and again when it is used (a ticket dies
   * with its session). Default: `store`, when it is also a session store (both built-in stores are).
   */
  readonly sessions?: Pick<SessionStore, 'findSession'>;
  /** Live tickets one session may hold; issuing one more deletes the oldest. Default 8. */
  readonly maxTicketsPerSession?: number;
  /** The cap on argon2 work at once (password-hasher.ts); a full queue answers PASSWORD_CHECK_BUSY. */
  readonly passwordChecks?: PasswordHasherOptions;
}

/** Options of {@link Accounts.login}. */
export interface LoginOptions {
  /**
   * Runs once before the password is checked (for unknown emails too), with a password-check turn
   * held; throwing refuses the attempt without checking it. The login route's per-account delay
   * lives here, so an attempt that waited for a turn and one refused as busy are never counted.
   */
  readonly admit?: () => Promise<void>;
}

/**
 * Tessera's own accounts: argon2id passwords (OWASP parameters: 19 MiB, 2 passes, 1 lane), constant
 * work for unknown emails, single-use reset tokens and connection tickets.
 *
 * @example
 * ```ts
 * const accounts = createAccounts({ store });
 * const user = await accounts.login('a@example.com', 'correct horse battery staple');
 * ```
 */
export interface Accounts {
  /** Whether sign-up goes through {@link Accounts.register} (email verification required). */
  readonly requiresVerifiedEmail: boolean;
  signup(email: string, password: string): Promise<UserRow>;
  /**
   * Sign-up with verification: the same work and the same (empty) answer whether the address is new
   * or taken. A new account is created unverified and gets a verification link; a taken address's
   * owner gets an "account exists" notice instead.
   */
  register(email: string, password: string): Promise<void>;
  /** Marks the address verified from a `tsv_` link token; returns the user id. `VERIFY_TOKEN_INVALID`. */
  confirmEmail(token: string): Promise<string>;
  /** Implementations must call `options.admit` once before checking the password, and honour its refusal. */
  login(email: string, password: string, options?: LoginOptions): Promise<UserRow>;
  changePassword(userId: string, current: string, next: string): Promise<void>;
  requestPasswordReset(email: string): Promise<void>;
  /** Sets the new password and returns the user id; the caller revokes every session. */
  confirmPasswordReset(token: string, newPassword: string): Promise<string>;
  /**
   * A single-use ticket (30 s) for the caller's live session; the session's oldest beyond
   * `maxTicketsPerSession` are deleted. `TOKEN_REVOKED` / `SESSION_EXPIRED` when the session has ended.
   */
  createTicket(input: {
    userId: string;
    sessionId: string;
  }): Promise<{ ticket: string; expiresIn: number }>;
  /**
   * Uses a ticket once: `TICKET_INVALID` when it is malformed, unknown, used, expired, or its session
   * has since ended (logout, revocation, idle or absolute expiry).
   */
  consumeTicket(ticket: string): Promise<{ userId: string; sessionId: string }>;
  findUser(userId: string): Promise<UserRow | undefined>;
}

const ARGON2: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/**
 * Creates the account service over an account store.
 *
 * @example
 * ```ts
 * const accounts = createAccounts({ store, deliverResetToken: ({ email, token }) => mailer.send(email, token) });
 * ```
 */
export function createAccounts(options: AccountsOptions): Accounts {
  const { store } = options;
  const now = options.now ?? Date.now;
  const resetMs = (options.resetTokenSeconds ?? 900) * 1000;
  const tickets = createTicketService({
    store,
    sessions: options.sessions ?? (hasFindSession(store) ? store : undefined),
    now,
    ticketSeconds: options.ticketSeconds ?? 30,
    maxPerSession: options.maxTicketsPerSession ?? DEFAULT_MAX_TICKETS_PER_SESSION,
  });
  const hasher = createPasswordHasher(options.passwordChecks);
  const hash = (password: string, params: Argon2Params): Promise<string> =>
    hasher.hash(password, params);
  // Imported hashes (issue 14): the unknown-email dummy costs what the slowest scheme stored costs.
  const legacy = createLegacyPasswords({ store, argon2: ARGON2, hash, now });
  // Minted now, not at the first unknown-email login: in a 200-login flood on PostgreSQL every login
  // waited on that first mint and its store sample, and the flood hung (test/http/login-flood.test.ts).
  // A failure here is retried by the next login (dummy-work.ts), never an unhandled rejection.
  legacy.dummy().catch(() => undefined);

  const requireVerified = options.requireVerifiedEmail === true;
  // With verification required, an unverified account answers exactly like a wrong password: a
  // distinct answer would tell whoever just signed up with an address whether it already had an owner.
  const invalidCredentials = (): TesseraError =>
    new TesseraError(
      'CREDENTIALS_INVALID',
      requireVerified
        ? 'The email or the password is wrong, or the address is not verified yet: follow the link in the verification mail.'
        : 'The email or the password is wrong.',
    );
  const newUser = async (rawEmail: string, password: string): Promise<UserRow> => {
    checkPassword(password);
    const at = now();
    return {
      id: randomBytes(16).toString('base64url'),
      email: normaliseEmail(rawEmail),
      passwordHash: await hash(password, ARGON2),
      createdAt: at,
      passwordChangedAt: at,
      emailVerified: false,
      passwordEpoch: 0,
    };
  };

  const checkPassword = (password: string, field = 'password'): void => {
    if (password.length < PASSWORD_RULES.minLength || password.length > PASSWORD_RULES.maxLength) {
      throw new TesseraError(
        'REQUEST_INVALID',
        `The ${field} must be ${PASSWORD_RULES.minLength} to ${PASSWORD_RULES.maxLength} characters.`,
        { field },
      );
    }
  };

  return {
    requiresVerifiedEmail: requireVerified,

    async signup(rawEmail, password) {
      const user = await newUser(rawEmail, password);
      if (!(await store.createUser(user)))
        throw new TesseraError(
          'ACCOUNT_EXISTS',
          'An account with this email already exists; sign in or reset the password.',
        );
      // Verification is optional here, but the link lets the claims hook see a verified address.
      await options.outbox?.enqueue('verify', user.email);
      return user;
    },

    async register(rawEmail, password) {
      const user = await newUser(rawEmail, password);
      const created = await store.createUser(user);
      await options.outbox?.enqueue(created ? 'verify' : 'account-exists', user.email);
    },

    async confirmEmail(token) {
      const redeemed = await redeemLinkToken(store, { kind: 'verify', token, at: now() });
      if (redeemed === undefined || !(await store.markEmailVerified(redeemed)))
        throw new TesseraError(
          'VERIFY_TOKEN_INVALID',
          'The verification link is unknown, already used, expired, or older than the password; sign in to get a new one.',
        );
      return redeemed.userId;
    },

    async login(rawEmail, password, loginOptions = {}) {
      if (password.length > PASSWORD_RULES.maxLength) throw invalidCredentials();
      const user = await store.findUserByEmail(normaliseEmail(rawEmail));
      if (user !== undefined) legacy.assertUsable(user);
      const ok = await hasher.verify(user?.passwordHash ?? legacy.dummy(), password, loginOptions);
      if (user === undefined || !ok) throw invalidCredentials();
      if (requireVerified && user.emailVerified !== true) {
        // The right password for an unverified address: a fresh link, and the same refusal.
        await options.outbox?.enqueue('verify', user.email);
        throw invalidCredentials();
      }
      return legacy.upgrade(user, password);
    },

    async changePassword(userId, current, next) {
      checkPassword(next, 'new_password');
      const user = await store.findUserById(userId);
      if (
        user === undefined ||
        current.length > PASSWORD_RULES.maxLength ||
        !(await hasher.verify(user.passwordHash, current))
      ) {
        throw invalidCredentials();
      }
      await store.updatePassword({ userId, passwordHash: await hash(next, ARGON2), at: now() });
    },

    async requestPasswordReset(rawEmail) {
      const email = normaliseEmail(rawEmail);
      // The outbox path: one row, known address or not; the worker finds out which.
      if (options.outbox !== undefined) return options.outbox.enqueue('reset', email);
      const deliver = options.deliverResetToken;
      const user = deliver === undefined ? undefined : await store.findUserByEmail(email);
      if (deliver === undefined || user === undefined) return;
      const minted = await mintLinkToken(store, {
        kind: 'reset',
        user,
        at: now(),
        lifetimeMs: resetMs,
      });
      await deliver({ email: user.email, token: minted.token, expiresAt: minted.expiresAt });
    },

    async confirmPasswordReset(token, newPassword) {
      checkPassword(newPassword, 'new_password');
      const invalid = new TesseraError(
        'RESET_TOKEN_INVALID',
        'The password-reset token is unknown, already used, expired, or older than the password; request a new one.',
      );
      const redeemed = await redeemLinkToken(store, { kind: 'reset', token, at: now() });
      if (redeemed === undefined) throw invalid;
      // The epoch compare-and-swap: a password changed (any way, a later reset included) since this
      // token was minted leaves the row alone. The reset proves the inbox, so it verifies too.
      const changed = await store.updatePassword({
        userId: redeemed.userId,
        passwordHash: await hash(newPassword, ARGON2),
        at: now(),
        expectedEpoch: redeemed.passwordEpoch,
        verifyEmail: true,
      });
      if (!changed) throw invalid;
      return redeemed.userId;
    },

    createTicket: tickets.createTicket,
    consumeTicket: tickets.consumeTicket,

    findUser(userId) {
      return store.findUserById(userId);
    },
  };
}

function hasFindSession(
  store: AccountStore,
): store is AccountStore & Pick<SessionStore, 'findSession'> {
  return typeof (store as Partial<SessionStore>).findSession === 'function';
}

/**
 * An email as accounts are keyed by it: trimmed and lower-cased. Limits per account use the same key,
 * so `A@example.com` and `a@example.com ` are one account to them too.
 *
 * @example
 * ```ts
 * normaliseEmail(' Ada@Example.com'); // 'ada@example.com'
 * ```
 */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
