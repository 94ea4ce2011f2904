// A real Tessera for the email suites: SQLite (a temp file) or PostgreSQL (a scratch database), SMTP to
// a real listener on 127.0.0.1, links from https://app.test/account, a clock the test steps instead of
// sleeping, every log line captured as JSON, and every store call recorded (name and argument shape).
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { pino } from 'pino';
import { listen } from '../../../src/adapters/node.js';
import { resolveConfig } from '../../../src/server/config.js';
import {
  createTesseraServer,
  type CreateServerOptions,
  type TesseraServer,
} from '../../../src/server/create-server.js';
import { createClient, type Client } from '../../http/support/client.js';
import {
  createScratchDatabase,
  type ScratchDatabase,
} from '../../http/support/scratch-database.js';
import { SMTP_PASSWORD, SMTP_USER } from './smtp-listener.js';

export type StoreKind = 'sqlite' | 'postgres';
export const PUBLIC_URL = 'https://app.test/account';
export const APP_ORIGIN = 'https://app.test';

/** A store call as the test sees it: the method and the shape of each argument, never the values. */
export interface StoreCall {
  readonly method: string;
  readonly shape: string;
}

export interface MailStack {
  readonly server: TesseraServer;
  readonly client: Client;
  readonly baseUrl: string;
  readonly now: () => number;
  /** Moves the server's clock forward. */
  advance(ms: number): void;
  /** Every log line the server wrote, parsed. */
  logs(): Record<string, unknown>[];
  /** The raw log text, for grepping. */
  logText(): string;
  /** Every row of a table, read over a connection of the test's own. */
  rows(table: string): Promise<Record<string, unknown>[]>;
  /** Records the store calls made while `run` runs. */
  recordStoreCalls<T>(run: () => Promise<T>): Promise<{ result: T; calls: StoreCall[] }>;
  close(): Promise<void>;
}

function shapeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(shapeOf).join(',')}]`;
  if (typeof value === 'object')
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => `${key}:${shapeOf(inner)}`)
      .sort()
      .join(',')}}`;
  return typeof value;
}

/** Starts the stack; `smtpPort` is where the SMTP listener is (or will be). */
export async function startMailStack(options: {
  kind: StoreKind;
  smtpPort: number;
  flags?: Record<string, string>;
  serverOptions?: Partial<CreateServerOptions>;
}): Promise<MailStack> {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-email-'));
  let database: ScratchDatabase | undefined;
  if (options.kind === 'postgres') database = await createScratchDatabase('email');
  const dbPath = join(directory, 'tessera.db');
  const pool =
    database === undefined ? undefined : new pg.Pool({ connectionString: database.url, max: 1 });
  // Dropping the scratch database terminates any connection still closing; that is the end, not an error.
  pool?.on('error', () => undefined);
  const config = await resolveConfig({
    flags: {
      db: dbPath,
      ...(database === undefined ? {} : { 'database-url': database.url }),
      issuer: 'https://auth.test',
      audience: 'api',
      'allowed-origins': APP_ORIGIN,
      'trust-proxy': 'true',
      'smtp-url': `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${options.smtpPort}`,
      'public-url': PUBLIC_URL,
      'mail-from': 'Tessera Test <auth@app.test>',
      ...options.flags,
    },
    env: {},
    cwd: directory,
  });
  let offset = 3 * 3600_000;
  const now = (): number => Date.now() + offset;
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  const server = await createTesseraServer({ config, now, logger, ...options.serverOptions });
  let recording: StoreCall[] | undefined;
  const store = server.store as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(store)) {
    if (typeof value !== 'function') continue;
    const original = value as (...args: unknown[]) => unknown;
    store[name] = (...args: unknown[]): unknown => {
      recording?.push({ method: name, shape: args.map(shapeOf).join(' ') });
      return original(...args);
    };
  }
  const started = await listen(server.handler, { port: 0, host: '127.0.0.1' });
  const http: Server = started.server;
  const baseUrl = `http://127.0.0.1:${started.port}`;
  return {
    server,
    client: createClient(baseUrl, now),
    baseUrl,
    now,
    advance(ms) {
      offset += ms;
    },
    logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    async rows(table) {
      if (!/^[a-z_]+$/.test(table)) throw new Error('table name');
      if (pool !== undefined) return (await pool.query(`SELECT * FROM ${table}`)).rows;
      const db = new Database(dbPath, { readonly: true });
      try {
        return db.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
      } finally {
        db.close();
      }
    },
    logText: () => lines.join(''),
    async recordStoreCalls(run) {
      recording = [];
      try {
        const result = await run();
        return { result, calls: recording };
      } finally {
        recording = undefined;
      }
    },
    async close() {
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await server.close();
      await pool?.end();
      await database?.drop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Every row of every table that could hold a secret, as one text (to grep for tokens at rest). */
export async function dumpStore(stack: MailStack): Promise<string> {
  const tables = [
    'users',
    'one_time_tokens',
    'mail_outbox',
    'events',
    'sessions',
    'refresh_tokens',
  ];
  const out: unknown[] = [];
  for (const table of tables) out.push(await stack.rows(table));
  return JSON.stringify(out);
}
