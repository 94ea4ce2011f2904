import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TesseraError } from '../errors/tessera-error.js';

/**
 * Reads the first of `tessera.config.{json,js,mjs}` in `cwd` as an object (`{}` when there is
 * none); a `.ts` file, an unreadable file or one that is not an object is `CONFIG_INVALID`.
 *
 * @example
 * ```ts
 * import { readConfigFile } from './config-file.js';
 *
 * const file = await readConfigFile(process.cwd());
 * ```
 */
export async function readConfigFile(cwd: string): Promise<Record<string, unknown>> {
  for (const name of [
    'tessera.config.json',
    'tessera.config.js',
    'tessera.config.mjs',
    'tessera.config.ts',
  ]) {
    const path = resolve(cwd, name);
    if (!existsSync(path)) continue;
    if (name.endsWith('.ts'))
      throw new TesseraError(
        'CONFIG_INVALID',
        'tessera.config.ts needs a TypeScript loader; on Node 20 rename it to tessera.config.mjs (same content without types).',
      );
    try {
      const value: unknown = name.endsWith('.json')
        ? JSON.parse(await readFile(path, 'utf8'))
        : ((await import(pathToFileURL(path).href)) as { default: unknown }).default;
      if (typeof value !== 'object' || value === null) throw new Error('not an object');
      return value as Record<string, unknown>;
    } catch (error) {
      throw new TesseraError(
        'CONFIG_INVALID',
        `${name} could not be read: ${error instanceof Error ? error.message : 'unknown error'}.`,
      );
    }
  }
  return {};
}
