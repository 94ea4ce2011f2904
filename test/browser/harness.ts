// Runs the real server (compiled, from dist, as `npm start` does) and Debian's Chromium for the browser proofs.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
const ROOT = new URL('../../', import.meta.url).pathname;

export interface LogLine {
  readonly msg?: string;
  readonly method?: string;
  readonly path?: string;
  readonly status?: number;
  readonly code?: string;
  readonly time: number;
}

export interface RunningServer {
  readonly url: string;
  readonly logs: LogLine[];
  /** Requests the server answered, by `METHOD path`, optionally with a status. */
  count(route: string, status?: number): number;
  /** Waits until every request answered so far is in `logs` (the log arrives through a pipe). */
  sync(): Promise<void>;
  stop(): Promise<void>;
  /** Stops and starts again on the same port, database and key secret; `flags` override the start's for this run. */
  restart(flags?: Record<string, string>): Promise<void>;
  cleanup(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        resolve(typeof address === 'object' && address !== null ? address.port : 0),
      );
    });
  });
}

/**
 * Starts `tessera serve` with short lifetimes (flags override), its JSON log collected line by line.
 * `{port}` in a flag's value is the port the server gets (for `--allowed-origins`).
 */
export async function startServer(flags: Record<string, string> = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-browser-'));
  const port = await freePort();
  const argsWith = (overrides: Record<string, string>): Record<string, string> =>
    Object.fromEntries(
      Object.entries({
        'access-ttl': '4s',
        leeway: '0',
        'refresh-grace': '5s',
        ...flags,
        ...overrides,
        port: String(port),
        db: join(dir, 'tessera.db'),
      }).map(([name, value]) => [name, value.replaceAll('{port}', String(port))]),
    );
  const logs: LogLine[] = [];
  let child: ChildProcess | undefined;
  const start = async (args = argsWith({})): Promise<void> => {
    const proc = spawn(
      process.execPath,
      [
        join(ROOT, 'bin/tessera.js'),
        'serve',
        ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, v]),
      ],
      {
        cwd: dir,
        env: {
          ...process.env,
          TESSERA_KEY_SECRET: 'browser-test-secret-0123456789abcdef',
          TESSERA_LOG_LEVEL: 'info',
          NODE_ENV: 'development',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = proc;
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      proc.once('exit', (code) =>
        reject(new Error(`tessera serve exited with ${String(code)}: ${stderr.slice(0, 2000)}`)),
      );
      proc.stdout?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          try {
            const parsed = JSON.parse(line) as LogLine;
            logs.push(parsed);
            if (parsed.msg?.startsWith('Tessera listening')) resolve();
          } catch {
            // not a log line
          }
        }
      });
    });
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    if (proc === undefined || proc.exitCode !== null) return;
    proc.removeAllListeners('exit');
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  };
  await start();
  return {
    url: `http://localhost:${port}`,
    logs,
    count: (route, status) =>
      logs.filter(
        (line) =>
          line.msg === 'request' &&
          `${line.method} ${line.path}` === route &&
          (status === undefined || line.status === status),
      ).length,
    async sync() {
      const seen = () =>
        logs.filter((line) => line.msg === 'request' && line.path === '/healthz').length;
      const before = seen();
      await fetch(`http://127.0.0.1:${port}/healthz`);
      for (let i = 0; i < 200 && seen() === before; i++) await sleep(10);
    },
    stop,
    async restart(overrides = {}) {
      await stop();
      await start(argsWith(overrides));
    },
    async cleanup() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Launches Debian's Chromium. Missing Chromium is a failure, never a skip: `apt-get install chromium`. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: the browser proofs need Debian's Chromium (apt-get install -y chromium; .ci/run installs it).`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export type DemoWindow = Window & {
  tessera: {
    client: import('../../src/client/types.js').AuthClient;
    log: Record<string, unknown>[];
  };
};

/** Opens the demo page in a new tab and waits until its client has settled (restored or signed out). */
export async function openTab(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => {
    const status = (window as unknown as DemoWindow).tessera?.client.getState().status;
    return status === 'signed-in' || status === 'signed-out';
  });
  return page;
}

let users = 0;
/** Signs up a fresh user through the page's form. */
export async function signUp(page: Page): Promise<string> {
  const email = `user${Date.now()}-${++users}@example.com`;
  await page.fill('#email', email);
  await page.fill('#password', 'correct horse battery');
  await page.click('#signup');
  await page.waitForFunction(
    () => (window as unknown as DemoWindow).tessera.client.getState().status === 'signed-in',
  );
  return email;
}

/** Calls the protected API from the page through the client; returns the status. */
export async function callApi(page: Page): Promise<number> {
  return page.evaluate(
    async () =>
      (await (window as unknown as DemoWindow).tessera.client.fetch('/demo/api/hello')).status,
  );
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** A running server and a browser shared by one test file. */
export interface BrowserSuite {
  readonly server: RunningServer;
  /** Each test awaits the launch, so a missing Chromium fails every test with the reason (a failed hook would only mark them skipped). */
  browser(): Promise<Browser>;
}

/** Starts the server with these flags and launches Chromium before the file's tests; closes both after. */
export function useBrowserSuite(flags: Record<string, string>): BrowserSuite {
  let server: RunningServer | undefined;
  let browserReady: Promise<Browser> | undefined;
  beforeAll(async () => {
    server = await startServer(flags);
    browserReady = launchBrowser();
    browserReady.catch(() => undefined);
  });
  afterAll(async () => {
    await browserReady?.then(
      (browser) => browser.close(),
      () => undefined,
    );
    await server?.cleanup();
  });
  return {
    get server(): RunningServer {
      if (server === undefined) throw new Error('the test server did not start');
      return server;
    },
    browser: () => browserReady ?? Promise.reject(new Error('the browser was not launched')),
  };
}

/** The demo client's state in a page. */
export const clientState = (page: Page) =>
  page.evaluate(() => (window as unknown as DemoWindow).tessera.client.getState());
/** The loggedOut events the demo page recorded. */
export const loggedOutEvents = async (page: Page) =>
  (await page.evaluate(() => (window as unknown as DemoWindow).tessera.log)).filter(
    (entry) => entry.type === 'loggedOut',
  );
