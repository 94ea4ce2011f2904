// Runs the real built CLI the way CI and users do: node bin/tessera.js audit DIR --format sarif.
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILT = [
  'audit/run-audit',
  'audit/eslint-plugin',
  'audit/sarif',
  'audit/report',
  'cli/audit-command',
];

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function runCli(args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [path.join(ROOT, 'bin/tessera.js'), 'audit', ...args],
      { cwd: ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function isBuildStale(): boolean {
  return BUILT.some((name) => {
    const out = path.join(ROOT, 'dist', `${name}.js`);
    return (
      !existsSync(out) ||
      statSync(out).mtimeMs < statSync(path.join(ROOT, 'src', `${name}.ts`)).mtimeMs
    );
  });
}

let dir: string;

beforeAll(async () => {
  // CI builds through `npm ci` (prepare); a stale local dist is rebuilt so the test exercises this source.
  if (isBuildStale())
    await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT }).catch(() => undefined);
  dir = await mkdtemp(path.join(tmpdir(), 'tessera-audit-cli-'));
  await mkdir(path.join(dir, 'server'), { recursive: true });
  await writeFile(
    path.join(dir, 'server/auth.ts'),
    [
      "import jwt from 'jsonwebtoken';",
      'export function check(token: string): unknown {',
      // A public key with no algorithms list: the confusion attack the rule exists for.
      '  return jwt.verify(token, process.env.JWT_PUBLIC_KEY as string);',
      '}',
    ].join('\n'),
  );
  await writeFile(path.join(dir, 'server/ok.js'), 'export const add = (a, b) => a + b;\n');
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tessera audit (built CLI)', () => {
  it('writes SARIF 2.1.0 with rule metadata and exits 1 on errors', async () => {
    const { code, stdout } = await runCli([dir, '--format', 'sarif']);
    expect(code).toBe(1);
    const log = JSON.parse(stdout) as {
      version: string;
      runs: {
        tool: {
          driver: {
            name: string;
            rules: { id: string; help: { text: string }; properties: { bucket: string } }[];
          };
        };
        results: {
          ruleId: string;
          level: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          }[];
        }[];
      }[];
    };
    expect(log.version).toBe('2.1.0');
    const [sarifRun] = log.runs;
    expect(sarifRun?.tool.driver.name).toBe('tessera-audit');
    expect(sarifRun?.tool.driver.rules.length).toBeGreaterThanOrEqual(15);
    expect(
      sarifRun?.tool.driver.rules.every((r) => r.help.text.includes('Fix:') && r.properties.bucket),
    ).toBe(true);
    const algorithms = sarifRun?.results.find((r) => r.ruleId === 'tessera/require-algorithms');
    expect(algorithms?.level).toBe('error');
    expect(algorithms?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('server/auth.ts');
    expect(algorithms?.locations[0]?.physicalLocation.region.startLine).toBe(3);
  });

  it('exits 0 on a clean tree, 2 on bad usage', async () => {
    const clean = await mkdtemp(path.join(tmpdir(), 'tessera-audit-clean-'));
    await writeFile(path.join(clean, 'index.js'), 'export const one = 1;\n');
    const ok = await runCli([clean, '--format', 'json']);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { filesAudited: number }).filesAudited).toBe(1);
    await rm(clean, { recursive: true, force: true });
    expect((await runCli([dir, '--fail-on', 'nope'])).code).toBe(2);
    expect((await runCli([path.join(dir, 'missing')])).code).toBe(2);
  });
});
