/**
 * `tessera audit [DIR]`: finds the JWT traps in a JS/TS tree and fails CI at a chosen severity.
 * Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 bad usage or the audit could not run.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { CliCommand } from './command.js';

const USAGE = `Usage: tessera audit [DIR] [--format text|json|sarif] [--fail-on error|warning] [--output FILE]

Runs the Tessera JWT rules over every JS/TS file in DIR (default: .), respecting .gitignore and
skipping node_modules and build output.

  --format   text (default), json, or sarif (SARIF 2.1.0 for code-scanning dashboards)
  --fail-on  exit 1 when a finding is at or above this severity (default: error)
  --output   write the report to FILE instead of stdout
  --no-progress  never draw the progress bar (it is drawn on a TTY stderr only)
`;

const FORMATS = ['text', 'json', 'sarif'] as const;
const SEVERITIES = ['error', 'warning'] as const;
// Below this many files the audit finishes before a bar would be readable.
const PROGRESS_MIN_FILES = 200;

type Format = (typeof FORMATS)[number];
type Severity = (typeof SEVERITIES)[number];

interface AuditArgs {
  readonly dir: string;
  readonly format: Format;
  readonly failOn: Severity;
  readonly output: string | undefined;
  readonly progress: boolean;
}

function parseAuditArgs(args: readonly string[]): AuditArgs | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        'fail-on': { type: 'string', default: 'error' },
        output: { type: 'string', short: 'o' },
        'no-progress': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return (error as Error).message;
  }
  const { values, positionals } = parsed;
  if (values.help) return '';
  if (positionals.length > 1) return `expected at most one directory, got ${positionals.length}`;
  const format = values.format as Format;
  const failOn = values['fail-on'] as Severity;
  if (!FORMATS.includes(format)) return `--format must be one of ${FORMATS.join(', ')}`;
  if (!SEVERITIES.includes(failOn)) return `--fail-on must be one of ${SEVERITIES.join(', ')}`;
  return {
    dir: positionals[0] ?? '.',
    format,
    failOn,
    output: values.output,
    progress: !values['no-progress'],
  };
}

function drawProgress(done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} files`,
  );
  if (done === total) process.stderr.write('\r\u001b[2K');
}

async function readToolVersion(): Promise<string> {
  const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8');
  return String((JSON.parse(text) as { version?: unknown }).version ?? '0.0.0');
}

/**
 * The `audit` command.
 *
 * @example
 * ```ts
 * process.exitCode = await command.run(['.', '--format', 'sarif', '--fail-on', 'warning']);
 * ```
 */
export const command: CliCommand = {
  summary: 'Find JWT traps (secrets, algorithms, expiry, storage, refresh) in a JS/TS tree',
  usage: USAGE,
  async run(args) {
    const parsed = parseAuditArgs(args);
    if (typeof parsed === 'string') {
      if (parsed === '') {
        process.stdout.write(USAGE);
        return 0;
      }
      process.stderr.write(`tessera audit: ${parsed}\n\n${USAGE}`);
      return 2;
    }
    const isDir = await stat(parsed.dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir) {
      process.stderr.write(`tessera audit: ${parsed.dir} is not a directory\n`);
      return 2;
    }
    const showProgress = parsed.progress && process.stderr.isTTY === true;
    let result: import('../audit/run-audit.js').AuditResult;
    try {
      const { runAudit } = await import('../audit/run-audit.js');
      result = await runAudit(parsed.dir, {
        onProgress: showProgress
          ? (done, total) => {
              if (total >= PROGRESS_MIN_FILES) drawProgress(done, total);
            }
          : undefined,
      });
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') {
        // One line, no stack: a rule or parser failure is reported as the run failing, and the
        // first line of its message names the file without quoting its contents.
        const first = String((error as Error).message ?? error)
          .split('\n')[0]
          ?.slice(0, 300);
        process.stderr.write(`tessera audit: the audit could not run on ${parsed.dir}: ${first}\n`);
        return 2;
      }
      process.stderr.write(
        `tessera audit needs eslint and typescript-eslint (npm i -D eslint typescript-eslint): ${(error as Error).message}\n`,
      );
      return 2;
    }
    const report = await import('../audit/report.js');
    let text: string;
    if (parsed.format === 'sarif') {
      const { buildSarifLog } = await import('../audit/sarif.js');
      const { findRepositoryRoot } = await import('../audit/repository-root.js');
      const repositoryRoot = await findRepositoryRoot(parsed.dir, { cwd: process.cwd() });
      const log = buildSarifLog(result, { toolVersion: await readToolVersion(), repositoryRoot });
      text = `${JSON.stringify(log, null, 2)}\n`;
    } else if (parsed.format === 'json') {
      text = report.formatJsonReport(result);
    } else {
      text = report.formatTextReport(result, {
        color: parsed.output === undefined && process.stdout.isTTY === true,
      });
    }
    if (parsed.output === undefined) process.stdout.write(text);
    else await writeFile(parsed.output, text);
    return report.hasFailingFindings(result, { failOn: parsed.failOn }) ? 1 : 0;
  },
};
