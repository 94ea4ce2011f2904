import { TesseraError } from '../errors/tessera-error.js';
import { formatDuration } from '../errors/explain.js';
import type { AccessTokenClaims } from '../jwt/claims.js';
import type { RevocationCheck } from '../jwt/verify-access-token.js';
import type { RevocationRecord, SessionStore } from '../store/session-store.js';

/** Options of {@link createRevocationView}. */
export interface RevocationViewOptions {
  readonly store: Pick<SessionStore, 'listRevocations' | 'onRevocation'>;
  /** Longest access-token lifetime plus leeway: records older than this can no longer matter. */
  readonly horizonSeconds: number;
  /** Fail closed when the last successful sync is older than this. Default 30 s. */
  readonly maxStalenessSeconds?: number;
  /**
   * How often to poll the feed. The store's `onRevocation` (PostgreSQL LISTEN/NOTIFY, SQLite's
   * `data_version` watch) only wakes the view early. Default 2000 ms.
   */
  readonly pollIntervalMs?: number;
  readonly now?: () => number;
}

/**
 * One node's copy of the revocation feed: the revoked sessions and per-user "revoked before" records
 * younger than the horizon. Access tokens are checked against it without a store round trip.
 *
 * @example
 * ```ts
 * const view = createRevocationView({ store, horizonSeconds: 900 + 60 });
 * await view.start();
 * const verifier = createAccessTokenVerifier({ ..., revocations: view });
 * ```
 */
export interface RevocationView extends RevocationCheck {
  /** Loads the feed before the node serves, then follows it. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Pulls new records now; resolves when caught up. */
  sync(): Promise<void>;
  /** True when a user record revokes a session created at `createdAt` (a login racing a password change). */
  revokesSession(session: { id: string; userId: string; createdAt: number }): boolean;
  /**
   * True while the view holds a per-user cut younger than the horizon: only then can `revokesSession`
   * say true of a session whose row the store has not marked revoked (a session record is written in
   * the transaction that sets the row's `revoked_at`, which a swap checks itself). So a refresh may swap
   * before it has read the session exactly when this is false; logouts alone never close that path.
   */
  holdsUserCuts(): boolean;
  /** The highest feed seq applied, and when the last sync succeeded. */
  readonly position: { seq: number; syncedAt: number };
}

interface UserCut {
  readonly revokedBefore: number;
  readonly exceptSessionId: string | null;
  readonly at: number;
}

const PAGE = 1000;

/**
 * Creates a revocation view over a store's feed.
 *
 * @example
 * ```ts
 * const view = createRevocationView({ store, horizonSeconds: 960, maxStalenessSeconds: 30 });
 * ```
 */
export function createRevocationView(options: RevocationViewOptions): RevocationView {
  const now = options.now ?? Date.now;
  const horizonMs = options.horizonSeconds * 1000;
  const maxStalenessMs = (options.maxStalenessSeconds ?? 30) * 1000;
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  const sessions = new Map<string, number>();
  const users = new Map<string, UserCut[]>();
  const position = { seq: 0, syncedAt: Number.NEGATIVE_INFINITY };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let unsubscribe: (() => Promise<void>) | undefined;
  let syncing: Promise<void> | undefined;
  let again: Promise<void> | undefined;
  let stopped = false;

  const apply = (record: RevocationRecord): void => {
    if (record.kind === 'session') sessions.set(record.sessionId, record.at);
    else
      users.set(record.userId, [
        ...(users.get(record.userId) ?? []),
        {
          revokedBefore: record.revokedBefore,
          exceptSessionId: record.exceptSessionId,
          at: record.at,
        },
      ]);
    position.seq = record.seq;
  };

  const prune = (): void => {
    const cutoff = now() - horizonMs;
    for (const [sid, at] of sessions) if (at < cutoff) sessions.delete(sid);
    for (const [userId, cuts] of users) {
      const kept = cuts.filter((cut) => cut.at >= cutoff);
      if (kept.length === 0) users.delete(userId);
      else users.set(userId, kept);
    }
  };

  const pull = async (): Promise<void> => {
    for (;;) {
      const page = await options.store.listRevocations({ afterSeq: position.seq, limit: PAGE });
      for (const record of page) apply(record);
      if (page.length < PAGE) break;
    }
    prune();
    position.syncedAt = now();
  };

  // One pull at a time. A sync asked for mid-pull cannot join the running pull, whose read may predate
  // the commit it was asked for (this node's own logout, a NOTIFY, a data_version wake): it waits for one
  // more pull, shared by every caller that arrived meanwhile.
  const sync = (): Promise<void> => {
    if (syncing === undefined) {
      syncing = pull().finally(() => {
        syncing = undefined;
      });
      return syncing;
    }
    again ??= syncing
      .catch(() => undefined)
      .then(() => {
        again = undefined;
        return sync();
      });
    return again;
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      sync()
        .catch(() => undefined) // staleness is reported by assertNotRevoked, which fails closed
        .finally(schedule);
    }, pollIntervalMs);
    timer.unref?.();
  };

  const cutApplies = (
    userId: string,
    sessionId: string,
    revokes: (cut: UserCut) => boolean,
  ): boolean =>
    (users.get(userId) ?? []).some((cut) => cut.exceptSessionId !== sessionId && revokes(cut));

  return {
    position,
    async start() {
      stopped = false;
      // Subscribe before the first pull, so a revocation committed between the two still wakes the view.
      if (options.store.onRevocation !== undefined) {
        unsubscribe = await options.store.onRevocation(() => {
          sync().catch(() => undefined);
        });
      }
      try {
        await sync();
      } catch (error) {
        await unsubscribe?.();
        unsubscribe = undefined;
        throw error;
      }
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await unsubscribe?.();
      unsubscribe = undefined;
    },
    sync,
    holdsUserCuts() {
      return users.size > 0;
    },
    revokesSession(session) {
      return (
        sessions.has(session.id) ||
        cutApplies(session.userId, session.id, (cut) => session.createdAt < cut.revokedBefore)
      );
    },
    assertNotRevoked(claims: AccessTokenClaims) {
      const age = now() - position.syncedAt;
      if (age > maxStalenessMs) {
        throw new TesseraError(
          'REVOCATION_STALE',
          `Revocation data is ${Number.isFinite(age) ? formatDuration(age / 1000) : 'never'} old (limit ${formatDuration(maxStalenessMs / 1000)}): this node cannot reach the revocation feed, so it refuses tokens rather than risk honouring a revoked session.`,
          {
            maxStalenessSeconds: maxStalenessMs / 1000,
          },
        );
      }
      // iat has whole seconds: a token from the second of the cut may come from a login just after it, so
      // only earlier seconds are cut here; sessions revoked by the cut also have their own records.
      if (
        sessions.has(claims.sid) ||
        cutApplies(
          claims.sub,
          claims.sid,
          (cut) => claims.iat < Math.floor(cut.revokedBefore / 1000),
        )
      ) {
        throw new TesseraError(
          'TOKEN_REVOKED',
          'The session of this access token was revoked (logout, logout everywhere, or a password change). Sign in again.',
          {},
        );
      }
    },
  };
}
