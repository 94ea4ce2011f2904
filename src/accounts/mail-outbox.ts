/**
 * Mail off the request path. A request writes one outbox row (kind, normalised address, times,
 * attempts) and nothing else, whether or not the address has an account, so the answer and the store
 * work are the same for both. This worker takes due rows with a lease, looks the address up, mints the
 * link's token only now (stored hashed, with the password epoch), sends, and removes the row. A failed
 * send deletes its token, puts the row back with a growing delay and a failure code, and after
 * `maxAttempts` (or at once for a permanent SMTP refusal) gives up with a logged report and an audit
 * event. No token is ever written to the outbox or to a report; a worker that dies mid-send leaves
 * the row to be taken again when its lease ends, so nothing is lost silently.
 */
import { randomBytes } from 'node:crypto';
import type { AccountStore, MailKind, MailOutboxRow, UserRow } from '../store/account-store.js';
import type { AuditEvent } from '../store/session-store.js';
import { mintLinkToken, type MintedLinkToken } from './link-tokens.js';

/** One mail for the transport: a link token for `reset` and `verify`, none for `account-exists`. */
export interface OutgoingMail {
  readonly kind: MailKind;
  readonly to: string;
  readonly token?: string;
  readonly expiresAt?: number;
}

/** What the worker tells its owner (the server logs it). Never a token, never an address. */
export type MailReport =
  | { readonly type: 'sent' | 'dropped'; readonly id: string; readonly kind: MailKind }
  | {
      readonly type: 'retry' | 'gave-up';
      readonly id: string;
      readonly kind: MailKind;
      readonly attempt: number;
      readonly code: string;
      readonly retryAt?: number;
    }
  | { readonly type: 'error'; readonly code: string };

/** What the worker does with one claimed row, decided from the row and the account alone. */
export type MailPlan =
  | { readonly action: 'drop'; readonly reason: 'no-account' | 'already-verified' }
  | { readonly action: 'send'; readonly token: 'reset' | 'verify' | 'none' };

/** Options of {@link createMailOutbox}. */
export interface MailOutboxOptions {
  readonly store: AccountStore & { appendEvent?: (event: AuditEvent) => Promise<void> };
  /** Sends one mail; a rejection is a failed attempt (its `code` or `responseCode` is logged). */
  readonly deliver: (mail: OutgoingMail) => Promise<void>;
  readonly now?: () => number;
  readonly report?: (report: MailReport) => void;
  /** Reset links live this long from the send. Default 900 (15 min). */
  readonly resetTokenSeconds?: number;
  /** Verification links live this long from the send. Default 86 400 (24 h). */
  readonly verifyTokenSeconds?: number;
  /** Attempts before giving up. Default 8 (about 20 minutes of retries with the default delays). */
  readonly maxAttempts?: number;
  /** How long a claimed row is kept from other workers; longer than one send can take. Default 120 s. */
  readonly leaseMs?: number;
  /** How often the worker looks for due rows besides the wake-up after each enqueue. Default 5 s. */
  readonly pollMs?: number;
}

/** The outbox: the request path's one write, and the worker that empties it. */
export interface MailOutbox {
  /** Queues a mail for a normalised address; the only store work a request does. */
  enqueue(kind: MailKind, email: string): Promise<void>;
  /** Starts the poll timer (unref'd). */
  start(): void;
  /** Runs passes until no row is due now; resolves with the rows handled. Tests and shutdown use it. */
  drain(): Promise<number>;
  /** Stops the timer and waits for a pass in flight. */
  stop(): Promise<void>;
}

const BATCH = 20;

/**
 * What to do with a claimed row: a reset or a notice for an address without an account, or a
 * verification for an address already verified, sends nothing.
 *
 * @example
 * ```ts
 * planMail('reset', undefined); // { action: 'drop', reason: 'no-account' }
 * ```
 */
export function planMail(kind: MailKind, user: UserRow | undefined): MailPlan {
  if (user === undefined) return { action: 'drop', reason: 'no-account' };
  if (kind === 'verify' && user.emailVerified === true)
    return { action: 'drop', reason: 'already-verified' };
  return { action: 'send', token: kind === 'account-exists' ? 'none' : kind };
}

/**
 * The delay before attempt `attempt + 1`: 5 s, 10 s, 20 s, … doubling, at most 10 minutes.
 *
 * @example
 * ```ts
 * retryDelayMs(1); // 5000
 * retryDelayMs(3); // 20000
 * ```
 */
export function retryDelayMs(attempt: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 600_000);
}

/**
 * A failure as a short code for the log and the outbox: the transport's `code` (ECONNECTION, EAUTH,
 * ETIMEDOUT, …), `SMTP_<status>` for a refused message, else SEND_FAILED. `permanent` for a 5xx
 * refusal of the message itself (a retry would be refused the same way).
 *
 * @example
 * ```ts
 * failureOf(Object.assign(new Error('x'), { code: 'ECONNECTION' })); // { code: 'ECONNECTION', permanent: false }
 * ```
 */
export function failureOf(error: unknown): { code: string; permanent: boolean } {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  const status = typeof responseCode === 'number' ? responseCode : undefined;
  const permanent = status !== undefined && status >= 500 && status < 600 && code !== 'EAUTH';
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,31}$/.test(code))
    return { code: status === undefined ? code : `${code}_${status}`, permanent };
  if (status !== undefined) return { code: `SMTP_${status}`, permanent };
  return { code: 'SEND_FAILED', permanent: false };
}

/**
 * Creates the outbox over an account store.
 *
 * @example
 * ```ts
 * const outbox = createMailOutbox({ store, deliver: (mail) => smtp.send(mail) });
 * outbox.start();
 * const accounts = createAccounts({ store, outbox });
 * ```
 */
export function createMailOutbox(options: MailOutboxOptions): MailOutbox {
  const { store, deliver } = options;
  const now = options.now ?? Date.now;
  const report = options.report ?? ((): void => undefined);
  const maxAttempts = options.maxAttempts ?? 8;
  const leaseMs = options.leaseMs ?? 120_000;
  const lifetimeMs = {
    reset: (options.resetTokenSeconds ?? 900) * 1000,
    verify: (options.verifyTokenSeconds ?? 86_400) * 1000,
  };
  let timer: ReturnType<typeof setInterval> | undefined;
  let pass: Promise<number> | undefined;
  let stopped = false;

  const fail = async (row: MailOutboxRow, user: UserRow, error: unknown): Promise<void> => {
    const { code, permanent } = failureOf(error);
    if (permanent || row.attempts >= maxAttempts) {
      await store.finishMail(row.id);
      report({ type: 'gave-up', id: row.id, kind: row.kind, attempt: row.attempts, code });
      await store.appendEvent?.({
        at: now(),
        type: 'mail.undeliverable',
        userId: user.id,
        sessionId: null,
        ip: null,
        detail: JSON.stringify({ kind: row.kind, attempts: row.attempts, code, outbox: row.id }),
      });
      return;
    }
    const retryAt = now() + retryDelayMs(row.attempts);
    await store.retryMail({ id: row.id, dueAt: retryAt, lastError: code });
    report({ type: 'retry', id: row.id, kind: row.kind, attempt: row.attempts, code, retryAt });
  };

  const handle = async (row: MailOutboxRow): Promise<void> => {
    const user = await store.findUserByEmail(row.email);
    const plan = planMail(row.kind, user);
    if (plan.action === 'drop' || user === undefined) {
      await store.finishMail(row.id);
      report({ type: 'dropped', id: row.id, kind: row.kind });
      return;
    }
    let minted: MintedLinkToken | undefined;
    try {
      if (plan.token !== 'none')
        minted = await mintLinkToken(store, {
          kind: plan.token,
          user,
          at: now(),
          lifetimeMs: lifetimeMs[plan.token],
        });
      await deliver({
        kind: row.kind,
        to: user.email,
        ...(minted === undefined ? {} : { token: minted.token, expiresAt: minted.expiresAt }),
      });
    } catch (error) {
      // The token of a failed attempt must not outlive it: the mail may never have left, or left
      // half-written; the next attempt mints its own.
      if (minted !== undefined) await store.deleteOneTimeToken(minted.id);
      await fail(row, user, error);
      return;
    }
    await store.finishMail(row.id);
    report({ type: 'sent', id: row.id, kind: row.kind });
  };

  const runPass = async (): Promise<number> => {
    const at = now();
    const rows = await store.claimMail({ at, leaseUntil: at + leaseMs, limit: BATCH });
    for (const row of rows) {
      try {
        await handle(row);
      } catch (error) {
        // The store failed mid-row: the lease brings the row back; the next rows may still go.
        report({ type: 'error', code: failureOf(error).code });
      }
    }
    return rows.length;
  };

  // One pass at a time in this process; other processes are kept apart by the claim's lease.
  const once = (): Promise<number> => {
    pass ??= runPass().finally(() => {
      pass = undefined;
    });
    return pass;
  };
  const wake = (): void => {
    if (stopped) return;
    once().catch((error: unknown) => report({ type: 'error', code: failureOf(error).code }));
  };

  return {
    async enqueue(kind, email) {
      const at = now();
      await store.enqueueMail({
        id: randomBytes(16).toString('base64url'),
        kind,
        email,
        createdAt: at,
        dueAt: at,
        attempts: 0,
        lastError: null,
      });
      // After the answer is on its way: the request never waits for the worker.
      setImmediate(wake);
    },
    start() {
      stopped = false;
      if (timer !== undefined) return;
      timer = setInterval(wake, options.pollMs ?? 5_000);
      timer.unref();
    },
    async drain() {
      let handled = 0;
      for (;;) {
        if (pass !== undefined) await pass.catch(() => 0);
        const count = await once();
        handled += count;
        if (count < BATCH) {
          // A row claimed by the pass another caller started may still be in flight: wait for it.
          if (pass !== undefined) await pass.catch(() => 0);
          return handled;
        }
      }
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await pass?.catch(() => 0);
    },
  };
}
