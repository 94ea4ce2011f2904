// A real Tessera server for HTTP tests: a fresh SQLite file in a temp dir, a clock five hours ahead of the
// wall clock (so a Date header or timestamp that came from the wall clock instead of the server's clock
// shows), mail captured instead of sent, and a silent logger. Mail leaves through the server's outbox
// worker, off the request path; so that suites can read a reset token right after asking for it, the
// handler here drains the outbox before it hands back the answer to a signup, login or reset request.
import type { DeliveredMail } from '../../../src/server/mailer.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { resolveConfig } from '../../../src/server/config.js';
import {
  createTesseraServer,
  type CreateServerOptions,
  type TesseraServer,
} from '../../../src/server/create-server.js';
import { hasAccountStore } from '../../../src/server/open-store.js';

export const ISSUER = 'https://auth.test';
export const AUDIENCE = 'api';
export const APP_ORIGIN = 'https://app.test';
export const EVIL_ORIGIN = 'https://evil.test';
export const CLOCK_OFFSET_MS = 5 * 3600_000;

export interface TestServer {
  readonly server: TesseraServer;
  /** The SQLite file, for a second node on the same database. */
  readonly dbPath: string;
  readonly now: () => number;
  /** Stops the server's clock at `ms` (undefined: runs again, five hours ahead of the wall clock). */
  setClock(ms: number | undefined): void;
  /** Reset tokens delivered so far, newest last. */
  readonly resetTokens: { email: string; token: string; expiresAt: number }[];
  /** Every mail delivered so far (reset, verify, account-exists), newest last. */
  readonly mails: DeliveredMail[];
  /** Removes the temp dir; call after the server is closed. */
  cleanup(): void;
}

/** Starts a server with trust-proxy on (tests pick client addresses with X-Forwarded-For). */
export async function createTestServer(
  flags: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = {},
  extra: Pick<CreateServerOptions, 'legacy' | 'logger'> = {},
): Promise<TestServer> {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-http-'));
  const dbPath = typeof flags.db === 'string' ? flags.db : join(directory, 'tessera.db');
  const config = await resolveConfig({
    flags: {
      db: dbPath,
      issuer: ISSUER,
      audience: AUDIENCE,
      'allowed-origins': APP_ORIGIN,
      'trust-proxy': 'true',
      'access-ttl': '120s',
      'refresh-grace': '5s',
      ...flags,
    },
    env,
    cwd: directory,
  });
  let frozen: number | undefined;
  const now = (): number => frozen ?? Date.now() + CLOCK_OFFSET_MS;
  const resetTokens: TestServer['resetTokens'] = [];
  const mails: DeliveredMail[] = [];
  const started = await createTesseraServer({
    config,
    now,
    logger: pino({ level: 'silent' }),
    deliverMail: (mail) => {
      mails.push(mail);
      if (mail.kind === 'reset' && mail.token !== undefined && mail.expiresAt !== undefined)
        resetTokens.push({ email: mail.to, token: mail.token, expiresAt: mail.expiresAt });
    },
    ...extra,
  });
  const drained = /^\/auth\/(signup|login|password-reset)$/;
  const server: TesseraServer = {
    ...started,
    handler: {
      handles: (pathname) => started.handler.handles(pathname),
      async fetch(request, info) {
        const response = await started.handler.fetch(request, info);
        if (drained.test(new URL(request.url).pathname)) await started.mail?.drain();
        return response;
      },
    },
  };
  if (!hasAccountStore(server.store))
    throw new Error('the store has no accounts: signup and login would answer 404');
  const setClock = (ms: number | undefined): void => {
    frozen = ms;
  };
  return {
    server,
    dbPath,
    now,
    setClock,
    resetTokens,
    mails,
    cleanup: () => rmSync(directory, { recursive: true, force: true }),
  };
}

let counter = 0;

/** A client address no other test uses, so per-IP rate limits never couple tests. */
export function freshIp(): string {
  counter++;
  return `10.${(process.pid >> 8) & 255}.${(counter >> 8) & 255}.${counter & 255}`;
}

/** An email no other test uses. */
export function freshEmail(label = 'user'): string {
  counter++;
  return `${label}-${process.pid}-${counter}@example.test`;
}

/** The value of the refresh cookie in a response's Set-Cookie, or undefined. */
export function refreshCookieOf(response: Response): string | undefined {
  for (const line of response.headers.getSetCookie()) {
    const match = /^__Secure-tessera_rt=([^;]*)/.exec(line);
    if (match !== null) return match[1];
  }
  return undefined;
}
