/** RuleTester wired to vitest, with helpers for TypeScript cases parsed by typescript-eslint. */
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

/**
 * A RuleTester for modern JS modules; TS cases opt into the typescript-eslint parser through {@link ts}.
 *
 * @example
 * ```ts
 * ruleTester.run('tessera/require-expiry', rule, { valid: [...], invalid: [...] });
 * ```
 */
export const ruleTester = new RuleTester({
  languageOptions: { ecmaVersion: 'latest', sourceType: 'module' },
});

/**
 * Marks a test case as TypeScript.
 *
 * @example
 * ```ts
 * ts({ code: 'const a: string = b as string;' });
 * ```
 */
export function ts<T extends { code: string }>(
  test: T,
): T & { filename: string; languageOptions: { parser: typeof tseslint.parser } } {
  return { ...test, filename: 'sample.ts', languageOptions: { parser: tseslint.parser } };
}

/**
 * Marks a test case as CommonJS (require, module.exports).
 *
 * @example
 * ```ts
 * cjs({ code: "const jwt = require('jsonwebtoken');" });
 * ```
 */
export function cjs<T extends { code: string }>(
  test: T,
): T & { languageOptions: { sourceType: 'commonjs' } } {
  return { ...test, languageOptions: { sourceType: 'commonjs' } };
}
