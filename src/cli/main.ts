/**
 * The `tessera` command line. Each command lives in its own module and is loaded only when used,
 * so `tessera audit` never loads a database driver and `tessera serve` never loads ESLint.
 */
import type { CliCommand } from './command.js';

const COMMANDS: Record<string, () => Promise<{ command: CliCommand }>> = {
  serve: () => import('./serve-command.js'),
  config: () => import('./config-command.js'),
  keys: () => import('./keys-command.js'),
  events: () => import('./events-command.js'),
  feeds: () => import('./feeds-command.js'),
  audit: () => import('./audit-command.js'),
  doctor: () => import('./doctor-command.js'),
};

/**
 * Runs the CLI with the given arguments and resolves to the process exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['keys', 'list']);
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    await printHelp();
    return name === undefined ? 2 : 0;
  }
  // Own properties only: `tessera constructor` must be an unknown command, not Object.prototype's.
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (load === undefined) {
    process.stderr.write(`tessera: unknown command "${name}". Run "tessera help".\n`);
    return 2;
  }
  const { command } = await load();
  return command.run(rest);
}

async function printHelp(): Promise<void> {
  const lines = ['Usage: tessera <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const { command } = await load();
    lines.push(`  ${name.padEnd(10)} ${command.summary}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
