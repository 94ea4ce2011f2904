// Runs examples/express-prototype as its README does: each version's page bundled, its server a
// child process on one port and one data folder, the users moved over by `tessera users import`.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
export const EXAMPLE = join(ROOT, 'examples/express-prototype');

/** The app before and after adopting Tessera. */
export type Version = 'before' | 'after';

/** One start of one version of the app. */
export interface RunningApp {
  readonly version: Version;
  /** Its stdout, line by line: the JSON ones are Tessera's log (audit events among them). */
  readonly lines: string[];
  /** The audit event types Tessera logged so far, in order. */
  auditEvents(): string[];
  stop(): Promise<void>;
}

/** The deployment's secrets: the old app's two JWT secrets and Tessera's key secret. */
export const SECRETS = {
  JWT_SECRET: randomBytes(32).toString('base64url'),
  JWT_REFRESH_SECRET: randomBytes(32).toString('base64url'),
  TESSERA_KEY_SECRET: randomBytes(32).toString('base64url'),
};

const running = new Set<ChildProcess>();

/** A port nobody listens on. */
export async function freePort(): Promise<number> {
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

/** `node build.js before` and `node build.js after`: each page's public/app.js. */
export async function buildPages(): Promise<void> {
  for (const version of ['before', 'after'] as const)
    await run(process.execPath, [join(EXAMPLE, 'build.js'), version], { cwd: EXAMPLE });
}

/** Starts a version's server on `port` over `dataDir`; resolves once it listens. */
export async function startApp(
  version: Version,
  options: { port: number; dataDir: string },
): Promise<RunningApp> {
  const child = spawn(process.execPath, [join(EXAMPLE, version, 'server.js')], {
    cwd: options.dataDir,
    env: {
      ...process.env,
      ...SECRETS,
      NODE_ENV: 'development',
      PORT: String(options.port),
      DATA_DIR: options.dataDir,
      // A week from now: the old refresh tokens' lifetime after the deploy.
      LEGACY_WINDOW_ENDS: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const exited = (code: number | null): void =>
      reject(
        new Error(`${version}/server.js exited with ${String(code)}: ${stderr.slice(0, 2000)}`),
      );
    child.once('exit', exited);
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        lines.push(line);
        if (line === `listening on ${options.port}`) {
          child.off('exit', exited);
          resolve();
        }
      }
    });
  });
  return {
    version,
    lines,
    auditEvents: () =>
      lines.flatMap((line) => {
        if (!line.startsWith('{')) return [];
        const parsed = JSON.parse(line) as { msg?: string; audit?: { type?: string } };
        return parsed.msg === 'audit' && parsed.audit?.type !== undefined
          ? [parsed.audit.type]
          : [];
      }),
    stop: () => stopProcess(child),
  };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Stops every app this file started that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => stopProcess(child)));
}

/**
 * The upgrade's one-off step: `after/export-users.js` writes the old users table as CSV, and
 * `tessera users import` reads it into Tessera's store. Returns the import's report.
 */
export async function importUsers(dataDir: string): Promise<string> {
  const env = { ...process.env, DATA_DIR: dataDir };
  const exported = await run(process.execPath, [join(EXAMPLE, 'after/export-users.js')], { env });
  const file = join(dataDir, 'users.csv');
  writeFileSync(file, exported.stdout);
  const imported = await run(
    process.execPath,
    [join(ROOT, 'bin/tessera.js'), 'users', 'import', file, '--db', join(dataDir, 'tessera.db')],
    { env, cwd: dataDir },
  );
  return imported.stdout;
}

/**
 * `diff -ruN --exclude=dist before after` as the example's README shows it: no `diff` command
 * lines, no timestamps, no trailing blanks (Prettier strips them from the README).
 */
export async function exampleDiff(): Promise<string> {
  const args = ['-ruN', '--exclude=dist', 'before', 'after'];
  const output = await run('diff', args, { cwd: EXAMPLE }).then(
    () => '',
    (error: { code?: unknown; stdout?: string }) => {
      // diff exits 1 when the folders differ, 2 when it could not compare them.
      if (error.code !== 1 || error.stdout === undefined) throw error;
      return error.stdout;
    },
  );
  return output
    .split('\n')
    .filter((line) => !line.startsWith('diff '))
    .map((line) => line.replace(/^(---|\+\+\+) ([^\t]+)\t.*$/, '$1 $2').trimEnd())
    .join('\n')
    .trimEnd();
}
