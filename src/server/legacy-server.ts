import type { Logger } from 'pino';
import { TesseraError } from '../errors/tessera-error.js';
import { createLegacyExchange, type LegacyExchange } from '../sessions/legacy-exchange.js';
import type { SessionManagerOptions } from '../sessions/session-options.js';
import { hasLegacyExchangeStore } from '../store/legacy-exchange-store.js';
import type { ServerConfig } from './config.js';
import { parseLegacyConfig, type LegacyConfigInput } from './legacy-config.js';
import type { ServerStore } from './open-store.js';

/**
 * The server's legacy exchange, when `legacy` is configured (in code, else in the config file): its
 * start-up warnings logged with their codes, and the store checked for the exchanges table.
 *
 * @example
 * ```ts
 * const legacy = legacyExchangeOf({ options, store, logger, manager: sessionOptions });
 * ```
 */
export function legacyExchangeOf(input: {
  readonly options: {
    readonly config: Pick<ServerConfig, 'legacy'>;
    readonly legacy?: LegacyConfigInput | undefined;
  };
  readonly store: ServerStore;
  readonly logger: Pick<Logger, 'warn' | 'info'>;
  readonly manager: SessionManagerOptions;
}): LegacyExchange | undefined {
  const { options, store, logger } = input;
  const parsed =
    options.legacy === undefined ? options.config.legacy : parseLegacyConfig(options.legacy);
  if (parsed === undefined) return undefined;
  if (!hasLegacyExchangeStore(store))
    throw new TesseraError(
      'CONFIG_INVALID',
      'The legacy configuration needs a store that records exchanged legacy tokens (the built-in SQLite or PostgreSQL store).',
      { setting: 'legacy' },
    );
  for (const warning of parsed.warnings) logger.warn({ code: warning.code }, warning.message);
  const { options: legacy } = parsed;
  logger.info(
    {
      algorithms: legacy.algorithms,
      userIdClaim: legacy.userIdClaim,
      windowEndsAt: new Date(legacy.windowEndsAt).toISOString(),
      storeHook: legacy.checkLegacyToken !== undefined,
    },
    'adopting legacy sessions until the migration window ends',
  );
  return createLegacyExchange({ ...input.manager, store, legacy });
}
