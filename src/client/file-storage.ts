import type { TokenStorage } from './token-storage.js';

/** The few `node:fs/promises` functions the file adapter needs; pass the module itself. */
export interface FileSystemLike {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string, options: { mode: number }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: boolean }): Promise<void>;
}

/**
 * Keeps the refresh token in a file readable by its owner only (mode 0600), replaced atomically so a
 * crash mid-write never leaves half a token. The file system is passed in, which keeps this module free
 * of `node:` imports for browser and React Native bundles.
 *
 * @example
 * ```ts
 * import * as fs from 'node:fs/promises';
 * const storage = createFileStorage({ path: `${os.homedir()}/.myapp/refresh-token`, fs });
 * ```
 */
export function createFileStorage(options: { path: string; fs: FileSystemLike }): TokenStorage {
  const { path, fs } = options;
  return {
    async get() {
      try {
        const text = (await fs.readFile(path, 'utf8')).trim();
        return text === '' ? null : text;
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ENOENT') return null;
        throw error;
      }
    },
    async set(token) {
      const temporary = `${path}.${Math.random().toString(36).slice(2)}.tmp`;
      await fs.writeFile(temporary, token, { mode: 0o600 });
      await fs.rename(temporary, path);
    },
    async remove() {
      await fs.rm(path, { force: true });
    },
  };
}
