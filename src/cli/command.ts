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
  /** Runs the command with the arguments after its name; resolves to the process exit code. */
  run(args: readonly string[]): Promise<number>;
}
