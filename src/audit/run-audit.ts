/**
 * The programmatic audit: runs the Tessera rules over a directory through ESLint's Node API, with an
 * inline config so the audited project's own ESLint setup never changes what is found.
 */
import type { ESLint, Linter } from 'eslint';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Bucket } from '../errors/codes.js';
import plugin, { buildRecommendedRules, PLUGIN_PREFIX } from './eslint-plugin.js';
import { fingerprintFindings } from './fingerprint.js';
import { formatDuration } from '../errors/explain.js';
import { isConfigFile, scanConfigLifetimes, scanConfigText } from './config-files.js';
import { gatherProjectFacts, type ProjectFacts } from './project-facts.js';
import { listProjectFiles } from './source-files.js';

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
  /** Rule, file and normalised source hashed: stable when lines move (SARIF partialFingerprints). */
  readonly fingerprint: string;
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
export async function buildAuditConfig(options: {
  withRules: boolean;
  facts?: ProjectFacts;
}): Promise<Linter.Config[]> {
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
      ...(options.facts ? { settings: { tessera: options.facts } } : {}),
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
  facts?: ProjectFacts;
}): Promise<ESLint> {
  const { ESLint } = await import('eslint');
  return new ESLint({
    cwd: path.resolve(options.root),
    overrideConfigFile: true,
    overrideConfig: await buildAuditConfig(options),
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
  const listed = options.files
    ? { sources: [...options.files], configs: [] }
    : await listProjectFiles(absolute, { isConfig: isConfigFile });
  const unparsed: { file: string; message: string }[] = [];
  const texts = new Map<string, string>();
  const files: string[] = [];
  for (const file of listed.sources) {
    const text = await readCapped(file);
    if (typeof text === 'string') {
      texts.set(file, text);
      files.push(file);
    } else unparsed.push({ file: relativeTo(absolute, file), message: text.skipped });
  }
  const facts = gatherProjectFacts(texts.values());
  const eslint = await createAuditLinter({ root: absolute, withRules: true, facts });
  const batchSize = options.batchSize ?? 100;
  const findings: Omit<Finding, 'fingerprint'>[] = [];
  for (const file of listed.configs) {
    const text = await readCapped(file);
    if (typeof text === 'string')
      findings.push(...configFindings(relativeTo(absolute, file), text));
  }
  for (let start = 0; start < files.length; start += batchSize) {
    const results = await eslint.lintFiles(files.slice(start, start + batchSize));
    for (const result of results) collectFindings(result, absolute, findings, unparsed);
    options.onProgress?.(Math.min(start + batchSize, files.length), files.length);
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return {
    root: absolute,
    filesAudited: files.length + listed.configs.length,
    unparsed,
    findings: await withFingerprints(absolute, findings),
    durationMs: performance.now() - started,
  };
}

// Bigger than any hand-written module: bundles, generated clients, vendored libraries.
const MAX_FILE_BYTES = 2 * 1024 * 1024;
// Minified code has lines far longer than anyone writes; its findings could not be placed anyway.
const MINIFIED_LINE = 5000;

function relativeTo(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

/** The file's text, or why it is not audited (too big, minified, unreadable). */
async function readCapped(file: string): Promise<string | { skipped: string }> {
  let text: string;
  try {
    const handle = await stat(file);
    if (handle.size > MAX_FILE_BYTES)
      return {
        skipped: `skipped: ${(handle.size / 1024 / 1024).toFixed(1)} MiB, over the ${MAX_FILE_BYTES / 1024 / 1024} MiB the audit reads (bundled or generated code?)`,
      };
    text = await readFile(file, 'utf8');
  } catch (error) {
    return {
      skipped: `skipped: could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    };
  }
  const longest = text.split('\n').reduce((max, line) => Math.max(max, line.length), 0);
  if (longest > MINIFIED_LINE)
    return { skipped: 'skipped: looks minified (a line of more than 5000 characters)' };
  return text;
}

function configFindings(file: string, text: string): Omit<Finding, 'fingerprint'>[] {
  return [...secretFindings(file, text), ...lifetimeFindings(file, text)];
}

function lifetimeFindings(file: string, text: string): Omit<Finding, 'fingerprint'>[] {
  const rule = plugin.rules['max-token-lifetime'];
  if (!rule) return [];
  return scanConfigLifetimes(file, text).map((lifetime) => ({
    ruleId: `${PLUGIN_PREFIX}/max-token-lifetime`,
    severity: 'warning' as FindingSeverity,
    bucket: rule.meta.docs.bucket,
    file,
    line: lifetime.line,
    column: lifetime.column,
    endLine: undefined,
    endColumn: undefined,
    message:
      lifetime.kind === 'refresh'
        ? `${lifetime.name} makes refresh tokens live ${formatDuration(lifetime.seconds)}; keep refresh tokens to 30 days or less.`
        : `${lifetime.name} makes access tokens live ${formatDuration(lifetime.seconds)}; keep access tokens to 1 h or less.`,
    why: rule.meta.docs.why,
    fix: rule.meta.docs.fix,
    autofixable: false,
  }));
}

function secretFindings(file: string, text: string): Omit<Finding, 'fingerprint'>[] {
  const rule = plugin.rules['no-hardcoded-secret'];
  if (!rule) return [];
  return scanConfigText(file, text).map((secret) => ({
    ruleId: `${PLUGIN_PREFIX}/no-hardcoded-secret`,
    severity: (secret.template ? 'warning' : 'error') as FindingSeverity,
    bucket: rule.meta.docs.bucket,
    file,
    line: secret.line,
    column: secret.column,
    endLine: undefined,
    endColumn: undefined,
    // The variable's name only: the value must not reach a CI log or a SARIF upload.
    message: secret.template
      ? `${secret.name} has a concrete value in this template; every copy made of it runs on a published secret.`
      : `${secret.name} is committed with its value; anyone who can read the repository can mint tokens.`,
    why: rule.meta.docs.why,
    fix: rule.meta.docs.fix,
    autofixable: false,
  }));
}

// A parser message can quote source text; a line of it is enough to say what failed.
const MAX_PARSE_MESSAGE = 200;

async function withFingerprints(
  root: string,
  findings: readonly Omit<Finding, 'fingerprint'>[],
): Promise<Finding[]> {
  const sources = new Map<string, readonly string[]>();
  for (const file of new Set(findings.map((f) => f.file))) {
    const text = await readFile(path.join(root, file), 'utf8').catch(() => '');
    sources.set(file, text.split(/\r?\n/));
  }
  const fingerprints = fingerprintFindings(
    findings.map((f) => ({
      ruleId: f.ruleId,
      file: f.file,
      snippet: (sources.get(f.file) ?? []).slice(f.line - 1, f.endLine ?? f.line).join('\n'),
    })),
  );
  return findings.map((f, i) => ({ ...f, fingerprint: fingerprints[i] ?? '' }));
}

function collectFindings(
  result: ESLint.LintResult,
  root: string,
  findings: Omit<Finding, 'fingerprint'>[],
  unparsed: { file: string; message: string }[],
): void {
  const file = path.relative(root, result.filePath).split(path.sep).join('/');
  for (const message of result.messages) {
    if (message.fatal) {
      unparsed.push({ file, message: message.message.split('\n')[0]!.slice(0, MAX_PARSE_MESSAGE) });
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
