// Issue 13, item 7: every command answers --help, -h and `tessera help <command>` with its usage on
// stdout and exit 0; --version prints package.json's version; an unknown command or option is exit 2
// with a hint and no stack trace; `keys rotate --alg HS256` is refused before anything is written.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { closestCommand, commandHelp } from '../../src/cli/main.js';

const execute = promisify(execFile);
const BIN = join(process.cwd(), 'bin/tessera.js');
const COMMANDS = ['serve', 'config', 'keys', 'events', 'audit', 'doctor'];
const directory = mkdtempSync(join(tmpdir(), 'tessera-cli-manners-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// Every run in a scratch directory, so no command can find or create a tessera.db of the repo's.
async function tessera(args: string[]): Promise<Ran> {
  return execute(process.execPath, [BIN, ...args], { cwd: directory }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: Ran) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe('help', () => {
  it.each(COMMANDS)(
    'tessera %s --help, -h and "tessera help" print the same usage',
    async (name) => {
      const [long, short, topic] = await Promise.all([
        tessera([name, '--help']),
        tessera([name, '-h']),
        tessera(['help', name]),
      ]);
      expect(long).toMatchObject({ code: 0, stderr: '' });
      expect(long.stdout).toMatch(new RegExp(`^Usage: tessera ${name}\\b`));
      // Detailed help, not the one-line summary: every command names at least one of its options.
      expect(long.stdout).toMatch(/\n\s+--[a-z]/);
      expect(short).toEqual(long);
      expect(topic).toEqual(long);
    },
  );

  it('serve --help lists every setting resolveConfig reads', async () => {
    const { SETTINGS } = await import('../../src/server/config.js');
    const { stdout } = await tessera(['serve', '--help']);
    for (const setting of Object.keys(SETTINGS)) expect(stdout).toContain(`--${setting} `);
  });

  it('--help anywhere before "--" is help, and runs nothing', async () => {
    const db = join(directory, 'help-anywhere.db');
    const ran = await tessera(['keys', 'rotate', '--db', db, '--help']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^Usage: tessera keys/);
    expect(existsSync(db)).toBe(false);
  });

  it('tessera help and --help list every command with its summary, exit 0', async () => {
    for (const args of [['help'], ['--help'], ['-h']]) {
      const ran = await tessera(args);
      expect(ran.code, args.join(' ')).toBe(0);
      for (const name of COMMANDS) expect(ran.stdout).toMatch(new RegExp(`\\n  ${name} +\\S`));
    }
  });

  it('tessera alone prints the command list on stderr, exit 2 (a script forgot its command)', async () => {
    const ran = await tessera([]);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain('Commands:');
  });
});

describe('--version', () => {
  it("prints package.json's version and nothing else", async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-v'])
      expect(await tessera([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('bad usage: exit 2, a hint, never a stack trace', () => {
  it('an unknown command names the closest one', async () => {
    const ran = await tessera(['kyes', 'list']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('unknown command "kyes". Did you mean "keys"?');
    const help = await tessera(['help', 'servr']);
    expect(help.code).toBe(2);
    expect(help.stderr).toContain('Did you mean "serve"?');
  });

  it('an unknown option before any command', async () => {
    const ran = await tessera(['--verbose']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('unknown option "--verbose"');
  });

  it.each(COMMANDS)('tessera %s --no-such-flag', async (name) => {
    const ran = await tessera([name, '--no-such-flag']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('--no-such-flag');
    expect(ran.stderr).toMatch(/--help|Usage:/);
    expect(ran.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('tessera keys rotate --alg HS256', () => {
  it('is refused with CONFIG_INVALID before the store is opened', async () => {
    const db = join(directory, 'hs256.db');
    const ran = await tessera(['keys', 'rotate', '--alg', 'HS256', '--db', db]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('CONFIG_INVALID');
    expect(ran.stderr).toContain('HS256 is symmetric');
    expect(ran.stderr).toContain('ES256, EdDSA, RS256, PS256');
    expect(existsSync(db)).toBe(false);
  });

  it('and an asymmetric one is accepted: the rotation publishes an ES256 key', async () => {
    const db = join(directory, 'es256.db');
    const ran = await tessera(['keys', 'rotate', '--alg', 'ES256', '--db', db]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/^published \S+ \(ES256\)/);
  });
});

describe('closestCommand', () => {
  const names = ['serve', 'config', 'keys', 'events', 'audit', 'doctor'];
  it.each([
    ['key', 'keys'],
    ['kyes', 'keys'],
    ['sevre', 'serve'],
    ['DOCTOR', 'doctor'],
    ['evnts', 'events'],
  ])('%s → %s', (typed, expected) => {
    expect(closestCommand(typed, names)).toBe(expected);
  });

  it.each(['nonsense', 'x', 'constructor'])('%s → nothing', (typed) => {
    expect(closestCommand(typed, names)).toBeUndefined();
  });
});

describe('commandHelp', () => {
  it('gives a command without usage (a new one) its summary under a generic usage line', () => {
    const command = { summary: 'follow the revocation feed', run: async () => 0 };
    expect(commandHelp('feeds', command)).toBe(
      'Usage: tessera feeds [options]\n\nfollow the revocation feed.\n(This command has no detailed help yet.)\n',
    );
  });

  it("prints a command's own usage as it is, ending in one newline", () => {
    const command = { summary: 's', usage: 'Usage: tessera x --y', run: async () => 0 };
    expect(commandHelp('x', command)).toBe('Usage: tessera x --y\n');
  });
});
