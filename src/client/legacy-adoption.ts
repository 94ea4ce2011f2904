import type { Transport } from '../wire/names.js';
import type { LegacyTokenSource } from './legacy-readers.js';
import type { TabSync } from './tab-sync.js';

/**
 * What one adoption attempt came to: `adopted` (a session, the old copies removed), `refused` (a final
 * LEGACY_* refusal: the copies removed too), `kept` (network, outage, a set-up problem: the copies stay
 * for the next start) or `none` (no legacy token, or another tab adopted it first).
 */
export type AdoptionOutcome = 'adopted' | 'refused' | 'kept' | 'none';

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
} {
  const { source } = options;
  let running: Promise<AdoptionOutcome> | undefined;
  const attempt = async (): Promise<AdoptionOutcome> => {
    const token = await source.read();
    if (token === null) return 'none';
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
  return {
    run: () =>
      (running ??= (options.tabs?.withLock(attempt) ?? attempt()).catch(
        (): AdoptionOutcome => 'kept',
      )),
  };
}
