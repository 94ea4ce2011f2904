import type { Transport } from '../wire/names.js';
import type { LegacyTokenSource } from './legacy-readers.js';
import type { TabSync } from './tab-sync.js';

/**
 * What one adoption attempt came to: `adopted` (a session, the old copies removed), `refused` (a final
 * LEGACY_* refusal: the copies removed too), `kept` (network, outage, a set-up problem: the copies stay
 * for the next start), `none` (no legacy token, or another tab adopted it first) or `deferred` (this tab
 * waited for another tab's lock: the refresh cookie is tried before any exchange).
 */
export type AdoptionOutcome = 'adopted' | 'refused' | 'kept' | 'none' | 'deferred';

/**
 * Judges the server's answer to an exchange. Only a LEGACY_* refusal is final: a CSRF failure, a server
 * not yet configured for legacy tokens or an outage must not throw away a user's only sign-in.
 *
 * @example
 * ```ts
 * adoptionOutcome(400, 'LEGACY_TOKEN_EXPIRED'); // 'refused'
 * adoptionOutcome(503, 'STORE_UNAVAILABLE'); // 'kept'
 * ```
 */
export function adoptionOutcome(status: number, code: unknown): AdoptionOutcome {
  if (status >= 200 && status < 300) return 'adopted';
  return status < 500 && /^LEGACY_(?!NOT_CONFIGURED)/.test(String(code)) ? 'refused' : 'kept';
}

/** What the adoption needs from the client. */
export interface LegacyAdoptionOptions {
  /** Where the old token is; `clientId` names the public client of the RFC 8693 exchange (default `tessera`). */
  readonly source: LegacyTokenSource & { readonly clientId?: string };
  readonly tabs: TabSync | null;
  readonly transport: Transport;
  readonly base: string;
  readonly fetch: (request: Request) => Promise<Response>;
  /** POSTs JSON to the auth server the way the client does (CSRF header, credentials). */
  readonly call: (path: string, json?: unknown) => Promise<Response>;
  /** Takes a successful answer as a sign-in (the refresh flow's `accept`). */
  readonly accept: (response: Response) => Promise<unknown>;
}

/**
 * Creates the adoption, run once per client (later calls get the first outcome): under the cross-tab
 * lock, reads the legacy token, exchanges it (a browser at `POST /auth/adopt`, answered with the refresh
 * cookie; a native app by the RFC 8693 exchange at `/oauth/token`), signs in with the answer and removes
 * the old copies. A tab that waited for the lock finds them gone and does nothing: one exchange for all.
 *
 * @example
 * ```ts
 * const adoption = createLegacyAdoption({ source, tabs, transport, base, fetch, call, accept });
 * await adoption.run();
 * ```
 */
export function createLegacyAdoption(options: LegacyAdoptionOptions): {
  run(): Promise<AdoptionOutcome>;
  restore(restoreSession: () => Promise<void>, signedIn: () => boolean): Promise<void>;
} {
  const { source } = options;
  let running: Promise<AdoptionOutcome> | undefined;
  const attempt = (mayDefer: boolean) => async (contended: boolean) => {
    const token = await source.read();
    if (token === null) return 'none';
    // A tab that waited for the lock may still read a token the other tab has just exchanged and
    // removed: Chromium hands localStorage writes to other renderer processes asynchronously, and an
    // exchange presented twice is a replay that revokes the session. The refresh cookie is one jar for
    // every tab, so that tab tries it first (restore below) and exchanges only if it finds no session.
    if (contended && mayDefer) return 'deferred';
    const response = await (options.transport === 'cookie'
      ? options.call('/auth/adopt', { subject_token: token })
      : options.fetch(
          new Request(`${options.base}/oauth/token`, {
            method: 'POST',
            body: new URLSearchParams({
              grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
              subject_token: token,
              subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
              client_id: source.clientId ?? 'tessera',
            }),
          }),
        ));
    const body = (await response
      .clone()
      .json()
      .catch(() => ({}))) as { code?: unknown; tessera_code?: unknown };
    const outcome = adoptionOutcome(response.status, body.tessera_code ?? body.code);
    if (outcome === 'adopted') await options.accept(response);
    if (outcome !== 'kept') await source.remove();
    return outcome;
  };
  const locked = (mayDefer: boolean): Promise<AdoptionOutcome> =>
    (options.tabs?.withLock(attempt(mayDefer)) ?? attempt(mayDefer)(false)).catch(
      (): AdoptionOutcome => 'kept',
    );
  const run = (): Promise<AdoptionOutcome> => (running ??= locked(true));
  return {
    run,
    /** The client's first restore: adopt, or sign in by the cookie, then adopt only if that failed. */
    async restore(restoreSession, signedIn) {
      const outcome = await run();
      if (outcome === 'adopted') return;
      await restoreSession();
      if (outcome !== 'deferred') return;
      // Signed in by the cookie: the other tab's adoption is this session, and the copies are stale.
      if (signedIn()) await source.remove();
      else await locked(false);
    },
  };
}
