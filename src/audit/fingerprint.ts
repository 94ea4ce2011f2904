/**
 * Fingerprints that keep a finding's identity when lines move: code scanning matches a result across
 * commits by these, so an alert survives an unrelated edit above it instead of closing and reopening.
 */
import { createHash } from 'node:crypto';

/** The `partialFingerprints` key Tessera writes; bump the version if the normalisation changes. */
export const FINGERPRINT_KEY = 'tesseraFinding/v1';

/**
 * Normalises the source a finding points at: whitespace collapsed, and the contents of string and
 * template literals blanked, so re-indenting does not change it and a hard-coded secret's value never
 * feeds a hash someone could test guesses against.
 *
 * @example
 * ```ts
 * normaliseSnippet("  jwt.sign(p, 'abc123',  { expiresIn: '30d' })"); // "jwt.sign(p, '', { expiresIn: '' })"
 * ```
 */
export function normaliseSnippet(snippet: string): string {
  return snippet
    .replace(/(["'`])(?:\\.|(?!\1)[^\\\n])*\1/g, '$1$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Builds each finding's fingerprint from its rule, file and normalised snippet, plus its rank among
 * findings with the same three, so two identical lines in one file stay two alerts.
 *
 * @example
 * ```ts
 * fingerprintFindings([{ ruleId: 'tessera/require-expiry', file: 'src/a.js', snippet: 'jwt.sign(p, k)' }]);
 * // ['3f1c…:0']
 * ```
 */
export function fingerprintFindings(
  findings: readonly { readonly ruleId: string; readonly file: string; readonly snippet: string }[],
): string[] {
  const seen = new Map<string, number>();
  return findings.map((finding) => {
    const digest = createHash('sha256')
      .update(`${finding.ruleId}\u0000${finding.file}\u0000${normaliseSnippet(finding.snippet)}`)
      .digest('hex')
      .slice(0, 32);
    const rank = seen.get(digest) ?? 0;
    seen.set(digest, rank + 1);
    return `${digest}:${rank}`;
  });
}
