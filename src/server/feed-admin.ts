import { TesseraError } from '../errors/tessera-error.js';
import { createFeedCredentials, type FeedCredentials } from '../sessions/feed-credentials.js';
import { hasFeedCredentialStore } from '../store/feed-credential-store.js';
import { openStore } from './open-store.js';

export type { FeedCredentialSummary } from '../sessions/feed-credentials.js';

/**
 * Opens the configured store for `tessera feeds`: the feed credentials of the deployment the server
 * serves, and the close that releases the store.
 *
 * @example
 * ```ts
 * const { feeds, close } = await openFeedCredentials({ databaseUrl: undefined, sqlitePath: 'tessera.db' });
 * console.log(await feeds.list());
 * await close();
 * ```
 */
export async function openFeedCredentials(options: {
  databaseUrl: string | undefined;
  sqlitePath: string;
}): Promise<{ feeds: FeedCredentials; close: () => Promise<void> }> {
  const store = await openStore(options);
  if (!hasFeedCredentialStore(store)) {
    await store.close();
    throw new TesseraError('CONFIG_INVALID', 'This store keeps no feed credentials.');
  }
  return { feeds: createFeedCredentials({ store }), close: () => store.close() };
}
