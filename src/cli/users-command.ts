import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { isTesseraError } from '../errors/tessera-error.js';
import { resolveConfig } from '../server/config.js';
import { hasAccountStore, openStore } from '../server/open-store.js';
import type { CliCommand } from './command.js';
import { importUserFile, type ImportFormat, type ImportReport } from './user-import.js';

const USAGE =
  'Usage: tessera users import FILE [--dry-run] [--format csv|json] [--db PATH | --database-url URL]';
// A file this large is not a user table an import should hold in memory at once; split it.
const MAX_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Renders an import report: one line per refused row (number, reason, why; never a hash or an email),
 * then the totals.
 *
 * @example
 * ```ts
 * process.stdout.write(renderImportReport(report, { dryRun: true }));
 * ```
 */
export function renderImportReport(report: ImportReport, options: { dryRun: boolean }): string {
  const lines = report.refusals.map(
    (refusal) => `row ${refusal.row}: ${refusal.reason} (${refusal.detail})`,
  );
  const schemes = Object.entries(report.schemes)
    .map(([scheme, count]) => `${scheme} ${count}`)
    .join(', ');
  const accepted = report.rows - new Set(report.refusals.map((refusal) => refusal.row)).size;
  if (report.refusals.length > 0)
    lines.push(
      `${report.refusals.length} problem(s) in ${report.rows} row(s); nothing was imported. Fix the rows above and run it again.`,
    );
  else if (options.dryRun)
    lines.push(`Dry run: all ${report.rows} row(s) would be imported (${schemes || 'none'}).`);
  else lines.push(`Imported ${report.imported} user(s) (${schemes || 'none'}).`);
  if (report.refusals.length > 0 && accepted > 0)
    lines.push(`${accepted} row(s) had no problem (${schemes || 'none'}).`);
  return `${lines.join('\n')}\n`;
}

/**
 * `tessera users import FILE`: imports an old app's users with their password hashes (bcrypt, scrypt,
 * PBKDF2; see the README's "Importing users") in one transaction, or none of them.
 *
 * @example
 * ```sh
 * npx tessera users import users.csv --dry-run
 * ```
 */
export const command: CliCommand = {
  summary: "import another app's users with their bcrypt, scrypt or PBKDF2 password hashes",
  async run(args) {
    let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
    try {
      parsed = parseArgs({
        args: [...args],
        allowPositionals: true,
        options: {
          'dry-run': { type: 'boolean', default: false },
          format: { type: 'string' },
          db: { type: 'string' },
          'database-url': { type: 'string' },
        },
      });
    } catch {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    const [action, file, ...extra] = parsed.positionals;
    const { values } = parsed;
    const format =
      values.format ??
      (file !== undefined && extname(file).toLowerCase() === '.json' ? 'json' : 'csv');
    if (action !== 'import' || file === undefined || extra.length > 0 || !isFormat(format)) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    try {
      if ((await stat(file)).size > MAX_FILE_BYTES) {
        process.stderr.write(`tessera users: ${file} is over 256 MiB; import it in parts.\n`);
        return 1;
      }
      const text = await readFile(file, 'utf8');
      const flags = { db: values.db, 'database-url': values['database-url'] };
      const config = await resolveConfig({ flags, env: process.env, cwd: process.cwd() });
      const store = await openStore({ databaseUrl: config['database-url'], sqlitePath: config.db });
      try {
        if (!hasAccountStore(store)) {
          process.stderr.write('tessera users: this store keeps no accounts.\n');
          return 1;
        }
        const dryRun = values['dry-run'] === true;
        const report = await importUserFile(store, text, { format, dryRun, now: Date.now() });
        process.stdout.write(renderImportReport(report, { dryRun }));
        return report.refusals.length > 0 ? 1 : 0;
      } finally {
        await store.close();
      }
    } catch (error) {
      if (isTesseraError(error) || (error instanceof Error && 'code' in error)) {
        process.stderr.write(`tessera users: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  },
};

function isFormat(value: unknown): value is ImportFormat {
  return value === 'csv' || value === 'json';
}
