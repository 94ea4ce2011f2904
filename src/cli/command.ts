/**
 * The contract between the `tessera` entry point and its commands, in a module of its own: commands
 * implement it without importing main.ts, which loads them.
 */

/**
 * What every command module exports as `command`.
 *
 * @example
 * ```ts
 * export const command: CliCommand = {
 *   summary: 'print the version',
 *   usage: 'Usage: tessera version\n\nPrints the version of tessera-auth.',
 *   async run() {
 *     process.stdout.write('0.1.0\n');
 *     return 0;
 *   },
 * };
 * ```
 */
export interface CliCommand {
  /** One line for `tessera help`. */
  readonly summary: string;
  /**
   * The whole help text: `tessera <command> --help`, `-h` and `tessera help <command>` print it,
   * exit 0. Optional so that a new command compiles before it has one; main.ts then prints the
   * summary and says the command has no detailed help.
   */
  readonly usage?: string;
  /** Runs the command with the arguments after its name; resolves to the process exit code. */
  run(args: readonly string[]): Promise<number>;
}

/**
 * Reports bad usage the one way every command does: what was wrong, where the help is, exit code 2.
 *
 * @example
 * ```ts
 * return usageError('keys', 'unknown option --algo');
 * ```
 */
export function usageError(name: string, problem: string): number {
  // node:util parseArgs appends advice on positionals that start with "-"; the help says enough.
  const said = problem.replace(/\. To specify a positional argument[\s\S]*$/, '');
  process.stderr.write(`tessera ${name}: ${said}\nRun "tessera ${name} --help" for usage.\n`);
  return 2;
}
