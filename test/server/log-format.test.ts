// Issue 13, item 7: the server's log is readable on a terminal and JSON lines everywhere else, and in
// neither form does a token reach a log line. The decision is tested as the pure function it is; the
// two forms by spawning `tessera serve` under a real pseudo-terminal (util-linux `script`) and on a
// pipe, and sending each a request that carries tokens in its query and its Authorization header.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTesseraError } from '../../src/errors/tessera-error.js';
import { mintSecret } from '../../src/secrets/opaque-secret.js';
import { chooseLogFormat, type LogFormat } from '../../src/server/log-format.js';

const BIN = join(process.cwd(), 'bin/tessera.js');
const directory = mkdtempSync(join(tmpdir(), 'tessera-log-format-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('chooseLogFormat', () => {
  it.each([
    [true, undefined, false, 'pretty'],
    [false, undefined, false, 'json'],
    [true, undefined, true, 'json'],
    [false, undefined, true, 'json'],
    [true, '', false, 'pretty'],
    [true, 'json', false, 'json'],
    [false, 'pretty', false, 'pretty'],
    [true, 'pretty', true, 'pretty'],
    [false, ' JSON ', true, 'json'],
  ] as const)(
    'isTTY %s, TESSERA_LOG_FORMAT %j, production %s → %s',
    (isTTY, requested, production, expected: LogFormat) => {
      expect(chooseLogFormat({ isTTY, requested, production })).toBe(expected);
    },
  );

  it('refuses any other TESSERA_LOG_FORMAT with CONFIG_INVALID', () => {
    let caught: unknown;
    try {
      chooseLogFormat({ isTTY: true, requested: 'yaml', production: false });
    } catch (error) {
      caught = error;
    }
    expect(isTesseraError(caught) && caught.code).toBe('CONFIG_INVALID');
    expect((caught as Error).message).toContain('"yaml"');
  });
});

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const ACCESS = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJsb2ctdGVzdCJ9.c2lnbmF0dXJlLWxvZy10ZXN0';
const REFRESH = mintSecret('tsr', { pepper: undefined }).value;

interface Served {
  /** Everything the server wrote, colours stripped. */
  readonly output: () => string;
  readonly url: string;
  stop(): void;
}

// The child gets its own process group, so that stopping it also stops what `script` started.
async function serve(options: { terminal: boolean; env?: NodeJS.ProcessEnv }): Promise<Served> {
  const db = join(directory, `${options.terminal ? 'tty' : 'pipe'}-${Date.now()}.db`);
  const args = [BIN, 'serve', '--db', db, '--port', '0'];
  const env: NodeJS.ProcessEnv = { ...process.env, TESSERA_LOG_LEVEL: 'info', ...options.env };
  delete env.NODE_ENV;
  if (options.env?.TESSERA_LOG_FORMAT === undefined) delete env.TESSERA_LOG_FORMAT;
  const child: ChildProcess = options.terminal
    ? spawn('script', ['-qfec', [process.execPath, ...args].join(' '), '/dev/null'], {
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  const output = (): string => seen.replace(ANSI, '').replace(/\r/g, '');
  const collect = (chunk: Buffer): void => void (seen += chunk.toString());
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const stop = (): void => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
  };
  const port = await new Promise<string>((resolve, reject) => {
    const check = (): void => {
      const match = /"?port"?: ?(\d+)/.exec(output());
      if (match) resolve(match[1] as string);
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${output()}`)));
  }).catch((error: unknown) => {
    stop();
    throw error;
  });
  return { output, url: `http://127.0.0.1:${port}`, stop };
}

async function requestWithTokens(served: Served): Promise<void> {
  const response = await fetch(
    `${served.url}/auth/me?access_token=${ACCESS}&refresh_token=${encodeURIComponent(REFRESH)}`,
    { headers: { authorization: `Bearer ${ACCESS}`, cookie: `__Secure-tessera_rt=${REFRESH}` } },
  );
  // 400 TOKEN_IN_URL: the server refuses a token in a URL, and its request line still gets logged.
  expect(response.status).toBe(400);
  await response.arrayBuffer();
  // The request line is written after the response; wait for it rather than for a fixed time.
  for (let i = 0; i < 100 && !/\/auth\/me/.test(served.output()); i++)
    await new Promise((done) => setTimeout(done, 50));
}

function expectNoToken(output: string): void {
  expect(output).toContain('/auth/me?access_token=[redacted]&refresh_token=[redacted]');
  expect(output).not.toContain(ACCESS);
  expect(output).not.toContain(REFRESH);
  expect(output).not.toContain(REFRESH.split('.')[1]);
}

describe('tessera serve logs', () => {
  it('on a terminal: readable lines, no JSON, no token', async () => {
    const served = await serve({ terminal: true });
    try {
      await requestWithTokens(served);
      const output = served.output();
      expect(output).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Tessera listening on /m);
      expect(output).toMatch(/^\[[\d:.]+\] WARN: development mode/m);
      expect(output.split('\n').filter((line) => line.startsWith('{'))).toEqual([]);
      expectNoToken(output);
    } finally {
      served.stop();
    }
  });

  it('on a pipe: one JSON object per line, no token', async () => {
    const served = await serve({ terminal: false });
    try {
      await requestWithTokens(served);
      const lines = served
        .output()
        .split('\n')
        .filter((line) => line !== '');
      const records = lines.map((line) => JSON.parse(line) as { msg?: string; path?: string });
      expect(records.map((r) => r.msg)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^Tessera listening on /), 'request']),
      );
      expectNoToken(served.output());
    } finally {
      served.stop();
    }
  });

  it('TESSERA_LOG_FORMAT overrides the terminal check both ways', async () => {
    const piped = await serve({ terminal: false, env: { TESSERA_LOG_FORMAT: 'pretty' } });
    try {
      expect(piped.output()).toMatch(/^\[[\d:.]+\] INFO: Tessera listening on /m);
    } finally {
      piped.stop();
    }
    const terminal = await serve({ terminal: true, env: { TESSERA_LOG_FORMAT: 'json' } });
    try {
      // Every line is JSON (the mail notice may come before the listening line).
      const lines = terminal
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as { msg?: string });
      expect(lines.some((line) => /^Tessera listening/.test(line.msg ?? ''))).toBe(true);
    } finally {
      terminal.stop();
    }
  });
});
