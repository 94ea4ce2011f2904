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

// Precision is the strict precision measured on the corpus dev split (corpus/README.md): very-high
// ≥ 95%, high ≥ 80%, medium ≥ 50%, low below or unmeasured. Rules with no corpus findings yet are
// rated from their fixtures only and say `medium` until the corpus shows more.
const RATINGS: Record<string, RuleRating> = {
  'no-hardcoded-secret': { securitySeverity: '9.1', precision: 'very-high' },
  'no-none-algorithm': { securitySeverity: '9.8', precision: 'medium' },
  'require-algorithms': { securitySeverity: '8.1', precision: 'low' },
  'no-decode-without-verify': { securitySeverity: '9.1', precision: 'medium' },
  'require-expiry': { securitySeverity: '6.5', precision: 'medium' },
  'max-token-lifetime': { securitySeverity: '5.4', precision: 'very-high' },
  'require-audience-issuer': { securitySeverity: '5.3', precision: 'low' },
  'separate-token-types': { securitySeverity: '6.5', precision: 'low' },
  'no-sensitive-payload': { securitySeverity: '5.3', precision: 'medium' },
  'secure-token-storage': { securitySeverity: '6.1', precision: 'medium' },
  'no-token-exposure': { securitySeverity: '6.5', precision: 'low' },
  'no-ephemeral-signing-key': { securitySeverity: '4.3', precision: 'medium' },
  'rotate-refresh-tokens': { securitySeverity: '6.5', precision: 'very-high' },
  'safe-refresh-interceptor': { securitySeverity: '3.7', precision: 'very-high' },
  'logout-revokes': { securitySeverity: '4.3', precision: 'medium' },
  'timing-safe-compare': { securitySeverity: '5.9', precision: 'low' },
  'no-client-clock-expiry': { securitySeverity: '3.1', precision: 'medium' },
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
