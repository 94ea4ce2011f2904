/**
 * The programmatic audit: runs the Tessera rules over a directory through ESLint's Node API, with an
 * inline config so the audited project's own ESLint setup never changes what is found.
 */
import type { ESLint, Linter } from 'eslint';
import path from 'node:path';
import type { Bucket } from '../errors/codes.js';
import plugin, { buildRecommendedRules, PLUGIN_PREFIX } from './eslint-plugin.js';
import { listSourceFiles } from './source-files.js';

/** A finding's severity, in ESLint's words. */
export type FindingSeverity = 'error' | 'warning';

/** One trap found in one place, with the words the report prints. */
export interface Finding {
  readonly ruleId: string;
  readonly severity: FindingSeverity;
  readonly bucket: Bucket;
  /** Relative to the audited directory, with forward slashes. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number | undefined;
  readonly endColumn: number | undefined;
  readonly message: string;
  readonly why: string;
  readonly fix: string;
  readonly autofixable: boolean;
}

/** Everything one audit run found. */
export interface AuditResult {
  readonly root: string;
  readonly filesAudited: number;
  /** Files the parser could not read: reported, never silently skipped. */
  readonly unparsed: readonly { readonly file: string; readonly message: string }[];
  readonly findings: readonly Finding[];
  readonly durationMs: number;
}

/** Options of {@link runAudit}. */
export interface AuditOptions {
  /** Called after each batch of files, for a progress bar. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Audit only these files (absolute, inside the directory) instead of listing the tree. */
  readonly files?: readonly string[];
  /** Files linted per ESLint call; smaller batches mean smoother progress. */
  readonly batchSize?: number;
}

const JS_FILES = ['**/*.js', '**/*.jsx', '**/*.mjs', '**/*.cjs'];
const TS_FILES = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];

/**
 * Builds the inline flat config the audit runs with: espree for JS (JSX on), typescript-eslint's parser
 * for TS, and the Tessera rules unless `withRules` is false (the parse-only floor the bench compares to).
 *
 * @example
 * ```ts
 * const config = await buildAuditConfig({ withRules: true });
 * ```
 */
export async function buildAuditConfig(options: { withRules: boolean }): Promise<Linter.Config[]> {
  const { parser } = await import('typescript-eslint');
  const config: Linter.Config[] = [
    { linterOptions: { reportUnusedDisableDirectives: 'off', reportUnusedInlineConfigs: 'off' } },
    {
      files: JS_FILES,
      languageOptions: {
        ecmaVersion: 'latest',
        sourceType: 'module',
        parserOptions: { ecmaFeatures: { jsx: true } },
      },
    },
    { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
    { files: TS_FILES, languageOptions: { parser: parser as Linter.Parser, sourceType: 'module' } },
  ];
  if (options.withRules)
    config.push({
      files: [...JS_FILES, ...TS_FILES],
      plugins: { [PLUGIN_PREFIX]: plugin },
      rules: buildRecommendedRules(),
    });
  return config;
}

/**
 * Creates the ESLint instance the audit uses for a directory.
 *
 * @example
 * ```ts
 * const eslint = await createAuditLinter({ root: '/srv/app', withRules: true });
 * ```
 */
export async function createAuditLinter(options: {
  root: string;
  withRules: boolean;
}): Promise<ESLint> {
  const { ESLint } = await import('eslint');
  return new ESLint({
    cwd: path.resolve(options.root),
    overrideConfigFile: true,
    overrideConfig: await buildAuditConfig({ withRules: options.withRules }),
    errorOnUnmatchedPattern: false,
  });
}

/**
 * Audits every JS/TS file under a directory and returns the findings, sorted by file and position.
 *
 * @example
 * ```ts
 * const result = await runAudit('/srv/app', { onProgress: (done, total) => draw(done, total) });
 * result.findings.filter((f) => f.severity === 'error');
 * ```
 */
export async function runAudit(root: string, options: AuditOptions = {}): Promise<AuditResult> {
  const started = performance.now();
  const absolute = path.resolve(root);
  const files = options.files ? [...options.files] : await listSourceFiles(absolute);
  const eslint = await createAuditLinter({ root: absolute, withRules: true });
  const batchSize = options.batchSize ?? 100;
  const findings: Finding[] = [];
  const unparsed: { file: string; message: string }[] = [];
  for (let start = 0; start < files.length; start += batchSize) {
    const results = await eslint.lintFiles(files.slice(start, start + batchSize));
    for (const result of results) collectFindings(result, absolute, findings, unparsed);
    options.onProgress?.(Math.min(start + batchSize, files.length), files.length);
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return {
    root: absolute,
    filesAudited: files.length,
    unparsed,
    findings,
    durationMs: performance.now() - started,
  };
}

function collectFindings(
  result: ESLint.LintResult,
  root: string,
  findings: Finding[],
  unparsed: { file: string; message: string }[],
): void {
  const file = path.relative(root, result.filePath).split(path.sep).join('/');
  for (const message of result.messages) {
    if (message.fatal) {
      unparsed.push({ file, message: message.message });
      continue;
    }
    const name = message.ruleId?.startsWith(`${PLUGIN_PREFIX}/`)
      ? message.ruleId.slice(PLUGIN_PREFIX.length + 1)
      : undefined;
    const rule = name === undefined ? undefined : plugin.rules[name];
    if (!rule || !message.ruleId) continue;
    findings.push({
      ruleId: message.ruleId,
      severity: message.severity === 2 ? 'error' : 'warning',
      bucket: rule.meta.docs.bucket,
      file,
      line: message.line,
      column: message.column,
      endLine: message.endLine,
      endColumn: message.endColumn,
      message: message.message,
      why: rule.meta.docs.why,
      fix: rule.meta.docs.fix,
      autofixable: message.fix !== undefined,
    });
  }
}
