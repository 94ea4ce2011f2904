/**
 * Files that hold keys or sessions must be readable by their owner only. Tessera creates them 0600
 * (directories 0700) but never changes the mode of a file that already exists: it says so, with the
 * fix, and leaves the decision to the user.
 */
import { stat } from 'node:fs/promises';

/** A file readable or writable by others than its owner: the path, its mode in octal, the fix. */
export interface FileModeWarning {
  readonly path: string;
  /** The permission bits, e.g. '0644'. */
  readonly mode: string;
  readonly message: string;
}

/**
 * The files among `paths` whose mode lets the group or others in (a missing file is skipped).
 *
 * @example
 * ```ts
 * for (const warning of await findWideFileModes(['.tessera/sessions.db'])) console.warn(warning.message);
 * ```
 */
export async function findWideFileModes(paths: readonly string[]): Promise<FileModeWarning[]> {
  const warnings: FileModeWarning[] = [];
  for (const path of paths) {
    const mode = await stat(path).then(
      (stats) => stats.mode & 0o777,
      (error: unknown) => {
        if ((error as { code?: string }).code === 'ENOENT') return undefined;
        throw error;
      },
    );
    if (mode === undefined || (mode & 0o077) === 0) continue;
    const octal = `0${mode.toString(8).padStart(3, '0')}`;
    warnings.push({
      path,
      mode: octal,
      message: `${path} has mode ${octal}: other users of this machine may read it (it holds keys or sessions). Fix: chmod 600 ${shellQuote(path)}`,
    });
  }
  return warnings;
}

/**
 * The default reporter of file-mode warnings when the caller gives none: Node's process warning
 * (printed on stderr once per warning), code `TESSERA_FILE_MODE`.
 *
 * @example
 * ```ts
 * (await findWideFileModes([path])).forEach(emitFileModeWarning);
 * ```
 */
export function emitFileModeWarning(warning: FileModeWarning): void {
  process.emitWarning(warning.message, { code: 'TESSERA_FILE_MODE' });
}

function shellQuote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
