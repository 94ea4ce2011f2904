/**
 * Where the audited code's repository starts: SARIF URIs must be relative to it, because GitHub code
 * scanning places alerts by repository path and ignores `originalUriBaseIds`.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Walks up from a directory to the nearest one holding `.git` (a directory, or the file a worktree or
 * submodule has); falls back to `cwd` when the directory is inside it, else to the directory itself.
 *
 * @example
 * ```ts
 * const root = await findRepositoryRoot('/srv/app/src', { cwd: process.cwd() }); // '/srv/app'
 * ```
 */
export async function findRepositoryRoot(dir: string, options: { cwd: string }): Promise<string> {
  const start = path.resolve(dir);
  for (let current = start; ; current = path.dirname(current)) {
    const found = await stat(path.join(current, '.git')).then(
      () => true,
      () => false,
    );
    if (found) return current;
    if (path.dirname(current) === current) break;
  }
  const cwd = path.resolve(options.cwd);
  return isInside(start, cwd) ? cwd : start;
}

/**
 * Turns a path relative to the audited directory into a URI relative to the repository root.
 *
 * @example
 * ```ts
 * repositoryUri({ auditRoot: '/srv/app/src', repositoryRoot: '/srv/app', file: 'auth/login.ts' }); // 'src/auth/login.ts'
 * ```
 */
export function repositoryUri(options: {
  auditRoot: string;
  repositoryRoot: string;
  file: string;
}): string {
  const absolute = path.resolve(options.auditRoot, options.file);
  const relative = path.relative(options.repositoryRoot, absolute);
  return relative.split(path.sep).map(encodeURIComponent).join('/');
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
