import { createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { TesseraError } from '../errors/tessera-error.js';
import { findSecretWeakness } from '../keys/secret-strength.js';
import {
  LEGACY_ALGORITHMS,
  type CheckLegacyToken,
  type LegacyAlgorithm,
  type LegacyOptions,
  type LegacyUserIdType,
} from '../sessions/legacy-options.js';
import { parseDuration } from './durations.js';

/**
 * The `legacy` configuration as written in `tessera.config.{js,mjs,json}` or passed to
 * `createTesseraServer({ legacy })`: how the old app signed its tokens, which claim holds the user id,
 * when the migration window ends, and the hook into the old app's own store.
 */
export interface LegacyConfigInput {
  /** The old HMAC secret (HS256/384/512). A weak one is accepted only with `checkLegacyToken`. */
  readonly secret?: string;
  /** The old public key, as PEM (SPKI) or a JWK, for RS*, ES* or PS* tokens. */
  readonly publicKey?: string | JsonWebKey;
  readonly algorithms: readonly string[];
  readonly issuer?: string;
  readonly audience?: string;
  /** The claim holding the user id: `sub` (default), `userId`, `id`, ... */
  readonly userIdClaim?: string;
  /** The JSON type of that claim: `string` (default) or `number`. */
  readonly userIdType?: LegacyUserIdType;
  /** The end of the migration window: an ISO date or a Date. Required: adoption is temporary. */
  readonly windowEnds: string | Date;
  /** The longest an adopted session may live, e.g. `7d` (default 30d). */
  readonly maxLifetime?: string | number;
  readonly checkLegacyToken?: CheckLegacyToken;
}

/** A start-up warning about the legacy configuration, logged with its code. */
export interface LegacyConfigWarning {
  readonly code: 'LEGACY_SECRET_WEAK';
  readonly message: string;
}

const invalid = (why: string): TesseraError =>
  new TesseraError('CONFIG_INVALID', `The legacy configuration is invalid: ${why}.`, {
    setting: 'legacy',
  });

const KNOWN = new Set([
  'secret',
  'publicKey',
  'algorithms',
  'issuer',
  'audience',
  'userIdClaim',
  'userIdType',
  'windowEnds',
  'maxLifetime',
  'checkLegacyToken',
]);

/**
 * Validates a `legacy` configuration into the session core's settings. Refuses (CONFIG_INVALID, with
 * the reason) a missing or unreadable key, algorithms that do not fit it (never `none`, never HMAC with
 * a public key), a window end that is not a date, and a weak secret without `checkLegacyToken`; a weak
 * secret with the hook comes back as a warning to log, since anyone can sign with it and only the old
 * app's store then tells its tokens from forgeries.
 *
 * @example
 * ```ts
 * const { options, warnings } = parseLegacyConfig({ secret: process.env.OLD_JWT_SECRET, algorithms: ['HS256'], userIdClaim: 'userId', windowEnds: '2027-03-01' });
 * ```
 */
export function parseLegacyConfig(input: unknown): {
  options: LegacyOptions;
  warnings: LegacyConfigWarning[];
} {
  if (typeof input !== 'object' || input === null) throw invalid('it must be an object');
  const config = input as Partial<LegacyConfigInput>;
  const unknown = Object.keys(config).filter((name) => !KNOWN.has(name));
  if (unknown.length > 0) throw invalid(`unknown settings ${unknown.join(', ')}`);
  const algorithms = algorithmsOf(config.algorithms);
  const hook = config.checkLegacyToken;
  if (hook !== undefined && typeof hook !== 'function')
    throw invalid('checkLegacyToken must be a function');
  const warnings: LegacyConfigWarning[] = [];
  const key = keyOf(config, algorithms, hook !== undefined, warnings);
  const windowEndsAt = dateOf(config.windowEnds);
  const maxLifetimeSeconds = parseDuration(config.maxLifetime ?? '30d', 'legacy.maxLifetime');
  if (maxLifetimeSeconds <= 0) throw invalid('maxLifetime must be positive');
  const userIdClaim = config.userIdClaim ?? 'sub';
  if (typeof userIdClaim !== 'string' || userIdClaim.length === 0)
    throw invalid('userIdClaim must be a claim name');
  const userIdType = config.userIdType ?? 'string';
  if (userIdType !== 'string' && userIdType !== 'number')
    throw invalid('userIdType must be "string" or "number"');
  for (const name of ['issuer', 'audience'] as const)
    if (config[name] !== undefined && typeof config[name] !== 'string')
      throw invalid(`${name} must be a string`);
  return {
    options: {
      key,
      algorithms,
      ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
      ...(config.audience === undefined ? {} : { audience: config.audience }),
      userIdClaim,
      userIdType,
      windowEndsAt,
      maxLifetimeSeconds,
      ...(hook === undefined ? {} : { checkLegacyToken: hook }),
    },
    warnings,
  };
}

function algorithmsOf(value: unknown): LegacyAlgorithm[] {
  if (!Array.isArray(value) || value.length === 0)
    throw invalid('algorithms must list the algorithms the old app signed with, e.g. ["HS256"]');
  for (const alg of value)
    if (!(LEGACY_ALGORITHMS as readonly unknown[]).includes(alg))
      throw invalid(
        `algorithm ${JSON.stringify(String(alg).slice(0, 16))} is not one of ${LEGACY_ALGORITHMS.join(', ')} (none is never accepted)`,
      );
  return [...(value as LegacyAlgorithm[])];
}

function keyOf(
  config: Partial<LegacyConfigInput>,
  algorithms: readonly LegacyAlgorithm[],
  hasHook: boolean,
  warnings: LegacyConfigWarning[],
): KeyObject {
  const hmac = algorithms.filter((alg) => alg.startsWith('HS'));
  if (config.secret !== undefined && config.publicKey !== undefined)
    throw invalid('set secret or publicKey, not both');
  if (config.secret !== undefined) {
    if (typeof config.secret !== 'string' || config.secret.length === 0)
      throw invalid('secret must be a non-empty string');
    if (hmac.length !== algorithms.length)
      throw invalid('a secret verifies HS256, HS384 or HS512 only');
    const weakness = findSecretWeakness(config.secret);
    if (weakness !== undefined) {
      if (!hasHook)
        throw invalid(
          `the legacy secret is weak (${weakness.reason}), so anyone can sign tokens with it; configure checkLegacyToken to check each token against the old app's own store`,
        );
      warnings.push({
        code: 'LEGACY_SECRET_WEAK',
        message: `The legacy secret is weak (${weakness.reason}): anyone can sign legacy tokens with it, so only checkLegacyToken stands between a forged token and a session. Keep the migration window short.`,
      });
    }
    return createSecretKey(Buffer.from(config.secret, 'utf8'));
  }
  if (config.publicKey === undefined) throw invalid('set secret or publicKey');
  if (hmac.length > 0)
    throw invalid(
      'HS* with a public key is the RS256-to-HS256 confusion: a public key is no secret',
    );
  let key: KeyObject;
  try {
    key =
      typeof config.publicKey === 'string'
        ? createPublicKey(config.publicKey)
        : createPublicKey({ key: config.publicKey, format: 'jwk' });
  } catch {
    throw invalid('publicKey is not a PEM public key or a public JWK');
  }
  const type = key.asymmetricKeyType;
  for (const alg of algorithms) {
    const fits = alg.startsWith('ES') ? type === 'ec' : type === 'rsa' || type === 'rsa-pss';
    if (!fits) throw invalid(`a ${String(type)} public key cannot verify ${alg}`);
  }
  return key;
}

function dateOf(value: unknown): number {
  const at =
    value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(at))
    throw invalid('windowEnds must be the end of the migration window, e.g. "2027-03-01"');
  return at;
}
