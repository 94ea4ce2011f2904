/**
 * The `tessera` command line. Each command lives in its own module and is loaded only when used,
 * so `tessera audit` never loads a database driver and `tessera serve` never loads ESLint.
 * Manners every command shares live here: `--help`/`-h` and `tessera help <command>` (exit 0),
 * `--version`, exit code 2 with a hint for an unknown command or option, and no stack trace ever.
 */
import { readFile } from 'node:fs/promises';
import type { CliCommand } from './command.js';

const COMMANDS: Record<string, () => Promise<{ command: CliCommand }>> = {
  serve: () => import('./serve-command.js'),
  config: () => import('./config-command.js'),
  keys: () => import('./keys-command.js'),
  events: () => import('./events-command.js'),
  feeds: () => import('./feeds-command.js'),
  audit: () => import('./audit-command.js'),
  doctor: () => import('./doctor-command.js'),
  users: () => import('./users-command.js'),
};

const HELP_FLAGS = new Set(['--help', '-h']);
const VERSION_FLAGS = new Set(['--version', '-v']);

/**
 * Runs the CLI with the given arguments and resolves to the process exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['keys', 'list']);
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (error) {
    // A failure no command anticipated still reads as one line: stacks are for TESSERA_DEBUG=1.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`tessera: ${message.split('\n')[0]?.slice(0, 500) ?? ''}\n`);
    if (process.env.TESSERA_DEBUG === '1' && error instanceof Error)
      process.stderr.write(`${error.stack ?? ''}\n`);
    return 1;
  }
}

async function dispatch(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(await generalHelp());
    return 2;
  }
  if (HELP_FLAGS.has(name)) return write(await generalHelp());
  if (VERSION_FLAGS.has(name)) return write(`${await readVersion()}\n`);
  if (name === 'help') {
    const topic = rest[0];
    if (topic === undefined) return write(await generalHelp());
    const load = lookup(topic);
    if (load === undefined) return unknownCommand(topic);
    return write(commandHelp(topic, (await load()).command));
  }
  if (name.startsWith('-')) {
    process.stderr.write(
      `tessera: unknown option "${name}". Run "tessera --help" for the commands.\n`,
    );
    return 2;
  }
  const load = lookup(name);
  if (load === undefined) return unknownCommand(name);
  const { command } = await load();
  const beforeTerminator = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (beforeTerminator.some((arg) => HELP_FLAGS.has(arg))) return write(commandHelp(name, command));
  return command.run(rest);
}

// Own properties only: `tessera constructor` must be an unknown command, not Object.prototype's.
function lookup(name: string): (() => Promise<{ command: CliCommand }>) | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

function write(text: string): number {
  process.stdout.write(text);
  return 0;
}

function unknownCommand(name: string): number {
  const near = closestCommand(name, Object.keys(COMMANDS));
  const hint = near === undefined ? '' : ` Did you mean "${near}"?`;
  process.stderr.write(`tessera: unknown command "${name}".${hint} Run "tessera help".\n`);
  return 2;
}

/**
 * What `tessera <name> --help` prints: the command's usage, or for a command without one its summary
 * under a generic usage line.
 *
 * @example
 * ```ts
 * commandHelp('keys', command); // 'Usage: tessera keys list|rotate|reseal ...'
 * ```
 */
export function commandHelp(name: string, command: CliCommand): string {
  const text =
    command.usage ??
    `Usage: tessera ${name} [options]\n\n${command.summary}.\n(This command has no detailed help yet.)`;
  return text.endsWith('\n') ? text : `${text}\n`;
}

async function generalHelp(): Promise<string> {
  const lines = ['Usage: tessera <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const { command } = await load();
    lines.push(`  ${name.padEnd(10)} ${command.summary}`);
  }
  lines.push(
    '',
    'Run "tessera help <command>" or "tessera <command> --help" for its options.',
    '"tessera --version" prints the version.',
  );
  return `${lines.join('\n')}\n`;
}

async function readVersion(): Promise<string> {
  // dist/cli/main.js and src/cli/main.ts both sit two folders below package.json.
  const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8');
  return String((JSON.parse(text) as { version?: unknown }).version);
}

/**
 * The command a mistyped name most likely meant: a prefix of it, or within two edits; else undefined.
 *
 * @example
 * ```ts
 * closestCommand('key', ['serve', 'keys']); // 'keys'
 * ```
 */
export function closestCommand(name: string, names: readonly string[]): string | undefined {
  const typed = name.toLowerCase();
  const prefixed = names.find((candidate) => candidate.startsWith(typed) && typed.length >= 2);
  if (prefixed !== undefined) return prefixed;
  let best: { name: string; distance: number } | undefined;
  for (const candidate of names) {
    const distance = editDistance(typed, candidate);
    if (distance <= 2 && (best === undefined || distance < best.distance))
      best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length] ?? 0;
}
