import { TesseraError } from '../errors/tessera-error.js';
import { clientRotationsPerMinute, defaultRotationsPerMinute } from '../sessions/rotation-limit.js';
import type { ParsedConfig } from './config-schema.js';

/**
 * The per-session rotation budget: as configured, or derived from the access lifetime so that the
 * shipped client, refreshing about once per lifetime, stays well under it. A configured value under
 * what the client needs at that lifetime is refused with `CONFIG_INVALID`.
 *
 * @example
 * ```ts
 * import { CONFIG_SCHEMA } from './config-schema.js';
 *
 * const perMinute = refreshRateLimit(CONFIG_SCHEMA.parse({}));
 * ```
 */
export function refreshRateLimit(config: ParsedConfig): number {
  const ttl = config['access-ttl'];
  const configured = config['refresh-rate-limit'];
  if (configured === undefined) return defaultRotationsPerMinute(ttl);
  const needed = clientRotationsPerMinute(ttl);
  if (configured < needed)
    throw new TesseraError(
      'CONFIG_INVALID',
      `Setting --refresh-rate-limit is invalid: ${configured} a minute is below the ${needed} refreshes a minute a client makes at --access-ttl ${ttl}s; raise it or lengthen the access lifetime.`,
      { setting: 'refresh-rate-limit' },
    );
  return configured;
}

/**
 * In production, refuses with one `CONFIG_INVALID` listing every problem what would break users
 * later: no issuer, audience or allowed origins, a missing or short key secret, a long access
 * lifetime, mail without a public URL or From address.
 *
 * @example
 * ```ts
 * import { CONFIG_SCHEMA } from './config-schema.js';
 *
 * assertProductionReady(CONFIG_SCHEMA.parse({ production: true }), process.env); // throws: issuer, ...
 * ```
 */
export function assertProductionReady(config: ParsedConfig, env: NodeJS.ProcessEnv): void {
  const problems: string[] = [];
  if (config.issuer === undefined)
    problems.push('set --issuer (TESSERA_ISSUER) to the public URL of this server');
  if (config.audience === undefined)
    problems.push('set --audience (TESSERA_AUDIENCE) to the API the tokens are for');
  if (env.TESSERA_KEY_SECRET === undefined || Buffer.byteLength(env.TESSERA_KEY_SECRET) < 32)
    problems.push('set TESSERA_KEY_SECRET to 32+ random bytes to seal the stored signing keys');
  if (config['access-ttl'] > 3600 && !config['allow-long-access-ttl'])
    problems.push(
      '--access-ttl is over 1h: revocation takes that long to reach stateless APIs; lower it or pass --allow-long-access-ttl',
    );
  if (config['allowed-origins'].length === 0)
    problems.push('set --allowed-origins to the browser origins of your app');
  // Mail links go to people's inboxes: their base is never guessed in production.
  if (config['smtp-url'] !== undefined && config['public-url'] === undefined)
    problems.push('set --public-url (TESSERA_PUBLIC_URL) to the app URL mail links should open');
  if (config['smtp-url'] !== undefined && config['mail-from'] === undefined)
    problems.push('set --mail-from (TESSERA_MAIL_FROM) to the address mail is sent from');
  if (problems.length > 0)
    throw new TesseraError(
      'CONFIG_INVALID',
      `Production mode refuses to start:\n  - ${problems.join('\n  - ')}`,
    );
}
