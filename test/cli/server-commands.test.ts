import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = join(process.cwd(), 'bin/tessera.js');

async function startServer(
  db: string,
): Promise<{ url: string; started: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--db', db, '--port', '0', '--access-ttl', '1m'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TESSERA_LOG_LEVEL: 'info' } },
  );
  const { url, started } = await new Promise<{ url: string; started: string }>(
    (resolve, reject) => {
      let seen = '';
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /"port":(\d+)/.exec(seen);
        if (match) resolve({ url: `http://127.0.0.1:${match[1]}`, started: seen });
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
    },
  );
  return { url, started, stop: () => child.kill('SIGTERM') };
}

describe('tessera serve, keys, events and config', () => {
  it('serves on SQLite, keeps its keyring across a restart, and shows the user timeline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
    const db = join(dir, 'tessera.db');
    let server = await startServer(db);
    // A development server listens on loopback only, and says so in its start line.
    expect(server.started).toMatch(/"host":"127\.0\.0\.1"/);
    // A new keyring's first key is ES256, the algorithm every common verifier accepts.
    expect(server.started).toMatch(/"alg":"ES256"/);
    const signup = await fetch(`${server.url}/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'token-transport': 'body' },
      body: JSON.stringify({ email: 'cli@example.com', password: 'correct horse' }),
    });
    expect(signup.status).toBe(201);
    const tokens = (await signup.json()) as { access_token: string; refresh_token: string };
    const jwks1 = await (await fetch(`${server.url}/.well-known/jwks.json`)).json();
    server.stop();
    server = await startServer(db);
    try {
      expect(await (await fetch(`${server.url}/.well-known/jwks.json`)).json()).toEqual(jwks1);
      // The access token signed before the restart still verifies after it: the key was persisted.
      const me = await fetch(`${server.url}/auth/me`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      expect(me.status).toBe(200);
      const refreshed = await fetch(`${server.url}/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: tokens.refresh_token }),
      });
      expect(refreshed.status).toBe(200);
    } finally {
      server.stop();
    }
    const { stdout } = await run(process.execPath, [
      BIN,
      'events',
      '--user',
      'cli@example.com',
      '--db',
      db,
    ]);
    expect(stdout).toMatch(/login\s+signed in/);
    expect(stdout).toMatch(/refresh\s+refreshed/);
    expect(stdout).not.toContain(tokens.refresh_token.split('.')[1]);
    const keys = await run(process.execPath, [BIN, 'keys', 'rotate', '--db', db]);
    expect(keys.stdout).toMatch(/published .* \(ES256\)/);
    expect(keys.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('events on a mistyped --db path refuses, and creates neither the file nor its folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
    const missing = join(dir, 'no-such-folder', 'tessera.db');
    const failed = await run(process.execPath, [
      BIN,
      'events',
      '--user-id',
      'u1',
      '--db',
      missing,
    ]).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain('CONFIG_INVALID');
    expect((failed as { stderr: string }).stderr).toContain('There is no SQLite database at');
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
  });

  it('prints the effective configuration without secrets, and refuses bad settings with exit 1', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'config', '--leeway', '45s'], {
      env: { ...process.env, TESSERA_KEY_SECRET: 'do-not-print-me-0123456789abcdef' },
    });
    const shown = JSON.parse(stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({ leeway: 45, keySecret: 'set' });
    expect(stdout).not.toContain('do-not-print-me');
    const failed = await run(process.execPath, [BIN, 'config', '--leeway', '10m']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain('CONFIG_INVALID');
  });

  it('says clearly when the port is taken, with exit 1 and no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
    const server = await startServer(join(dir, 'a.db'));
    try {
      const port = new URL(server.url).port;
      const failed = await run(process.execPath, [
        BIN,
        'serve',
        '--db',
        join(dir, 'b.db'),
        '--port',
        port,
      ]).catch((error: { code: number; stderr: string }) => error);
      expect(failed).toMatchObject({ code: 1 });
      expect((failed as { stderr: string }).stderr).toContain(`port ${port} is already in use`);
      expect((failed as { stderr: string }).stderr).not.toContain('    at ');
    } finally {
      server.stop();
    }
  });

  it('answers an unknown command with exit 2', async () => {
    const failed = await run(process.execPath, [BIN, 'nonsense']).catch(
      (error: { code: number }) => error,
    );
    expect(failed).toMatchObject({ code: 2 });
  });

  it('answers a name inherited from Object.prototype as an unknown command, not a crash', async () => {
    for (const name of ['constructor', 'toString', '__proto__']) {
      const failed = await run(process.execPath, [BIN, name]).catch(
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed).toMatchObject({ code: 2 });
      expect((failed as { stderr: string }).stderr).toContain(`unknown command "${name}"`);
    }
  });
});
