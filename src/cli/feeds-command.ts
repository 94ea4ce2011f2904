import { parseArgs } from 'node:util';
import { formatInstant } from '../errors/explain.js';
import { isTesseraError } from '../errors/tessera-error.js';
import { resolveConfig } from '../server/config.js';
import { openFeedCredentials, type FeedCredentialSummary } from '../server/feed-admin.js';
import type { CliCommand } from './command.js';

const USAGE = `Usage: tessera feeds create|revoke <name> [--db PATH | --database-url postgres://...]
       tessera feeds list [--json] [--db PATH | --database-url postgres://...]

Credentials for resource servers that follow the revocation feed (GET /auth/revocations).
"create" prints the credential once on stdout: give it to that server as TESSERA_FEED_CREDENTIAL.`;

/**
 * Renders the credentials as lines: name, state, and when each was created and revoked.
 *
 * @example
 * ```ts
 * process.stdout.write(renderFeedCredentials(await feeds.list()));
 * ```
 */
export function renderFeedCredentials(rows: readonly FeedCredentialSummary[]): string {
  if (rows.length === 0)
    return 'No feed credentials. Create one with "tessera feeds create <name>".\n';
  const width = Math.max(...rows.map((row) => row.name.length));
  return rows
    .map((row) => {
      const revoked =
        row.revokedAt === null
          ? ''
          : `  revoked ${formatInstant(Math.floor(row.revokedAt / 1000))}`;
      return `${row.name.padEnd(width)}  ${row.state.padEnd(7)}  created ${formatInstant(Math.floor(row.createdAt / 1000))}${revoked}\n`;
    })
    .join('');
}

/**
 * `tessera feeds create|list|revoke`: one revocation-feed credential per resource server. The
 * credential is printed once (stdout holds only it, so `$(tessera feeds create billing)` captures it);
 * the store keeps its id and a hash.
 *
 * @example
 * ```sh
 * npx tessera feeds create billing-api
 * ```
 */
export const command: CliCommand = {
  summary:
    'create, list or revoke the credentials resource servers follow the revocation feed with',
  async run(args) {
    if (args.includes('--help') || args.includes('-h')) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    let values: { db?: string; 'database-url'?: string; json: boolean };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args: [...args],
        allowPositionals: true,
        options: {
          db: { type: 'string' },
          'database-url': { type: 'string' },
          json: { type: 'boolean', default: false },
        },
      }));
    } catch {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    const [action, name, ...extra] = positionals;
    const named = action === 'create' || action === 'revoke';
    if (
      extra.length > 0 ||
      (!named && action !== 'list') ||
      (named && name === undefined) ||
      (action === 'list' && name !== undefined)
    ) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    const { json, ...flags } = values;
    try {
      const config = await resolveConfig({ flags, env: process.env, cwd: process.cwd() });
      const { feeds, close } = await openFeedCredentials({
        databaseUrl: config['database-url'],
        sqlitePath: config.db,
      });
      try {
        if (action === 'create') {
          const created = await feeds.create(name as string);
          process.stdout.write(`${created.value}\n`);
          process.stderr.write(
            `created feed credential "${created.name}": shown once, store it as that server's TESSERA_FEED_CREDENTIAL\n`,
          );
          return 0;
        }
        if (action === 'revoke') {
          if (!(await feeds.revoke(name as string))) {
            process.stderr.write(`tessera feeds: no live feed credential is named "${name}"\n`);
            return 1;
          }
          process.stderr.write(
            `revoked feed credential "${name}": the feed refuses it from the next request\n`,
          );
          return 0;
        }
        const rows = await feeds.list();
        process.stdout.write(json ? `${JSON.stringify(rows)}\n` : renderFeedCredentials(rows));
        return 0;
      } finally {
        await close();
      }
    } catch (error) {
      if (!isTesseraError(error)) throw error;
      process.stderr.write(`tessera feeds: ${error.code}: ${error.message}\n`);
      return 1;
    }
  },
};
