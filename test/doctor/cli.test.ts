// Runs the built CLI as users do: node bin/tessera.js doctor ..., with stdin, environment and exit codes.
// vitest's globalSetup builds dist first.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startNode, tempDir, type SignedIn, type TestNode } from './support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runDoctor(
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/tessera.js'), 'doctor', ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

let node: TestNode;
let user: SignedIn;
let remove: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir();
  remove = temp.remove;
  node = await startNode({ db: path.join(temp.dir, 'cli.db'), cwd: temp.dir });
  user = await signUp(node, {
    email: 'cli@example.test',
    password: 'correct horse battery staple',
  });
});

afterAll(async () => {
  await node.close();
  await remove();
});

describe('tessera doctor (built CLI)', () => {
  it('reads the token from stdin, judges it against --server and exits 0 when valid', async () => {
    const result = await runDoctor(['--server', node.url], { input: `${user.accessToken}\n` });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Verdict: VALID/);
    expect(result.stdout).toMatch(
      /\n {2}exp +\d{4}-\d\d-\d\dT[\d:]+Z {2}\| .+\n +expires in 1[45] min( \d+ s)? on this machine's clock; on the server's clock: expires in/,
    );
    expect(result.stdout).not.toContain(user.accessToken.split('.')[2]);
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('exits 1 with the verdict in JSON for a quoted token from --token-env', async () => {
    const result = await runDoctor(['--server', node.url, '--token-env', 'APP_TOKEN', '--json'], {
      env: { APP_TOKEN: JSON.stringify(user.accessToken) },
    });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      kind: string;
      exitCode: number;
      verdict: { code: string; bucket: string; explanation: string };
    };
    expect(report).toMatchObject({
      kind: 'token',
      exitCode: 1,
      verdict: { code: 'TOKEN_MALFORMED', bucket: 'storage' },
    });
    expect(report.verdict.explanation).toMatch(/wrapped in quotes/);
    expect(result.stdout).not.toContain(user.accessToken);
  });

  it('accepts a token argument with a note about shell history, and exits 2 when nothing can check the signature', async () => {
    const result = await runDoctor([user.accessToken, '--json']);
    expect(result.stderr).toMatch(/lands in shell history and process lists/);
    expect(result.code).toBe(2);
    expect((JSON.parse(result.stdout) as { verdict: { status: string } }).verdict.status).toBe(
      'unknown',
    );
  });

  it('finds a tutorial secret with no key given, and verifies with --secret-env', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: 'https://legacy.test',
      aud: 'api',
      sub: 'u',
      client_id: 'w',
      sid: 's',
      jti: 'j',
      iat: now,
      exp: now + 600,
    };
    const weak = jwt.sign(claims, 'shhhhh', {
      algorithm: 'HS256',
      header: { alg: 'HS256', typ: 'at+jwt', kid: 'k' },
    });
    const guessed = await runDoctor(['-'], { input: weak });
    expect(guessed.code).toBe(1);
    expect(guessed.stdout).toMatch(/SECRET_WEAK/);
    expect(guessed.stdout).toMatch(/verifies with the well-known example secret "shhhhh"/);
    const strong = 'mN4!qR8#vX2@kL6$pT9%wZ3^bH7&jF5*';
    const token = jwt.sign(claims, strong, {
      algorithm: 'HS256',
      header: { alg: 'HS256', typ: 'at+jwt', kid: 'k' },
    });
    const verified = await runDoctor(
      ['--secret-env', 'LEGACY_SECRET', '--iss', 'https://legacy.test', '--aud', 'api'],
      { input: token, env: { LEGACY_SECRET: strong } },
    );
    expect(verified.code).toBe(0);
    const wrongAud = await runDoctor(
      ['--secret-env', 'LEGACY_SECRET', '--iss', 'https://legacy.test', '--aud', 'billing'],
      { input: token, env: { LEGACY_SECRET: strong } },
    );
    expect(wrongAud.code).toBe(1);
    expect(wrongAud.stdout).toMatch(/AUDIENCE_MISMATCH \(validation bucket\)/);
  });

  it('exits 2 on bad arguments, an unset variable, no token, and an unreachable server', async () => {
    expect((await runDoctor(['--leeway', '900'], { input: 'x' })).code).toBe(2);
    expect((await runDoctor(['--token-env', 'DOCTOR_UNSET_VARIABLE'])).code).toBe(2);
    expect((await runDoctor([])).code).toBe(2);
    const unreachable = await runDoctor(['--server', 'http://127.0.0.1:9'], {
      input: user.accessToken,
    });
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/could not judge: .*unreachable/);
  });

  it('checks the deployment when --server gets no token, with a test account', async () => {
    const result = await runDoctor(
      [
        '--server',
        node.url,
        '--email',
        'cli@example.test',
        '--password-env',
        'DOCTOR_PW',
        '--json',
      ],
      { env: { DOCTOR_PW: 'correct horse battery staple' } },
    );
    const report = JSON.parse(result.stdout) as {
      kind: string;
      exitCode: number;
      passed: string[];
      findings: { id: string }[];
    };
    expect(report.kind).toBe('deployment');
    expect(result.code).toBe(report.exitCode);
    expect(report.passed.join('\n')).toMatch(/refresh cookie is HttpOnly/);
    expect(result.code).toBe(0);
  });
});
