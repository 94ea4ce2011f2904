import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { POSTGRES_URL } from '../support/scratch.js';

// A pgbouncer of the test's own, in transaction mode, in front of the test PostgreSQL: a temp
// directory, a free port, auth_type trust. Debian installs the binary in /usr/sbin, often not on
// PATH. No binary is a failure, never a skip: `.ci/run` installs Debian's pgbouncer.

const CANDIDATES = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer'];

/** The pgbouncer binary; throws (the test fails) when none is installed. */
export function pgbouncerBinary(): string {
  const onPath = spawnSync('sh', ['-c', 'command -v pgbouncer'], {
    encoding: 'utf8',
  }).stdout.trim();
  const found = [onPath, ...CANDIDATES].find((path) => path !== '' && existsSync(path));
  if (found === undefined)
    throw new Error('pgbouncer is not installed: apt-get install -y pgbouncer (.ci/run does this)');
  return found;
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** One running pgbouncer. */
export interface Pgbouncer {
  /** `postgres://user@127.0.0.1:port/database` through the pooler. */
  url(database?: string): string;
  stop(): Promise<void>;
}

/**
 * Starts pgbouncer in transaction mode; every database name maps to the same name on the test server.
 *
 * @example
 * ```ts
 * const bouncer = await startPgbouncer({ poolSize: 4 });
 * const pool = new pg.Pool({ connectionString: bouncer.url() });
 * ```
 */
export async function startPgbouncer(options: { poolSize?: number } = {}): Promise<Pgbouncer> {
  const binary = pgbouncerBinary();
  const target = new URL(POSTGRES_URL);
  const user = decodeURIComponent(target.username || 'postgres');
  const database = target.pathname.slice(1) || 'test';
  const directory = mkdtempSync(join(tmpdir(), 'tessera-pgbouncer-'));
  // pgbouncer refuses to run as root; as root it switches to the `user` below and must read its files.
  chmodSync(directory, 0o755);
  const port = await freePort();
  const config = join(directory, 'pgbouncer.ini');
  writeFileSync(join(directory, 'users.txt'), `"${user}" ""\n`, { mode: 0o644 });
  writeFileSync(
    config,
    [
      '[databases]',
      `* = host=${target.hostname} port=${target.port || '5432'}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(directory, 'users.txt')}`,
      'pool_mode = transaction',
      'max_client_conn = 400',
      `default_pool_size = ${options.poolSize ?? 8}`,
      'ignore_startup_parameters = extra_float_digits,options',
      ...(process.getuid?.() === 0 ? ['user = postgres'] : []),
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const child: ChildProcess = spawn(binary, [config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4096)));
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4096)));
  const url = (name = database): string => `postgres://${user}@127.0.0.1:${port}/${name}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    }
    rmSync(directory, { recursive: true, force: true });
  };
  // Ready when a query answers through it (pgbouncer logs "listening" before it accepts, but close).
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`pgbouncer exited ${child.exitCode}: ${log}`);
    }
    const client = new pg.Client({ connectionString: url(), connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`pgbouncer did not answer in 20 s: ${log}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { url, stop };
}
