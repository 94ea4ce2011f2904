/**
 * The `tessera-auth/eslint` plugin: one rule per JWT trap, and a flat-config `recommended` preset.
 *
 * @example
 * ```js
 * // eslint.config.js
 * import tessera from 'tessera-auth/eslint';
 * export default [tessera.configs.recommended];
 * ```
 */
import type { ESLint, Linter } from 'eslint';
import type { TesseraRule } from './rule-kit.js';
import algorithms from './rules/algorithms.js';
import audienceIssuer from './rules/audience-issuer.js';
import clientClockExpiry from './rules/client-clock-expiry.js';
import decodeWithoutVerify from './rules/decode-without-verify.js';
import ephemeralKey from './rules/ephemeral-key.js';
import hardcodedSecret from './rules/hardcoded-secret.js';
import logoutRevocation from './rules/logout-revocation.js';
import noneAlgorithm from './rules/none-algorithm.js';
import providerTokenRefresh from './rules/provider-token-refresh.js';
import refreshInterceptor from './rules/refresh-interceptor.js';
import refreshRotation from './rules/refresh-rotation.js';
import requireExpiry from './rules/require-expiry.js';
import sensitivePayload from './rules/sensitive-payload.js';
import timingSafeCompare from './rules/timing-safe-compare.js';
import tokenExposure from './rules/token-exposure.js';
import tokenLifetime from './rules/token-lifetime.js';
import tokenStorage from './rules/token-storage.js';
import tokenType from './rules/token-type.js';

/** The prefix every rule id carries in reports and configs. */
export const PLUGIN_PREFIX = 'tessera';

/**
 * Every rule by its short name; the full id is `tessera/<name>`.
 *
 * @example
 * ```ts
 * TESSERA_RULES['require-algorithms'].meta.docs.bucket; // 'validation'
 * ```
 */
export const TESSERA_RULES: Readonly<Record<string, TesseraRule>> = {
  'no-hardcoded-secret': hardcodedSecret,
  'no-none-algorithm': noneAlgorithm,
  'require-algorithms': algorithms,
  'no-decode-without-verify': decodeWithoutVerify,
  'require-expiry': requireExpiry,
  'max-token-lifetime': tokenLifetime,
  'require-audience-issuer': audienceIssuer,
  'separate-token-types': tokenType,
  'no-sensitive-payload': sensitivePayload,
  'secure-token-storage': tokenStorage,
  'no-token-exposure': tokenExposure,
  'no-ephemeral-signing-key': ephemeralKey,
  'rotate-refresh-tokens': refreshRotation,
  'safe-refresh-interceptor': refreshInterceptor,
  'logout-revokes': logoutRevocation,
  'timing-safe-compare': timingSafeCompare,
  'no-client-clock-expiry': clientClockExpiry,
  'refresh-provider-tokens': providerTokenRefresh,
};

/**
 * The rule settings of the `recommended` preset: each rule at its documented severity.
 *
 * @example
 * ```ts
 * buildRecommendedRules()['tessera/require-algorithms']; // 'error'
 * ```
 */
export function buildRecommendedRules(): Linter.RulesRecord {
  const rules: Linter.RulesRecord = {};
  for (const [name, rule] of Object.entries(TESSERA_RULES))
    rules[`${PLUGIN_PREFIX}/${name}`] = rule.meta.docs.severity;
  return rules;
}

/** The plugin object ESLint loads; `configs.recommended` is a single flat-config object. */
export interface TesseraPlugin extends ESLint.Plugin {
  meta: { name: string; version: string };
  rules: Record<string, TesseraRule>;
  configs: { recommended: Linter.Config };
}

const plugin: TesseraPlugin = {
  meta: { name: 'tessera-auth/eslint', version: '0.1.0' },
  rules: { ...TESSERA_RULES },
  configs: { recommended: {} },
};
plugin.configs.recommended = {
  name: 'tessera/recommended',
  plugins: { [PLUGIN_PREFIX]: plugin },
  rules: buildRecommendedRules(),
};

export default plugin;
