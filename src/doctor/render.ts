/**
 * The doctor's reports, for both paths: readable text for people (colour only when asked, i.e. on a
 * terminal without NO_COLOR) and JSON for tools. Token values are escaped for the terminal; the
 * signature is never shown.
 */
import { describeUntrusted } from '../errors/explain.js';
import { describeUncertainty } from './clock-offset.js';
import type { DeploymentReport, Diagnosis, Finding, Severity } from './diagnosis.js';

/**
 * Rendering options.
 *
 * @example
 * ```ts
 * const options: RenderOptions = { color: shouldColor({ isTTY: process.stdout.isTTY, env: process.env }) };
 * ```
 */
export interface RenderOptions {
  readonly color: boolean;
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, dim: 2, bold: 1 } as const;
type Style = keyof typeof CODES;

/**
 * Whether to colour the report: only on a terminal, and never when NO_COLOR is set (https://no-color.org).
 *
 * @example
 * ```ts
 * const color = shouldColor({ isTTY: process.stdout.isTTY, env: process.env });
 * ```
 */
export function shouldColor(options: {
  isTTY: boolean | undefined;
  env: NodeJS.ProcessEnv;
}): boolean {
  return (
    options.isTTY === true &&
    (options.env.NO_COLOR === undefined || options.env.NO_COLOR === '') &&
    options.env.TERM !== 'dumb'
  );
}

/**
 * The human report for a token diagnosis.
 *
 * @example
 * ```ts
 * process.stdout.write(renderDiagnosis(diagnosis, { color: false }));
 * ```
 */
export function renderDiagnosis(diagnosis: Diagnosis, options: RenderOptions): string {
  const paint = painter(options);
  const { verdict, decoded } = diagnosis;
  const lines: string[] = [];
  const status =
    verdict.status === 'valid'
      ? paint('green', 'VALID')
      : verdict.status === 'invalid'
        ? paint('red', 'INVALID')
        : paint('yellow', 'NOT JUDGED');
  const code =
    verdict.code === null
      ? ''
      : ` ${paint('bold', verdict.code)}${verdict.bucket === null ? '' : ` (${verdict.bucket} bucket)`}`;
  lines.push(`Verdict: ${status}${code}`, `  ${verdict.explanation}`);
  const report = diagnosis.verifier;
  if (report !== undefined) {
    for (const { verifier, error } of report.errors) {
      const words =
        error === null
          ? 'accepts it'
          : `${error.name}${error.code === null ? '' : ` [${error.code}]`}: ${error.message}${error.status === null ? '' : ` (HTTP ${error.status}${error.response === null ? '' : ` ${error.response}`})`}`;
      lines.push(`  ${verifier} says: ${describeText(words)}`);
    }
  }
  lines.push(`  Fix: ${verdict.fix}`);
  if (report !== undefined)
    lines.push(
      paint(
        'dim',
        `  Judged by ${report.name} (leeway ${report.leewaySeconds} s): ${report.reason}.`,
      ),
    );
  lines.push('');
  if (decoded !== null) {
    if (decoded.header !== null) {
      lines.push(paint('bold', 'Header') + paint('dim', ' (decoded, untrusted)'));
      for (const [name, value] of Object.entries(decoded.header))
        lines.push(`  ${name.padEnd(10)} ${describeUntrusted(value)}`);
    }
    if (decoded.payload !== null) {
      lines.push(
        paint('bold', 'Claims') +
          paint('dim', verdict.status === 'valid' ? ' (verified)' : ' (decoded, untrusted)'),
      );
      for (const [name, value] of Object.entries(decoded.payload))
        lines.push(
          `  ${describeUntrusted(name).replace(/^"|"$/g, '').padEnd(10)} ${describeUntrusted(value)}`,
        );
    }
    if (decoded.times.length > 0) {
      lines.push(paint('bold', 'Times'));
      for (const time of decoded.times) {
        const server =
          time.relativeServer === null ? '' : `; on the server's clock: ${time.relativeServer}`;
        lines.push(
          `  ${time.name.padEnd(10)} ${time.utc}  |  ${time.local}`,
          `  ${''.padEnd(10)} ${time.relativeLocal} on this machine's clock${server}`,
        );
      }
    }
    if (decoded.kind === 'jwt')
      lines.push(`Signature: ${decoded.signatureBytes} bytes (never shown)`);
    if (decoded.kind === 'refresh-token')
      lines.push('A Tessera refresh token (opaque: nothing to decode, never shown).');
    lines.push('');
  }
  renderFindings(lines, 'Findings', diagnosis.findings, paint);
  renderFindings(lines, 'Warnings', diagnosis.warnings, paint);
  if (diagnosis.unchecked.length > 0) {
    lines.push(paint('bold', 'Not checked'));
    for (const item of diagnosis.unchecked) lines.push(`  - ${item}`);
    lines.push('');
  }
  const expectations = Object.entries(diagnosis.expectations).filter(([, value]) => value !== null);
  if (expectations.length > 0)
    lines.push(
      paint(
        'dim',
        `Judged with: ${expectations.map(([name, value]) => `${name} ${String(value)}`).join(', ')}`,
      ),
    );
  if (diagnosis.clock !== null)
    lines.push(
      paint(
        'dim',
        `Server clock offset: ${diagnosis.clock.offsetMs >= 0 ? '+' : ''}${diagnosis.clock.offsetMs} ms (${describeUncertainty(diagnosis.clock)})`,
      ),
    );
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

/**
 * The human report for a deployment check.
 *
 * @example
 * ```ts
 * process.stdout.write(renderDeployment(report, { color: true }));
 * ```
 */
export function renderDeployment(report: DeploymentReport, options: RenderOptions): string {
  const paint = painter(options);
  const failed = report.findings.filter((f) => f.severity === 'danger').length;
  const lines: string[] = [
    `Deployment ${report.server}: ${failed === 0 ? paint('green', 'no failures') : paint('red', `${failed} failure${failed === 1 ? '' : 's'}`)}`,
    '',
  ];
  if (report.passed.length > 0) {
    lines.push(paint('bold', 'Passed'));
    for (const item of report.passed) lines.push(`  ${paint('green', 'ok')} ${item}`);
    lines.push('');
  }
  renderFindings(lines, 'Findings', report.findings, paint);
  if (report.skipped.length > 0) {
    lines.push(paint('bold', 'Not checked'));
    for (const item of report.skipped) lines.push(`  - ${item}`);
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

/**
 * JSON for tools: the whole structure, plus the exit code the CLI returns.
 *
 * @example
 * ```ts
 * renderJson({ kind: 'token', exitCode: 1, ...diagnosis });
 * ```
 */
export function renderJson(value: object): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

// Library messages can echo a configured value (an expected audience): escape control characters.
function describeText(text: string): string {
  return text.replace(
    /[^\x20-\x7e]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function renderFindings(
  lines: string[],
  title: string,
  findings: readonly Finding[],
  paint: Painter,
): void {
  if (findings.length === 0) return;
  lines.push(paint('bold', title));
  for (const finding of findings) {
    lines.push(
      `  ${mark(finding.severity, paint)} ${finding.what}`,
      `      why: ${finding.why}`,
      `      fix: ${finding.fix}`,
    );
  }
  lines.push('');
}

type Painter = (style: Style, text: string) => string;

function painter(options: RenderOptions): Painter {
  return (style, text) => (options.color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text);
}

function mark(severity: Severity, paint: Painter): string {
  if (severity === 'danger') return paint('red', '[fail]');
  if (severity === 'warning') return paint('yellow', '[warn]');
  return paint('blue', '[info]');
}
