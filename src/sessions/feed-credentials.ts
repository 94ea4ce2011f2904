import { TesseraError } from '../errors/tessera-error.js';
import { mintSecret, parseSecret, secretMatches } from '../secrets/opaque-secret.js';
import type { FeedCredentialRow, FeedCredentialStore } from '../store/feed-credential-store.js';

/**
 * Revocation-feed credentials: one per resource server that follows the feed, an opaque `tsf_` secret
 * good for `GET /auth/revocations` and nothing else (its prefix matches no access token and no refresh
 * token, so every other route refuses it by shape). Only the id and a SHA-256 of the secret are stored.
 */

/** Whether a credential still opens the feed. */
export type FeedCredentialState = 'live' | 'revoked';

/** A credential as `tessera feeds list` shows it: never its secret, never its hash. */
export interface FeedCredentialSummary {
  readonly name: string;
  readonly state: FeedCredentialState;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

/** The feed credentials of one store. */
export interface FeedCredentials {
  /** Mints a credential for a resource server; `value` is shown once and never stored. */
  create(name: string): Promise<{ readonly name: string; readonly value: string }>;
  list(): Promise<FeedCredentialSummary[]>;
  /** Revokes the live credential of that name; false when there is none. */
  revoke(name: string): Promise<boolean>;
  /** The name behind a presented credential; throws FEED_CREDENTIAL_INVALID or FEED_CREDENTIAL_REVOKED. */
  authenticate(value: string): Promise<{ readonly name: string }>;
}

/** Names are for operators and logs: short, no spaces, nothing that needs quoting. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * Tells whether a string can name a feed credential (1 to 63 of letters, digits, `.`, `_`, `-`).
 *
 * @example
 * ```ts
 * isFeedCredentialName('billing-api'); // true
 * ```
 */
export function isFeedCredentialName(name: string): boolean {
  return NAME.test(name);
}

/**
 * Words for a presented value that is not a feed credential, by what it looks like instead: the
 * resource server most likely pasted the wrong secret into its configuration.
 */
function notACredential(value: string): string {
  if (/^ts[rpt]_/.test(value))
    return 'This is another kind of Tessera secret (a refresh token, reset token or ticket), not a feed credential: create one with "tessera feeds create <name>".';
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(value))
    return 'This is an access token (a JWT): the revocation feed takes a feed credential (tsf_...) from "tessera feeds create <name>".';
  return 'The revocation feed takes a feed credential (tsf_...) from "tessera feeds create <name>" as "Authorization: Bearer <credential>".';
}

const summary = (row: FeedCredentialRow): FeedCredentialSummary => ({
  name: row.name,
  state: row.revokedAt === null ? 'live' : 'revoked',
  createdAt: row.createdAt,
  revokedAt: row.revokedAt,
});

/**
 * The feed credentials over a store that keeps them.
 *
 * @example
 * ```ts
 * const feeds = createFeedCredentials({ store });
 * const { value } = await feeds.create('billing-api'); // print once, give to the resource server
 * await feeds.authenticate(value); // { name: 'billing-api' }
 * ```
 */
export function createFeedCredentials(options: {
  store: FeedCredentialStore;
  now?: () => number;
}): FeedCredentials {
  const { store } = options;
  const now = options.now ?? Date.now;
  return {
    async create(name) {
      if (!isFeedCredentialName(name))
        throw new TesseraError(
          'REQUEST_INVALID',
          'A feed credential name is 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit.',
        );
      const minted = mintSecret('tsf', { pepper: undefined });
      const created = await store.createFeedCredential({
        name,
        id: minted.id,
        secretHash: minted.secretHash,
        createdAt: now(),
      });
      if (!created)
        throw new TesseraError(
          'REQUEST_INVALID',
          `A live feed credential is already named "${name}": revoke it first, or choose another name.`,
        );
      return { name, value: minted.value };
    },
    async list() {
      return (await store.listFeedCredentials()).map(summary);
    },
    async revoke(name) {
      return isFeedCredentialName(name) && store.revokeFeedCredential({ name, at: now() });
    },
    async authenticate(value) {
      const parts = parseSecret('tsf', value);
      if (parts === undefined)
        throw new TesseraError('FEED_CREDENTIAL_INVALID', notACredential(value));
      const row = await store.findFeedCredential(parts.id);
      if (row === undefined || !secretMatches(parts.secret, row.secretHash, undefined))
        throw new TesseraError(
          'FEED_CREDENTIAL_INVALID',
          'This feed credential is not known to this auth server (mistyped, forged, or from another deployment).',
        );
      if (row.revokedAt !== null)
        throw new TesseraError(
          'FEED_CREDENTIAL_REVOKED',
          `The feed credential "${row.name}" was revoked: create a new one with "tessera feeds create".`,
          { name: row.name },
        );
      return { name: row.name };
    },
  };
}
