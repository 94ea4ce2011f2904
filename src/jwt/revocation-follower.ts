import { formatDuration } from '../errors/explain.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { AccessTokenClaims } from './claims.js';
import { readFeedAnswer } from './feed-answer.js';
import {
  applyRevocation,
  emptyRevocationSet,
  pruneRevocations,
  revokes,
} from './revocation-set.js';
import type { RevocationCheck } from './verify-access-token.js';

/**
 * A resource server's follower of the auth server's revocation feed (`GET /auth/revocations`). Web
 * standard APIs only (fetch, AbortSignal, setTimeout), so the same file runs on Node and edge runtimes.
 */

/**
 * How the follower keeps up: `background` polls on a timer (unref'd, so it never holds a Node process
 * open) and refreshes lazily when a request finds the timer behind; `on-request` has no timer, for edge
 * runtimes where none outlives a request, and syncs on the first request after each poll interval.
 */
export type FollowerPolling = 'background' | 'on-request';

/** Runs `run` once after `ms`; returns the cancel. The default is setTimeout, unref'd where it can be. */
export type FollowerSchedule = (run: () => void, ms: number) => () => void;

/** Options of {@link followRevocations}. */
export interface RevocationFollowerOptions {
  /** The feed, `${issuer}/auth/revocations`: https, or http on localhost. */
  readonly url: string;
  /** This resource server's credential from `tessera feeds create <name>`, sent as a Bearer header. */
  readonly credential: string;
  /** Fail closed when the last successful sync is older than this. Default 30 s. */
  readonly stalenessSeconds?: number;
  /** How often to poll (background) or how old the view may get before a request syncs. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** Longest access-token lifetime plus leeway: older entries can no longer matter. Default 3660 s. */
  readonly horizonSeconds?: number;
  readonly polling?: FollowerPolling;
  /** Injectable timer for `background` polling (tests drive it by hand). */
  readonly schedule?: FollowerSchedule;
  /** Per-request timeout of a feed fetch. Default 5000 ms. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
}

/** A followed revocation feed; a {@link RevocationCheck} for a verifier or `requireAuth`. */
export interface RevocationFollower extends RevocationCheck {
  refresh(): Promise<void>;
  /** Pulls the feed now, every page; rejects with the failure (the view keeps what it had). */
  sync(): Promise<void>;
  /** Stops background polling. */
  stop(): void;
  /** The last feed position applied, and when the last successful sync started (epoch ms). */
  readonly position: { readonly seq: number; readonly syncedAt: number };
  /** Why the last sync failed, or undefined after a success. */
  readonly lastFailure: TesseraError | undefined;
}

const PAGE = 1000;
const MAX_PAGES_PER_SYNC = 50;
const MAX_BODY_CHARS = 4 * 1024 * 1024;
const CREDENTIAL = /^tsf_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const defaultSchedule: FollowerSchedule = (run, ms) => {
  const timer = setTimeout(run, ms) as { unref?: () => void };
  timer.unref?.();
  return () => clearTimeout(timer as Parameters<typeof clearTimeout>[0]);
};

function checkedOptions(options: RevocationFollowerOptions): URL {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new TesseraError('CONFIG_INVALID', 'The revocation feed URL is not a URL.');
  }
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))))
    throw new TesseraError(
      'CONFIG_INVALID',
      'The revocation feed URL must be https (or http on localhost): the credential would travel in clear.',
    );
  if (url.search !== '' || url.username !== '' || url.password !== '')
    throw new TesseraError(
      'CONFIG_INVALID',
      'The revocation feed URL takes no query and no user info: the credential goes in the Authorization header.',
    );
  if (!CREDENTIAL.test(options.credential))
    throw new TesseraError(
      'CONFIG_INVALID',
      'The feed credential is not one from "tessera feeds create <name>" (tsf_<id>.<secret>); check TESSERA_FEED_CREDENTIAL.',
    );
  const bound = options.stalenessSeconds ?? 30;
  if (!(Number.isFinite(bound) && bound >= 1 && bound <= 86_400))
    throw new TesseraError('CONFIG_INVALID', 'stalenessSeconds is from 1 to 86400.');
  const interval = options.pollIntervalMs ?? 1000;
  if (!(Number.isFinite(interval) && interval >= 50 && interval < bound * 1000))
    throw new TesseraError(
      'CONFIG_INVALID',
      'pollIntervalMs is at least 50 and below the staleness bound, or every poll would already be stale.',
    );
  const timeout = options.timeoutMs ?? 5000;
  if (!(Number.isFinite(timeout) && timeout >= 100 && timeout <= 60_000))
    throw new TesseraError('CONFIG_INVALID', 'timeoutMs is from 100 to 60000.');
  return url;
}

/**
 * Follows a Tessera revocation feed and checks access tokens against it without a round trip. It fails
 * closed: once the last successful sync is older than the staleness bound, every token is refused with
 * REVOCATION_STALE (or FEED_CREDENTIAL_REFUSED when the feed refused the credential), as the auth
 * server's own nodes do.
 *
 * @example
 * ```ts
 * import { followRevocations } from 'tessera-auth';
 *
 * const revocations = followRevocations({
 *   url: 'https://auth.example.com/auth/revocations',
 *   credential: process.env.TESSERA_FEED_CREDENTIAL ?? '',
 *   stalenessSeconds: 30,
 * });
 * await revocations.refresh(); // optional: be ready before the first request
 * ```
 */
export function followRevocations(options: RevocationFollowerOptions): RevocationFollower {
  const url = checkedOptions(options);
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? fetch;
  const boundMs = (options.stalenessSeconds ?? 30) * 1000;
  const intervalMs = options.pollIntervalMs ?? 1000;
  const horizonMs = (options.horizonSeconds ?? 3660) * 1000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const polling = options.polling ?? 'background';
  const schedule = options.schedule ?? defaultSchedule;
  // A request syncs itself only when the view is older than this: on-request, every poll interval; in
  // the background, only when the timer has fallen half a bound behind (the feed is slow or down).
  const lazyAfterMs = polling === 'on-request' ? intervalMs : Math.max(intervalMs, boundMs / 2);
  const set = emptyRevocationSet();
  const position = { seq: 0, syncedAt: Number.NEGATIVE_INFINITY };
  let lastFailure: TesseraError | undefined;
  let retryAt = Number.NEGATIVE_INFINITY;
  let running: Promise<void> | undefined;
  let cancel: (() => void) | undefined;
  let started = false;
  let stopped = false;

  const fail = (error: TesseraError): TesseraError => {
    lastFailure = error;
    retryAt = now() + intervalMs;
    return error;
  };

  const fetchPage = async (since: number): Promise<ReturnType<typeof readFeedAnswer>> => {
    const target = new URL(url.href);
    target.searchParams.set('since', String(since));
    target.searchParams.set('limit', String(PAGE));
    let response: Response;
    try {
      response = await doFetch(target.href, {
        headers: { authorization: `Bearer ${options.credential}`, accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause = error instanceof Error ? error.name : 'fetch failed';
      throw unreachable(`${cause} reaching ${url.origin}`);
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new TesseraError(
        'FEED_CREDENTIAL_REFUSED',
        `The revocation feed at ${url.origin} refused this resource server's credential (HTTP ${response.status}): it was revoked or mistyped. Create one with "tessera feeds create <name>".`,
        { status: response.status },
      );
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw unreachable(`HTTP ${response.status} from ${url.origin}`);
    }
    const text = await response.text();
    if (text.length > MAX_BODY_CHARS) throw unreachable(`an oversized answer from ${url.origin}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw unreachable(`an answer from ${url.origin} that is not JSON`);
    }
    return readFeedAnswer(body, { since });
  };

  const pull = async (): Promise<void> => {
    const startedAt = now();
    for (let pages = 0; pages < MAX_PAGES_PER_SYNC; pages += 1) {
      const page = await fetchPage(position.seq);
      if (typeof page === 'string') throw unreachable(`an invalid answer: ${page}`);
      for (const entry of page.revocations) applyRevocation(set, entry);
      position.seq = page.next;
      if (!page.more) {
        pruneRevocations(set, now() - horizonMs);
        // The answer reflects the feed at least as of when it was asked for, not when it arrived.
        position.syncedAt = startedAt;
        lastFailure = undefined;
        return;
      }
    }
    // Still behind after many pages: keep what was applied, sync again soon, do not claim freshness.
  };

  const sync = (): Promise<void> => {
    running ??= pull()
      .catch((error: unknown) => {
        throw fail(error instanceof TesseraError ? error : unreachable('an unexpected failure'));
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const loop = (): void => {
    if (stopped) return;
    cancel = schedule(() => {
      sync()
        .catch(() => undefined) // staleness is reported by assertNotRevoked, which fails closed
        .finally(loop);
    }, intervalMs);
  };

  return {
    position,
    get lastFailure() {
      return lastFailure;
    },
    sync,
    stop() {
      stopped = true;
      cancel?.();
    },
    async refresh() {
      // The timer starts on the first request, not at construction: edge runtimes refuse timers at
      // module scope, and a guard built but never used should not poll.
      if (polling === 'background' && !started && !stopped) {
        started = true;
        loop();
      }
      const at = now();
      if (at - position.syncedAt <= lazyAfterMs || at < retryAt) return;
      await sync().catch(() => undefined);
    },
    assertNotRevoked(claims: AccessTokenClaims) {
      const age = now() - position.syncedAt;
      if (age > boundMs) {
        const facts = {
          ageSeconds: Number.isFinite(age) ? Math.round(age / 100) / 10 : null,
          maxStalenessSeconds: boundMs / 1000,
        };
        const old = `${Number.isFinite(age) ? formatDuration(age / 1000) : 'never synced'} old (bound ${formatDuration(boundMs / 1000)})`;
        if (lastFailure?.code === 'FEED_CREDENTIAL_REFUSED')
          throw new TesseraError(
            'FEED_CREDENTIAL_REFUSED',
            `Revocation data is ${old}: ${lastFailure.message}`,
            { ...facts, status: lastFailure.facts.status ?? null },
          );
        throw new TesseraError(
          'REVOCATION_STALE',
          `Revocation data is ${old}${lastFailure === undefined ? '' : `; the last sync failed: ${lastFailure.message}`}. This API refuses tokens rather than risk honouring a revoked session.`,
          facts,
        );
      }
      if (revokes(set, claims))
        throw new TesseraError(
          'TOKEN_REVOKED',
          'The session of this access token was revoked (logout, logout everywhere, or a password change). Sign in again.',
        );
    },
  };
}

function unreachable(cause: string): TesseraError {
  return new TesseraError('REVOCATION_STALE', `The revocation feed could not be read: ${cause}.`, {
    cause,
  });
}
