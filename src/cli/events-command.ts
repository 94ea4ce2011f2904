import { parseArgs } from 'node:util';
import { formatInstant } from '../errors/explain.js';
import { isTesseraError } from '../errors/tessera-error.js';
import { resolveConfig } from '../server/config.js';
import { hasAccountStore, openStore } from '../server/open-store.js';
import type { AuditEvent } from '../store/session-store.js';
import { AUDIT_EVENT_WORDS, isAuditEventType } from '../store/vocabulary.js';
import { usageError, type CliCommand } from './command.js';

const USAGE = `Usage: tessera events (--user EMAIL | --user-id ID | --session ID) [--limit N] [--json] [--db PATH | --database-url URL]

Prints a user's or a session's audit events (logins, refreshes, grace answers, reuse, logouts,
revocations) from the server's store as a timeline, oldest first.

  --user EMAIL        the account with this email      --user-id ID   or this user id
  --session ID        one session's events
  --limit N           the newest N events (default 100)
  --json              the events as JSON instead of the timeline
  --db PATH           the SQLite file (default ./tessera.db)   --database-url URL   or PostgreSQL`;

/**
 * Renders audit events as a timeline, oldest first.
 *
 * @example
 * ```ts
 * process.stdout.write(renderTimeline(events));
 * ```
 */
export function renderTimeline(events: readonly AuditEvent[]): string {
  const lines = [...events].reverse().map((event) => {
    const session = event.sessionId === null ? '' : ` session ${event.sessionId.slice(0, 8)}`;
    const ip = event.ip === null ? '' : ` from ${event.ip}`;
    const detail = event.detail === '{}' ? '' : `  ${event.detail}`;
    return `${formatInstant(Math.floor(event.at / 1000))}  ${event.type.padEnd(22)} ${isAuditEventType(event.type) ? AUDIT_EVENT_WORDS[event.type] : ''}${session}${ip}${detail}`;
  });
  return lines.length === 0 ? 'No events.\n' : `${lines.join('\n')}\n`;
}

/**
 * `tessera events --user EMAIL`: a user's audit events as a readable timeline.
 *
 * @example
 * ```sh
 * npx tessera events --user a@example.com
 * ```
 */
export const command: CliCommand = {
  summary:
    "show a user's audit events (logins, refreshes, grace answers, reuse, logouts) as a timeline",
  usage: USAGE,
  async run(args) {
    let values: Record<string, string | boolean | undefined>;
    try {
      values = parseArgs({
        args: [...args],
        options: {
          user: { type: 'string' },
          'user-id': { type: 'string' },
          session: { type: 'string' },
          limit: { type: 'string', default: '100' },
          json: { type: 'boolean', default: false },
          db: { type: 'string' },
          'database-url': { type: 'string' },
        },
      }).values;
    } catch (error) {
      return usageError('events', (error as Error).message);
    }
    const limit = Number(values.limit);
    if (
      (values.user === undefined &&
        values['user-id'] === undefined &&
        values.session === undefined) ||
      !Number.isInteger(limit) ||
      limit <= 0
    ) {
      return usageError(
        'events',
        'give --user EMAIL, --user-id ID or --session ID (and --limit N > 0)',
      );
    }
    try {
      const flags = { db: values.db, 'database-url': values['database-url'] };
      const config = await resolveConfig({ flags, env: process.env, cwd: process.cwd() });
      const store = await openStore({
        databaseUrl: config['database-url'],
        sqlitePath: config.db,
        open: 'existing',
      });
      try {
        let userId = typeof values['user-id'] === 'string' ? values['user-id'] : undefined;
        if (typeof values.user === 'string') {
          const user = hasAccountStore(store)
            ? await store.findUserByEmail(values.user.trim().toLowerCase())
            : undefined;
          if (user === undefined) {
            process.stderr.write(
              `tessera events: no account with email ${JSON.stringify(values.user)}.\n`,
            );
            return 1;
          }
          userId = user.id;
        }
        const events = await store.listEvents({
          ...(userId === undefined ? {} : { userId }),
          ...(typeof values.session === 'string' ? { sessionId: values.session } : {}),
          limit,
        });
        process.stdout.write(
          values.json === true ? `${JSON.stringify(events)}\n` : renderTimeline(events),
        );
        return 0;
      } finally {
        await store.close();
      }
    } catch (error) {
      if (!isTesseraError(error)) throw error;
      process.stderr.write(`tessera events: ${error.code}: ${error.message}\n`);
      return 1;
    }
  },
};
