/**
 * How much each rule's findings weigh and how far they can be trusted: the `security-severity` GitHub
 * code scanning sorts by, and the `precision` measured on the audit corpus (`npm run corpus`, dev split).
 */

/** SARIF's precision vocabulary, as GitHub reads it from `properties.precision`. */
export type RulePrecision = 'very-high' | 'high' | 'medium' | 'low';

/** One rule's rating. */
export interface RuleRating {
  /** A CVSS-style score from "0.0" to "10.0", as a string (GitHub: 9+ critical, 7+ high, 4+ medium). */
  readonly securitySeverity: string;
  readonly precision: RulePrecision;
}

// Precision is the strict precision measured by `npm run corpus` on the dev split (corpus/README.md):
// very-high = at least 5 findings, all on labelled traps; high = every finding right but fewer than 5;
// medium = measured on 1-2 findings, or no corpus finding yet (fixtures only, or narrowed after false
// positives so the corpus no longer triggers it). Re-measure after changing a rule.
const RATINGS: Record<string, RuleRating> = {
  'no-hardcoded-secret': { securitySeverity: '9.1', precision: 'very-high' }, // 9/9
  'no-none-algorithm': { securitySeverity: '9.8', precision: 'medium' },
  'require-algorithms': { securitySeverity: '8.1', precision: 'medium' }, // was 0/10 on HMAC keys
  'no-decode-without-verify': { securitySeverity: '9.1', precision: 'medium' },
  'require-expiry': { securitySeverity: '6.5', precision: 'medium' },
  'max-token-lifetime': { securitySeverity: '5.4', precision: 'high' }, // 4/4
  'require-audience-issuer': { securitySeverity: '5.3', precision: 'medium' }, // was 0/14
  'separate-token-types': { securitySeverity: '6.5', precision: 'medium' }, // was 0/3
  'no-sensitive-payload': { securitySeverity: '5.3', precision: 'medium' },
  'secure-token-storage': { securitySeverity: '6.1', precision: 'very-high' }, // 5/5
  'no-token-exposure': { securitySeverity: '6.5', precision: 'medium' }, // 1/1
  'no-ephemeral-signing-key': { securitySeverity: '4.3', precision: 'medium' },
  'rotate-refresh-tokens': { securitySeverity: '6.5', precision: 'high' }, // 4/4
  'safe-refresh-interceptor': { securitySeverity: '3.7', precision: 'very-high' }, // 6/6
  'logout-revokes': { securitySeverity: '4.3', precision: 'very-high' }, // 5/5
  'timing-safe-compare': { securitySeverity: '5.9', precision: 'medium' }, // was 0/1
  'no-client-clock-expiry': { securitySeverity: '3.1', precision: 'medium' }, // 1/1
  'refresh-provider-tokens': { securitySeverity: '3.7', precision: 'medium' }, // 1/1
};

const UNRATED: RuleRating = { securitySeverity: '5.0', precision: 'low' };

/**
 * The rating of a rule by its short name (without the `tessera/` prefix).
 *
 * @example
 * ```ts
 * ruleRating('no-hardcoded-secret').securitySeverity; // '9.1'
 * ```
 */
export function ruleRating(name: string): RuleRating {
  return RATINGS[name] ?? UNRATED;
}
