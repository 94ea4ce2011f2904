/**
 * The readable report: findings grouped by severity, then by bucket (time, storage, validation), each
 * with what is wrong, why it matters and the fix, in the words the rules' docs and the doctor share.
 */
import type { Bucket } from '../errors/codes.js';
import type { AuditResult, Finding, FindingSeverity } from './run-audit.js';

const BUCKETS: readonly Bucket[] = ['time', 'storage', 'validation'];
const BUCKET_TITLES: Record<Bucket, string> = {
  time: 'time (expiry, lifetime, clock skew, refresh timing)',
  storage: 'storage (where tokens are kept, sent and logged)',
  validation: 'validation (keys, algorithms, claims, revocation)',
};

/**
 * Renders an audit result as plain text for a terminal or a CI log.
 *
 * @example
 * ```ts
 * process.stdout.write(formatTextReport(result, { color: process.stdout.isTTY }));
 * ```
 */
export function formatTextReport(result: AuditResult, options: { color: boolean }): string {
  const paint = (code: string, text: string): string =>
    options.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  const lines: string[] = [];
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  const warnings = result.findings.length - errors;
  const files = new Set(result.findings.map((f) => f.file)).size;
  for (const severity of ['error', 'warning'] as const satisfies readonly FindingSeverity[]) {
    const group = result.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push(
      paint(
        severity === 'error' ? '1;31' : '1;33',
        `${severity === 'error' ? 'Errors' : 'Warnings'} (${group.length})`,
      ),
      '',
    );
    for (const bucket of BUCKETS) {
      const inBucket = group.filter((f) => f.bucket === bucket);
      if (inBucket.length === 0) continue;
      lines.push(`  ${paint('1', BUCKET_TITLES[bucket])}: ${inBucket.length}`);
      for (const finding of inBucket) lines.push(...formatFinding(finding, paint));
      lines.push('');
    }
  }
  for (const failure of result.unparsed)
    lines.push(paint('2', `  not parsed: ${failure.file}: ${failure.message}`));
  const seconds = (result.durationMs / 1000).toFixed(1);
  const summary =
    result.findings.length === 0
      ? `tessera audit: no findings in ${result.filesAudited} files (${seconds} s).`
      : `tessera audit: ${errors} error(s), ${warnings} warning(s) in ${files} of ${result.filesAudited} files (${seconds} s).`;
  lines.push(paint('1', summary));
  if (result.findings.some((f) => f.autofixable))
    lines.push(
      'Findings marked [autofix] are fixed by `eslint --fix` with the tessera-auth/eslint plugin.',
    );
  return `${lines.join('\n')}\n`;
}

function formatFinding(finding: Finding, paint: (code: string, text: string) => string): string[] {
  const where = `${finding.file}:${finding.line}:${finding.column}`;
  return [
    `    ${paint('4', where)}  ${paint('2', finding.ruleId)}${finding.autofixable ? ' [autofix]' : ''}`,
    `      ${finding.message}`,
    `      why: ${finding.why}`,
    `      fix: ${finding.fix}`,
  ];
}

/**
 * Renders an audit result as JSON for scripts; the shape is stable across releases.
 *
 * @example
 * ```ts
 * JSON.parse(formatJsonReport(result)).summary.errors; // 3
 * ```
 */
export function formatJsonReport(result: AuditResult): string {
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  return `${JSON.stringify(
    {
      tool: 'tessera-audit',
      root: result.root,
      filesAudited: result.filesAudited,
      durationMs: Math.round(result.durationMs),
      summary: {
        errors,
        warnings: result.findings.length - errors,
        unparsed: result.unparsed.length,
      },
      findings: result.findings,
      unparsed: result.unparsed,
    },
    null,
    2,
  )}\n`;
}

/**
 * Tells whether any finding is at or above the severity that fails the run.
 *
 * @example
 * ```ts
 * process.exitCode = hasFailingFindings(result, { failOn: 'error' }) ? 1 : 0;
 * ```
 */
export function hasFailingFindings(
  result: AuditResult,
  options: { failOn: FindingSeverity },
): boolean {
  return result.findings.some((f) => options.failOn === 'warning' || f.severity === 'error');
}
