import type { CreateServerOptions, TesseraServer } from './create-server.js';
import type { ServerConfig } from './config.js';

// The root entry's doors to the standalone server. They import the server on call, so that
// `import 'tessera-auth'` (a resource server that only verifies, a script that only mints keys) loads
// no pino, zod, argon2 or database driver. The CLI imports the modules behind them directly.

/**
 * Assembles a Tessera server from configuration: the store (SQLite or PostgreSQL), the persisted
 * keyring, the revocation feed (loaded before the first request), the session core, accounts, rate
 * limits and the Fetch handler. What `tessera serve` runs, for embedding in your own process.
 *
 * @example
 * ```ts
 * import { createTesseraServer, listen, resolveConfig } from 'tessera-auth';
 *
 * const config = await resolveConfig({
 *   flags: { db: './tessera.db', port: '8080' },
 *   env: process.env,
 *   cwd: process.cwd(),
 * });
 * const server = await createTesseraServer({ config });
 * const { port } = await listen(server.handler, { port: config.port });
 * console.log(`auth server on http://localhost:${port}, issuer ${config.issuer}`);
 * process.once('SIGTERM', () => void server.close());
 * ```
 */
export async function createTesseraServer(options: CreateServerOptions): Promise<TesseraServer> {
  const { createTesseraServer: create } = await import('./create-server.js');
  return create(options);
}

/**
 * Resolves the server's configuration from flags, then the environment (`TESSERA_*`, `PORT`,
 * `DATABASE_URL`), then `tessera.config.{json,js,mjs}`, then defaults; validates it, applies the
 * development defaults, and in production refuses what would break users later, saying what to set.
 *
 * @example
 * ```ts
 * import { resolveConfig } from 'tessera-auth';
 *
 * const config = await resolveConfig({ flags: { port: '9000' }, env: process.env, cwd: process.cwd() });
 * console.log(config.port, config.issuer, config.audience, config.sources.port); // 9000 … 'flag'
 * ```
 */
export async function resolveConfig(input: {
  flags: Partial<Record<string, unknown>>;
  env: NodeJS.ProcessEnv;
  cwd: string;
}): Promise<ServerConfig> {
  const { resolveConfig: resolve } = await import('./config.js');
  return resolve(input);
}
