import { parseArgs } from 'node:util';
import { isTesseraError } from '../errors/tessera-error.js';
import { resolveConfig } from '../server/config.js';
import { usageError, type CliCommand } from './command.js';
import { expandSwitches, SETTING_FLAGS, settingsHelp } from './serve-command.js';

const USAGE = `Usage: tessera config [--setting value ...]

Prints the configuration \`tessera serve\` would run with, as JSON, and where each value came from
(flag > environment > tessera.config.{json,js,mjs} > default). Secrets show as set or unset.

Settings:
${settingsHelp()}`;
import { redactSmtpUrl } from '../server/mailer.js';

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
  usage: USAGE,
  async run(args) {
    let flags: Record<string, unknown>;
    try {
      flags = parseArgs({
        args: expandSwitches(args),
        options: {
          ...SETTING_FLAGS,
          production: { type: 'boolean' },
          'trust-proxy': { type: 'boolean' },
        },
      }).values;
    } catch (error) {
      return usageError('config', (error as Error).message);
    }
    try {
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
