import type { ErrorCode } from '../errors/codes.js';
import type { LegacyCheckAnswer, LegacyOptions } from './legacy-options.js';

/** The most characters a legacy user id may have: it becomes a Tessera user id. */
const MAX_USER_ID_LENGTH = 255;

/** A refusal of a legacy token: its code and words that never hold a token value. */
export interface LegacyRefusal {
  readonly kind: 'refuse';
  readonly code: ErrorCode;
  readonly message: string;
}

/** The claims stand: the old user id and when the token itself expires. */
export interface LegacyClaimsAccepted {
  readonly kind: 'accept';
  readonly legacyUserId: string;
  readonly expiresAt: number;
}

const refuse = (code: ErrorCode, message: string): LegacyRefusal => ({
  kind: 'refuse',
  code,
  message,
});

/**
 * Judges a verified legacy token's claims at `now`: `exp` present and in the future, `nbf` passed,
 * issuer and audience as configured, the user id claim of the configured type. Pure: the signature
 * was checked before, the store is asked after.
 *
 * @example
 * ```ts
 * const verdict = judgeLegacyClaims({ userId: 42, exp: 1_900_000_000 }, { now: Date.now(), options });
 * if (verdict.kind === 'refuse') throw new TesseraError(verdict.code, verdict.message);
 * ```
 */
export function judgeLegacyClaims(
  claims: Readonly<Record<string, unknown>>,
  input: { readonly now: number; readonly options: LegacyOptions },
): LegacyClaimsAccepted | LegacyRefusal {
  const { now, options } = input;
  const { exp, nbf, iss, aud } = claims;
  if (exp === undefined)
    return refuse(
      'LEGACY_TOKEN_NO_EXP',
      'The legacy token has no exp claim: a token that never expires is not adopted. Sign in again.',
    );
  if (typeof exp !== 'number' || !Number.isFinite(exp))
    return refuse('LEGACY_TOKEN_NO_EXP', 'The legacy token exp claim is not a number.');
  if (now >= exp * 1000)
    return refuse(
      'LEGACY_TOKEN_EXPIRED',
      `The legacy token expired ${Math.round(now / 1000 - exp)} s ago; sign in again.`,
    );
  if (nbf !== undefined && (typeof nbf !== 'number' || now < nbf * 1000))
    return refuse('LEGACY_CLAIM_INVALID', 'The legacy token is not valid yet (nbf).');
  if (options.issuer !== undefined && iss !== options.issuer)
    return refuse('LEGACY_CLAIM_INVALID', 'The legacy token iss is not the configured issuer.');
  if (options.audience !== undefined && !audienceIncludes(aud, options.audience))
    return refuse('LEGACY_CLAIM_INVALID', 'The legacy token aud is not the configured audience.');
  const legacyUserId = userIdOf(claims[options.userIdClaim], options.userIdType);
  if (legacyUserId === undefined)
    return refuse(
      'LEGACY_SUBJECT_INVALID',
      `The legacy claim ${JSON.stringify(options.userIdClaim)} is missing or not a ${options.userIdType === 'number' ? 'whole number' : 'non-empty string'} of at most ${MAX_USER_ID_LENGTH} characters.`,
    );
  return { kind: 'accept', legacyUserId, expiresAt: exp * 1000 };
}

function audienceIncludes(aud: unknown, audience: string): boolean {
  return aud === audience || (Array.isArray(aud) && aud.includes(audience));
}

function userIdOf(value: unknown, type: LegacyOptions['userIdType']): string | undefined {
  if (type === 'number')
    return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : undefined;
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_USER_ID_LENGTH
    ? value
    : undefined;
}

/** The store hook's answer, read: refused, or the Tessera user id and the old refresh token's end. */
export type LegacyCheckVerdict =
  | LegacyRefusal
  | { readonly kind: 'accept'; readonly userId: string; readonly refreshExpiresAt?: number };

/**
 * Reads the store hook's answer (or its absence) for an accepted token. A mapped user id must be a
 * non-empty string; a reported refresh expiry already past refuses the token.
 *
 * @example
 * ```ts
 * const verdict = readLegacyCheck(await hook(claims, context), { legacyUserId: '42', now });
 * ```
 */
export function readLegacyCheck(
  answer: LegacyCheckAnswer | undefined,
  input: { readonly legacyUserId: string; readonly now: number },
): LegacyCheckVerdict {
  if (answer === undefined || answer === true)
    return { kind: 'accept', userId: input.legacyUserId };
  if (answer === false || typeof answer !== 'object' || answer === null)
    return refuse(
      'LEGACY_TOKEN_REJECTED',
      "The old app's store no longer holds this sign-in (checkLegacyToken refused it); sign in again.",
    );
  const userId = answer.userId ?? input.legacyUserId;
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_USER_ID_LENGTH)
    return refuse('LEGACY_SUBJECT_INVALID', 'checkLegacyToken mapped the user to an invalid id.');
  const refresh = answer.refreshExpiresAt;
  if (refresh === undefined) return { kind: 'accept', userId };
  const refreshExpiresAt = refresh instanceof Date ? refresh.getTime() : refresh;
  if (!Number.isFinite(refreshExpiresAt) || refreshExpiresAt <= input.now)
    return refuse(
      'LEGACY_TOKEN_EXPIRED',
      "The old app's refresh token for this sign-in has expired; sign in again.",
    );
  return { kind: 'accept', userId, refreshExpiresAt };
}

/**
 * The adopted session's absolute expiry: no later than the old sign-in had left (the old refresh
 * token's end when the hook reports it, else the legacy token's `exp`), the legacy maximum, and the
 * ordinary session lifetime.
 *
 * @example
 * ```ts
 * adoptedExpiry({ now: 0, legacyEndsAt: 3_600_000, maxLifetimeMs: 86_400_000, sessionLifetimeMs: 2_592_000_000 }); // 3_600_000
 * ```
 */
export function adoptedExpiry(input: {
  readonly now: number;
  readonly legacyEndsAt: number;
  readonly maxLifetimeMs: number;
  readonly sessionLifetimeMs: number;
}): number {
  return Math.min(
    input.legacyEndsAt,
    input.now + input.maxLifetimeMs,
    input.now + input.sessionLifetimeMs,
  );
}
