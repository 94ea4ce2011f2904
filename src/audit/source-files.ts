/**
 * Which files the audit reads: JS and TS sources under a directory, minus .gitignore'd paths,
 * dependencies and build output. Uses git when the tree is a repository (exact .gitignore semantics),
 * and a small .gitignore reader otherwise.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SOURCE = /\.(js|jsx|mjs|cjs|ts|tsx|mts|cts)$/;
const SKIPPED_FILE = /\.d\.[cm]?ts$|\.min\.js$|\.bundle\.js$/;
/** Dependencies, build output and caches: never the team's own code. */
const SKIPPED_DIRS = new Set([
  'node_modules',
  '.git',
  'dist',
  'build',
  'out',
  'coverage',
  '.next',
  '.nuxt',
  '.output',
  '.svelte-kit',
  '.turbo',
  '.cache',
  'vendor',
  'bower_components',
  '.vercel',
  'storybook-static',
]);

/**
 * Lists the source files to audit, as absolute paths in a stable order.
 *
 * @example
 * ```ts
 * const files = await listSourceFiles('/srv/app'); // ['/srv/app/src/auth.ts', ...]
 * ```
 */
export async function listSourceFiles(root: string): Promise<string[]> {
  return (await listProjectFiles(root, { isConfig: () => false })).sources;
}

/**
 * Lists the source files and, by the caller's test, the config files (`.env`, JSON config) beside
 * them, with the same ignore rules, as absolute paths in a stable order.
 *
 * @example
 * ```ts
 * const { sources, configs } = await listProjectFiles('/srv/app', { isConfig: isConfigFile });
 * ```
 */
export async function listProjectFiles(
  root: string,
  options: { isConfig: (relative: string) => boolean },
): Promise<{ sources: string[]; configs: string[] }> {
  const absolute = path.resolve(root);
  const files =
    (await listWithGit(absolute)) ??
    (await walkTree(absolute, absolute, await readIgnoreRules(absolute)));
  const relative = (file: string): string => path.relative(absolute, file);
  const kept = files.filter((file) => !isSkippedPath(relative(file))).sort();
  return {
    sources: kept.filter((file) => isAuditable(relative(file))),
    configs: kept.filter((file) => options.isConfig(relative(file).split(path.sep).join('/'))),
  };
}

function isSkippedPath(file: string): boolean {
  return file.split(path.sep).some((segment) => SKIPPED_DIRS.has(segment));
}

function isAuditable(file: string): boolean {
  return SOURCE.test(file) && !SKIPPED_FILE.test(file);
}

async function listWithGit(root: string): Promise<string[] | undefined> {
  try {
    const { stdout } = await run(
      'git',
      ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', '.'],
      { cwd: root, maxBuffer: 256 * 1024 * 1024 },
    );
    return stdout
      .split('\0')
      .filter(Boolean)
      .map((f) => path.join(root, f));
  } catch {
    return undefined;
  }
}

interface IgnoreRule {
  readonly pattern: RegExp;
  readonly negate: boolean;
  readonly dirOnly: boolean;
}

/**
 * Turns one .gitignore line into a rule; blank lines and comments give undefined.
 *
 * @example
 * ```ts
 * parseIgnoreLine('build/')?.dirOnly; // true
 * ```
 */
export function parseIgnoreLine(line: string): IgnoreRule | undefined {
  let text = line.replace(/\s+$/, '');
  if (text === '' || text.startsWith('#')) return undefined;
  const negate = text.startsWith('!');
  if (negate) text = text.slice(1);
  const dirOnly = text.endsWith('/');
  if (dirOnly) text = text.slice(0, -1);
  // A pattern with a slash before its end is anchored to the root; otherwise it matches at any depth.
  const anchored = text.includes('/');
  if (text.startsWith('/')) text = text.slice(1);
  let source = '';
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] as string;
    if (ch === '*' && text[i + 1] === '*') {
      source += text[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += text[i + 2] === '/' ? 2 : 1;
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return { pattern: new RegExp(`${anchored ? '^' : '(?:^|/)'}${source}$`), negate, dirOnly };
}

async function readIgnoreRules(root: string): Promise<IgnoreRule[]> {
  try {
    const text = await readFile(path.join(root, '.gitignore'), 'utf8');
    return text
      .split(/\r?\n/)
      .map(parseIgnoreLine)
      .filter((r): r is IgnoreRule => r !== undefined);
  } catch {
    return [];
  }
}

function isIgnored(relative: string, isDir: boolean, rules: readonly IgnoreRule[]): boolean {
  let ignored = false;
  for (const rule of rules) {
    if (rule.dirOnly && !isDir) continue;
    if (rule.pattern.test(relative)) ignored = !rule.negate;
  }
  return ignored;
}

async function walkTree(
  root: string,
  dir: string,
  rules: readonly IgnoreRule[],
): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    const relative = path.relative(root, full).split(path.sep).join('/');
    if (entry.isDirectory()) {
      if (SKIPPED_DIRS.has(entry.name) || isIgnored(relative, true, rules)) continue;
      out.push(...(await walkTree(root, full, rules)));
    } else if (entry.isFile() && !isIgnored(relative, false, rules)) {
      out.push(full);
    }
  }
  return out;
}
