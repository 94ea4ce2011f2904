import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TesseraError } from '../../errors/tessera-error.js';
import {
  emitFileModeWarning,
  findWideFileModes,
  type FileModeWarning,
} from '../../keys/file-mode.js';
import type { AccountStore } from '../account-store.js';
import type { FeedCredentialStore } from '../feed-credential-store.js';
import type { SessionStore } from '../session-store.js';
import { createSqliteStore, type SqliteDatabase, type SqliteStoreOptions } from './sqlite-store.js';

/** Options of {@link openSqliteStore}. */
export interface OpenSqliteStoreOptions {
  /** The database file; created with its directory when missing. */
  readonly path: string;
  readonly synchronous?: SqliteStoreOptions['synchronous'];
  readonly revocationWake?: SqliteStoreOptions['revocationWake'];
  /**
   * Told about an existing database file (or its -wal, -shm) that others may read; the mode is never
   * changed. Default: a process warning on stderr.
   */
  readonly onFileModeWarning?: (warning: FileModeWarning) => void;
}

/**
 * Opens (creating when missing) a SQLite file with better-sqlite3, an optional peer dependency loaded only
 * here, and migrates it. The default store: one file, no server.
 *
 * @example
 * ```ts
 * import { createSessionManager, openSqliteStore, type SessionManagerOptions } from 'tessera-auth';
 *
 * // Your access-token signer, e.g. built with createAccessTokenSigner over your keyring.
 * declare const signAccessToken: SessionManagerOptions['signAccessToken'];
 *
 * const store = await openSqliteStore({ path: '.tessera/sessions.db' });
 * const sessions = createSessionManager({ store, signAccessToken });
 * const tokens = await sessions.issueSession('user-42');
 * console.log(tokens.sessionId, (await store.listSessions('user-42')).length); // '…' 1
 * await store.close();
 * ```
 */
export async function openSqliteStore(
  options: OpenSqliteStoreOptions,
): Promise<SessionStore & AccountStore & FeedCredentialStore> {
  let driver: { default: new (path: string) => SqliteDatabase };
  try {
    driver = (await import('better-sqlite3')) as unknown as {
      default: new (path: string) => SqliteDatabase;
    };
  } catch {
    throw new TesseraError(
      'CONFIG_INVALID',
      'The SQLite store needs the better-sqlite3 package, an optional peer dependency: npm install better-sqlite3.',
    );
  }
  if (options.path !== ':memory:') {
    // The file holds sessions, password hashes and (in development) unsealed signing keys: only this
    // user may read it. SQLite gives its -wal and -shm files the main file's mode, so creating the
    // empty file 0600 first (an empty file is an empty database) covers all three.
    await mkdir(dirname(options.path), { recursive: true, mode: 0o700 });
    await writeFile(options.path, '', { flag: 'wx', mode: 0o600 }).catch((error: unknown) => {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    });
  }
  const store = createSqliteStore({
    database: new driver.default(options.path),
    ...(options.synchronous === undefined ? {} : { synchronous: options.synchronous }),
    ...(options.revocationWake === undefined ? {} : { revocationWake: options.revocationWake }),
  });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  if (options.path !== ':memory:') {
    // After migrate, so the -wal and -shm files exist and are checked too.
    const paths = [options.path, `${options.path}-wal`, `${options.path}-shm`];
    for (const warning of await findWideFileModes(paths))
      (options.onFileModeWarning ?? emitFileModeWarning)(warning);
  }
  return store;
}
