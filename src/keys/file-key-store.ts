import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { emitFileModeWarning, findWideFileModes, type FileModeWarning } from './file-mode.js';
import { sameStoredKeys, type KeyStore, type StoredKey } from './key-store.js';

/**
 * A keyring in one JSON file (mode 0600), for a single node without a database keyring.
 * Writes go to a temporary file and are renamed into place, so a crash never leaves half a keyring.
 *
 * @example
 * ```ts
 * const store = createFileKeyStore({ path: '.tessera/keys.json' });
 * ```
 */
export function createFileKeyStore(options: {
  path: string;
  /** Told once when the existing file is readable by others (never chmod-ed). Default: stderr. */
  onFileModeWarning?: (warning: FileModeWarning) => void;
}): KeyStore {
  const { path } = options;
  let modeChecked = false;
  const load = async (): Promise<StoredKey[]> => {
    if (!modeChecked) {
      modeChecked = true;
      for (const warning of await findWideFileModes([path]))
        (options.onFileModeWarning ?? emitFileModeWarning)(warning);
    }
    try {
      return (JSON.parse(await readFile(path, 'utf8')) as { keys: StoredKey[] }).keys;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  };
  const save = async (keys: readonly StoredKey[]): Promise<void> => {
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, path);
  };
  return {
    loadKeys: load,
    saveKeys: save,
    // One process per file (this store has no lock): compare, then replace by rename.
    async replaceKeys(expected, next) {
      if (!sameStoredKeys(await load(), expected)) return false;
      await save(next);
      return true;
    },
    async initKeys(keys) {
      await mkdir(dirname(path), { recursive: true });
      // Write the whole keyring to a private file, then link() it into place: link fails when the path
      // exists, so the first process to start creates the keyring and the rest never see half a file.
      const temporary = `${path}.${randomBytes(6).toString('hex')}.init`;
      await writeFile(temporary, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
      try {
        await link(temporary, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        await unlink(temporary).catch(() => undefined);
      }
      return load();
    },
  };
}
