/**
 * What every audit rule is made of: the metadata shape the report and SARIF read, and the one way to
 * declare a rule. The AST helpers the rules share live beside it by noun: the tree (`ast-tree.ts`), the
 * names in it (`ast-names.ts`) and the values the source spells out (`ast-values.ts`).
 */
import type { Rule } from 'eslint';
import type { Bucket } from '../errors/codes.js';

/** Severity a rule carries in the `recommended` preset. */
export type RuleSeverity = 'error' | 'warn';

/** The `meta.docs` every Tessera rule carries; the report and SARIF read `why` and `fix` from here. */
export interface TesseraRuleDocs {
  readonly description: string;
  readonly bucket: Bucket;
  readonly severity: RuleSeverity;
  /** One sentence: what goes wrong in production when this trap is left in. */
  readonly why: string;
  /** One sentence: what to write instead. */
  readonly fix: string;
  readonly recommended: true;
  readonly url?: string;
}

/** An ESLint rule module whose docs are always Tessera's. */
export interface TesseraRule extends Rule.RuleModule {
  meta: Rule.RuleMetaData & { docs: TesseraRuleDocs };
}

/**
 * Declares a rule with Tessera's metadata; exists so every rule is type-checked against {@link TesseraRule}.
 *
 * @example
 * ```ts
 * export default defineRule({ meta: { type: 'problem', docs, messages, schema: [] }, create: () => ({}) });
 * ```
 */
export function defineRule(rule: TesseraRule): TesseraRule {
  return rule;
}
