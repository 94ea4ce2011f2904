// `tessera serve` says at start whether the demo page and open sign-up are on, and how to change that;
// in production both are off unless `--demo` / `--signup` are passed (bare, as switches).
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(process.cwd(), 'bin/tessera.js');
const PRODUCTION = [
  '--production',
  '--issuer',
  'https://auth.example.com',
  '--audience',
  'api',
  '--allowed-origins',
  'https://app.example.com',
];

async function start(
  args: readonly string[],
): Promise<{ url: string; output: string; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--db', join(dir, 'tessera.db'), '--port', '0', '--host', '127.0.0.1', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        TESSERA_LOG_LEVEL: 'info',
        TESSERA_KEY_SECRET: randomBytes(32).toString('base64url'),
      },
    },
  );
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const { url, output } = await new Promise<{ url: string; output: string }>(
    (resolvePromise, reject) => {
      let seen = '';
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const port = /"port":(\d+)/.exec(seen)?.[1];
        if (port !== undefined && seen.includes('open sign-up'))
          resolvePromise({ url: `http://127.0.0.1:${port}`, output: seen });
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${errors}`)));
    },
  );
  return { url, output, stop: () => child.kill('SIGTERM') };
}

describe('tessera serve: demo and open sign-up', () => {
  it('in production starts with both off, says how to enable them, and serves no page at /', async () => {
    const server = await start(PRODUCTION);
    try {
      expect(server.output).toContain(
        'demo page off (enable with --demo), open sign-up off (enable with --signup)',
      );
      expect(server.output).toMatch(/"demo":false,"signup":false/);
      expect((await fetch(`${server.url}/`)).status).toBe(404);
    } finally {
      server.stop();
    }
  });

  it('in production with the bare --demo and --signup switches serves the page and says so', async () => {
    const server = await start([...PRODUCTION, '--demo', '--signup']);
    try {
      expect(server.output).toContain('demo page on at / (turn off with --demo false)');
      expect(server.output).toContain('open sign-up on (turn off with --signup false)');
      expect((await fetch(`${server.url}/`)).status).toBe(200);
    } finally {
      server.stop();
    }
  });

  it('in development (npm start) keeps the demo page and open sign-up on', async () => {
    const server = await start([]);
    try {
      expect(server.output).toContain('demo page on at /');
      const home = await fetch(`${server.url}/`);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('Tessera demo');
    } finally {
      server.stop();
    }
  });
});
