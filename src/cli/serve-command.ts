import { parseArgs } from 'node:util';
import { listen } from '../adapters/node.js';
import { isTesseraError } from '../errors/tessera-error.js';
import { resolveConfig, SETTINGS } from '../server/config.js';
import { createTesseraServer } from '../server/create-server.js';
import { renderHomePage } from '../server/home-page.js';
import { usageError, type CliCommand } from './command.js';

/**
 * Flag definitions shared by `serve` and `config`: every setting takes a value (booleans as true/false).
 *
 * @example
 * ```ts
 * parseArgs({ args, options: SETTING_FLAGS });
 * ```
 */
export const SETTING_FLAGS = Object.fromEntries(
  Object.keys(SETTINGS).map((name) => [name, { type: 'string' as const }]),
);

/**
 * The settings as help lines, one per flag with what it does and its default, from the same table
 * `resolveConfig` reads, so the help cannot name a setting that does not exist.
 *
 * @example
 * ```ts
 * process.stdout.write(settingsHelp());
 * ```
 */
export function settingsHelp(): string {
  return Object.entries(SETTINGS)
    .map(([name, words]) => `  --${name.padEnd(22)} ${words}`)
    .join('\n');
}

const SERVE_USAGE = `Usage: tessera serve [--setting value ...]

Runs the auth server on http://localhost:8080 with SQLite in ./tessera.db (PostgreSQL with
--database-url). Every setting is also TESSERA_<SETTING> in the environment and a key of
tessera.config.{json,js,mjs}; precedence: flag > environment > file > default. Logs are readable on
a terminal and JSON lines otherwise (TESSERA_LOG_FORMAT=pretty|json decides; TESSERA_LOG_LEVEL).

Settings:
${settingsHelp()}`;

// Switches that read as `--demo` alone and also as `--demo false` (the form every other setting takes).
const SWITCHES = new Set(['--demo', '--signup']);
const SWITCH_VALUES = new Set(['true', 'false', '1', '0']);

/**
 * Rewrites the bare `--demo` and `--signup` switches as `--demo=true`, leaving `--demo false` and
 * `--demo=false` as they are, so that parseArgs can read them as the string settings they are.
 *
 * @example
 * ```ts
 * expandSwitches(['--production', '--demo', '--port', '80']); // ['--production', '--demo=true', '--port', '80']
 * ```
 */
export function expandSwitches(args: readonly string[]): string[] {
  return args.flatMap((arg, i) =>
    SWITCHES.has(arg) && !SWITCH_VALUES.has(args[i + 1] ?? '') ? [`${arg}=true`] : [arg],
  );
}

/**
 * The start-up line about the demo and open sign-up: which are on, and how to change that.
 *
 * @example
 * ```ts
 * exposureNotice({ demo: false, signup: false }); // 'demo page off (enable with --demo), open sign-up off (enable with --signup)'
 * ```
 */
export function exposureNotice(config: { demo: boolean; signup: boolean }): string {
  const demo = config.demo
    ? 'demo page on at / (turn off with --demo false)'
    : 'demo page off (enable with --demo)';
  const signup = config.signup
    ? 'open sign-up on (turn off with --signup false)'
    : 'open sign-up off (enable with --signup)';
  return `${demo}, ${signup}`;
}

/**
 * `tessera serve`: the auth server on http://localhost:8080, embedded SQLite by default.
 *
 * @example
 * ```sh
 * npx tessera serve --port 8080 --access-ttl 15m
 * ```
 */
export const command: CliCommand = {
  summary: 'run the auth server (SQLite by default, --database-url postgres://... for many nodes)',
  usage: SERVE_USAGE,
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
        allowPositionals: false,
      }).values;
    } catch (error) {
      return usageError('serve', error instanceof Error ? error.message : String(error));
    }
    try {
      const config = await resolveConfig({ flags, env: process.env, cwd: process.cwd() });
      const server = await createTesseraServer({
        config,
        homePage: () => renderHomePage({ issuer: config.issuer }),
      });
      const { server: http, port } = await listen(server.handler, {
        port: config.port,
        host: config.host,
      });
      server.logger.info(
        {
          port,
          host: config.host,
          issuer: config.issuer,
          audience: config.audience,
          store: config['database-url'] === undefined ? `sqlite:${config.db}` : 'postgres',
          alg: server.keyring.signingKey().alg,
          production: config.production,
          demo: config.demo,
          signup: config.signup,
        },
        `Tessera listening on http://localhost:${port}`,
      );
      server.logger.info({ demo: config.demo, signup: config.signup }, exposureNotice(config));
      if (!config.production)
        server.logger.warn(
          { issuer: config.issuer, audience: config.audience },
          'development mode: issuer and audience default to this server; set them (and --production) before deploying',
        );
      const stop = (): void => {
        http.close();
        server.close().finally(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await new Promise(() => undefined);
      return 0;
    } catch (error) {
      if (isTesseraError(error)) {
        process.stderr.write(`tessera serve: ${error.code}: ${error.message}\n`);
        return 1;
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') {
        const port = (error as { port?: number }).port;
        process.stderr.write(
          `tessera serve: port ${String(port)} ${code === 'EADDRINUSE' ? 'is already in use (another Tessera?)' : 'needs privileges'}; pass --port or set PORT.\n`,
        );
        return 1;
      }
      throw error;
    }
  },
};
