// Builds the fixture app of test/next/app with `next build` and runs it with `next start`, as a user's
// app runs. The app is copied to a temp dir whose node_modules holds `tessera-auth` as npm installs it
// (package.json and dist/, built by the global setup, copied, so it resolves inside node_modules as
// Next expects of a package) and links to the repo's other packages (`next`, `react`, ...): a link
// inside the repo would make every tool that walks test/ walk the repo again through it.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURE = join(ROOT, 'test/next/app');
const NEXT_BIN = join(ROOT, 'node_modules/next/dist/bin/next');
const run = promisify(execFile);

/** The app's environment: no telemetry, and Tessera configured as a production deployment would be. */
function appEnv(port: number, dir: string): NodeJS.ProcessEnv {
  const origin = `http://localhost:${port}`;
  return {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: '1',
    TESSERA_ISSUER: origin,
    TESSERA_AUDIENCE: 'next-fixture',
    TESSERA_ALLOWED_ORIGINS: origin,
    TESSERA_KEY_SECRET: randomBytes(32).toString('base64url'),
    TESSERA_DB: join(dir, 'tessera.db'),
    // Seconds-long access tokens, so expiry happens within the test; no leeway to blur it.
    TESSERA_ACCESS_TTL: '4s',
    TESSERA_LEEWAY: '0',
    TESSERA_SIGNUP: 'true',
    TESSERA_LOG_LEVEL: 'warn',
  };
}

/** A built copy of the fixture app. */
export interface BuiltApp {
  readonly dir: string;
  /** Wall time of `next build`, for the report. */
  readonly buildMs: number;
  remove(): void;
}

/**
 * Copies the fixture to a temp dir and runs `next build` there (webpack: Turbopack refuses packages
 * reached through symlinks out of its root, which is how this copy and a git worktree reach them).
 */
export async function buildApp(): Promise<BuiltApp> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-next-app-'));
  cpSync(FIXTURE, dir, {
    recursive: true,
    filter: (source) => !/[/\\](?:node_modules|\.next)(?:[/\\]|$)/.test(source),
  });
  mkdirSync(join(dir, 'node_modules/tessera-auth'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'node_modules/tessera-auth/package.json'));
  cpSync(join(ROOT, 'dist'), join(dir, 'node_modules/tessera-auth/dist'), { recursive: true });
  // Every other package of the repo's, as an app that installed tessera-auth has them: Next keeps a
  // server package external (argon2's binary, the SQLite driver) only when it resolves from the app's root.
  for (const name of readdirSync(join(ROOT, 'node_modules')))
    if (!name.startsWith('.') && name !== 'tessera-auth')
      symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
  const started = Date.now();
  try {
    await run(process.execPath, [NEXT_BIN, 'build', '--webpack'], {
      cwd: dir,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', TESSERA_REPO_ROOT: ROOT },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    buildMs: Date.now() - started,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
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

/** A running `next start`. */
export interface RunningApp {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Starts the built app on a free port, with its own database; resolves when it answers. */
export async function startApp(built: BuiltApp): Promise<RunningApp> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tessera-next-'));
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [NEXT_BIN, 'start', '-p', String(port), '-H', 'localhost'],
    { cwd: built.dir, env: appEnv(port, dir), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://localhost:${port}`;
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`next start exited with ${String(code)}: ${output.slice(0, 2000)}`)),
    );
    const poll = (): void => {
      fetch(`${url}/`).then(
        () => resolve(),
        () => setTimeout(poll, 200),
      );
    };
    poll();
  });
  child.removeAllListeners('exit');
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
