// An auth handler on an in-memory SQLite store with a capturing logger and a settable clock, for the
// tests of the set-up warnings (cross-site cookies, refused origins). Fetch-level: no port, no adapter.
import { createAccounts } from '../../../src/accounts/accounts.js';
import { createAuthHandler, type AuthHandler } from '../../../src/http/auth-handler.js';
import type { AuthHandlerOptions } from '../../../src/http/handler-options.js';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import Database from 'better-sqlite3';
import { createSessionStack, type TestClock } from '../../support/session-stack.js';

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly object: Record<string, unknown>;
  readonly message: string | undefined;
}

export interface WarningKit {
  readonly handler: AuthHandler;
  readonly clock: TestClock;
  /** Every warn and error line so far (request lines are dropped). */
  readonly logs: LogLine[];
  /** Only the warn lines whose object has this key. */
  warnings(key: string): LogLine[];
  /** Signs up a user over the body transport with no Origin (a native client), for later logins. */
  signup(email: string): Promise<void>;
}

export const PASSWORD = 'correct horse battery';

/** A handler whose server is `http://localhost:8080` (what the requests address) by default. */
export async function createWarningKit(
  options: Partial<
    Pick<AuthHandlerOptions, 'allowedOrigins' | 'cookieSameSite' | 'trustProxy'>
  > = {},
): Promise<WarningKit> {
  const store = createSqliteStore({ database: new Database(':memory:') });
  const stack = await createSessionStack({ store });
  const logs: LogLine[] = [];
  const push =
    (level: LogLine['level']) =>
    (object: object, message?: string): void =>
      void logs.push({ level, object: object as Record<string, unknown>, message });
  const handler = createAuthHandler({
    sessions: stack.sessions,
    accounts: createAccounts({ store, now: stack.clock }),
    verifyAccessToken: (token) => stack.verifier.verify(token),
    jwks: () => stack.keyring.jwks(),
    issuer: 'http://localhost:8080',
    audience: 'api',
    leewaySeconds: 60,
    accessTtlSeconds: 900,
    allowedOrigins: options.allowedOrigins ?? ['http://127.0.0.1:5173'],
    now: stack.clock,
    logger: { info: () => undefined, warn: push('warn'), error: push('error') },
    ...(options.cookieSameSite === undefined ? {} : { cookieSameSite: options.cookieSameSite }),
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
  });
  return {
    handler,
    clock: stack.clock,
    logs,
    warnings: (key) => logs.filter((line) => line.level === 'warn' && key in line.object),
    async signup(email) {
      const response = await handler.fetch(
        new Request('http://localhost:8080/auth/signup', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'token-transport': 'body' },
          body: JSON.stringify({ email, password: PASSWORD }),
        }),
      );
      if (response.status !== 201) throw new Error(`signup answered ${response.status}`);
    },
  };
}

/** A browser-style POST: JSON body, the CSRF header, and the given headers (Origin, Sec-Fetch-Site...). */
export function browserPost(url: string, headers: Record<string, string>, json?: unknown): Request {
  return new Request(url, {
    method: 'POST',
    headers: {
      'tessera-csrf': '1',
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
}
