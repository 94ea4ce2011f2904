/**
 * The human report for `tessera doctor --har`: the first failure and its fix first, then findings,
 * then each auth request with the token it carried by hash. Nothing here holds a value from the file.
 */
import type { Finding } from '../diagnosis.js';
import type { HarReport } from './analyse-har.js';

/**
 * Renders a HAR report as text.
 *
 * @example
 * ```ts
 * process.stdout.write(renderHarReport(analyseHar(har)));
 * ```
 */
export function renderHarReport(report: HarReport): string {
  const lines: string[] = [
    `HAR: ${report.entries} request${report.entries === 1 ? '' : 's'} recorded by ${report.creator}; ${report.requests.length} about authentication.`,
  ];
  if (report.clockOffsetMs !== null)
    lines.push(
      `Server clock (Date headers) against the browser's: ${report.clockOffsetMs >= 0 ? '+' : ''}${report.clockOffsetMs} ms (+/- 1 s).`,
    );
  lines.push('');
  if (report.sanitized !== null) {
    lines.push('Sanitized export: cookies and Authorization headers were removed. Not judged:');
    for (const item of report.sanitized.notJudged) lines.push(`  - ${item}`);
    lines.push(`  How: ${report.sanitized.howToExport}`, '');
  }
  const failure = report.firstFailure;
  const byDesign = report.requests.filter((r) => r.refusedByDesign).map((r) => `#${r.number}`);
  if (failure === null)
    lines.push(
      `First failure: none (${byDesign.length === 0 ? 'no request was refused' : `no request failed; ${byDesign.join(', ')} refused by design, see below`}).`,
      '',
    );
  else
    lines.push(
      `First failure: #${failure.number} ${failure.url} -> HTTP ${failure.status}${failure.code === null ? '' : ` ${failure.code}`}${failure.bucket === null ? '' : ` (${failure.bucket} bucket)`}`,
      `  ${failure.cause}`,
      `  Fix: ${failure.fix}`,
      '',
    );
  renderFindings(lines, report.findings);
  if (report.requests.length > 0) {
    lines.push('Auth requests');
    for (const request of report.requests) {
      lines.push(
        `  #${request.number} ${request.method} ${request.url} -> ${request.status}${request.refresh ? ' (refresh)' : ''}: ${request.carried}`,
      );
      for (const note of request.notes) lines.push(`      ${note}`);
    }
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

function renderFindings(lines: string[], findings: readonly Finding[]): void {
  if (findings.length === 0) return;
  lines.push('Findings');
  for (const finding of findings) {
    const mark =
      finding.severity === 'danger'
        ? '[fail]'
        : finding.severity === 'warning'
          ? '[warn]'
          : '[info]';
    lines.push(
      `  ${mark} ${finding.what}`,
      `      why: ${finding.why}`,
      `      fix: ${finding.fix}`,
    );
  }
  lines.push('');
}
