import type { KeyObject } from 'node:crypto';

/**
 * The settings of a legacy adoption (issue 14), as the session core uses them: the old app's key, the
 * claims it wrote, the migration window and the lifetime cap. The server parses them from its
 * configuration (`server/legacy-config.ts`); the pure rules are in `legacy-decision.ts`.
 */

/** The JWS algorithms an old app's tokens may carry; `none` is not one of them. */
export type LegacyAlgorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'PS256'
  | 'PS384'
  | 'PS512';

/** Every {@link LegacyAlgorithm}, for validation. */
export const LEGACY_ALGORITHMS: readonly LegacyAlgorithm[] = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
];

/** The JSON type the old app wrote its user id as: `"42"` and `42` are different users' ids to a strict reader. */
export type LegacyUserIdType = 'string' | 'number';

/** What the store hook sees besides the claims. */
export interface LegacyTokenContext {
  /** The token's exchange key: `jti:` or `sig:` and a SHA-256, the same for every spelling of one token. */
  readonly signatureId: string;
  /** The token as presented, for an old app whose blacklist holds token text. Never log it. */
  readonly token: string;
  /** The user id the claim holds, as a string. */
  readonly legacyUserId: string;
}

/**
 * The store hook's answer: `false` refuses (the old app logged the user out, or blacklisted the
 * token); `true` accepts; an object accepts and may map the user id and report how long the old
 * refresh token had left, which then caps the adopted session instead of the access token's `exp`.
 */
export type LegacyCheckAnswer =
  | boolean
  | {
      readonly userId?: string;
      /** When the old app's refresh token for this sign-in expires (epoch ms or a Date). */
      readonly refreshExpiresAt?: number | Date;
    };

/** The hook that asks the old app's own store whether a legacy token still stands. */
export type CheckLegacyToken = (
  claims: Readonly<Record<string, unknown>>,
  context: LegacyTokenContext,
) => LegacyCheckAnswer | Promise<LegacyCheckAnswer>;

/** The resolved legacy settings. */
export interface LegacyOptions {
  /** The old verification secret (a secret KeyObject) or public key. */
  readonly key: KeyObject;
  readonly algorithms: readonly LegacyAlgorithm[];
  readonly issuer?: string;
  readonly audience?: string;
  /** The claim that holds the user id, e.g. `userId`, `id` or `sub`. */
  readonly userIdClaim: string;
  readonly userIdType: LegacyUserIdType;
  /** Legacy tokens presented at or after this instant (epoch ms) are refused. */
  readonly windowEndsAt: number;
  /** No adopted session lives longer than this, whatever the old token had left. */
  readonly maxLifetimeSeconds: number;
  readonly checkLegacyToken?: CheckLegacyToken;
}
