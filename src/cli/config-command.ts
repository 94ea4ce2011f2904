import { parseArgs } from 'node:util';
import { isTesseraError } from '../errors/tessera-error.js';
import { resolveConfig } from '../server/config.js';
import { redactSmtpUrl } from '../server/mailer.js';
import type { CliCommand } from './command.js';
import { expandSwitches, SETTING_FLAGS } from './serve-command.js';

/**
 * `tessera config`: prints the effective configuration and where each setting came from.
 *
 * @example
 * ```sh
 * npx tessera config --access-ttl 5m
 * ```
 */
export const command: CliCommand = {
  summary: 'print the effective configuration (flags > environment > tessera.config > defaults)',
  async run(args) {
    try {
      const flags = parseArgs({
        args: expandSwitches(args),
        options: {
          ...SETTING_FLAGS,
          production: { type: 'boolean' },
          'trust-proxy': { type: 'boolean' },
        },
      }).values;
      const { keySecret, keySecretPrevious, sources, ...config } = await resolveConfig({
        flags,
        env: process.env,
        cwd: process.cwd(),
      });
      const shown = {
        ...config,
        'database-url': config['database-url']?.replace(/\/\/[^@/]*@/, '//***@'),
        'smtp-url': redactSmtpUrl(config['smtp-url']),
        keySecret: keySecret === undefined ? 'unset' : 'set',
        ...(keySecretPrevious === undefined ? {} : { keySecretPrevious: 'set' }),
        sources,
      };
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
      return 0;
    } catch (error) {
      process.stderr.write(
        `tessera config: ${isTesseraError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error)}\n`,
      );
      return 1;
    }
  },
};
