import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatJsonReport, formatTextReport, hasFailingFindings } from '../../src/audit/report.js';
import { runAudit } from '../../src/audit/run-audit.js';
import { buildSarifLog } from '../../src/audit/sarif.js';
import { listSourceFiles, parseIgnoreLine } from '../../src/audit/source-files.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tessera-audit-report-'));
  await mkdir(path.join(dir, 'src'), { recursive: true });
  await mkdir(path.join(dir, 'node_modules/lib'), { recursive: true });
  await mkdir(path.join(dir, 'generated'), { recursive: true });
  await writeFile(path.join(dir, '.gitignore'), 'generated/\n*.local.js\n');
  await writeFile(
    path.join(dir, 'src/auth.js'),
    "import jwt from 'jsonwebtoken';\nexport const t = jwt.sign({ sub: 1 }, 'shhhhh');\n",
  );
  await writeFile(
    path.join(dir, 'src/client.ts'),
    "export function save(t: string): void { localStorage.setItem('refreshToken', t); }\nconst x: number = 1;\n",
  );
  await writeFile(
    path.join(dir, 'src/api.ts'),
    "import jwt from 'jsonwebtoken';\nexport const c = (t: string) => jwt.verify(t, publicKey, { algorithms: ['RS256'] });\n",
  );
  await writeFile(path.join(dir, 'src/bad.js'), 'export const = ;\n');
  await writeFile(
    path.join(dir, 'node_modules/lib/index.js'),
    "localStorage.setItem('token', t);\n",
  );
  await writeFile(path.join(dir, 'generated/x.js'), "localStorage.setItem('token', t);\n");
  await writeFile(path.join(dir, 'src/dev.local.js'), "localStorage.setItem('token', t);\n");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('source listing', () => {
  it('skips node_modules and .gitignore matches', async () => {
    const files = (await listSourceFiles(dir)).map((f) => path.relative(dir, f));
    expect(files).toEqual(['src/api.ts', 'src/auth.js', 'src/bad.js', 'src/client.ts']);
  });

  it('reads .gitignore lines', () => {
    expect(parseIgnoreLine('# comment')).toBeUndefined();
    expect(parseIgnoreLine('/build')?.pattern.test('build')).toBe(true);
    expect(parseIgnoreLine('**/*.gen.ts')?.pattern.test('a/b/c.gen.ts')).toBe(true);
    expect(parseIgnoreLine('!keep.js')?.negate).toBe(true);
  });
});

describe('reports', () => {
  it('groups by severity and bucket, and fails at the chosen severity', async () => {
    const result = await runAudit(dir);
    expect(result.unparsed.map((u) => u.file)).toEqual(['src/bad.js']);
    const ids = result.findings.map((f) => `${f.file} ${f.ruleId} ${f.severity}`);
    expect(ids).toContain('src/auth.js tessera/no-hardcoded-secret error');
    expect(ids).toContain('src/client.ts tessera/secure-token-storage error');
    expect(ids).toContain('src/api.ts tessera/require-audience-issuer warning');
    const text = formatTextReport(result, { color: false });
    expect(text).toMatch(/Errors \(\d+\)[\s\S]*storage[\s\S]*validation[\s\S]*Warnings \(1\)/);
    expect(text).toContain('src/auth.js:2:39');
    expect(text).toContain('why: ');
    const json = JSON.parse(formatJsonReport(result)) as { summary: { warnings: number } };
    expect(json.summary.warnings).toBe(1);
    expect(hasFailingFindings(result, { failOn: 'error' })).toBe(true);
    const warningsOnly = {
      ...result,
      findings: result.findings.filter((f) => f.severity === 'warning'),
    };
    expect(hasFailingFindings(warningsOnly, { failOn: 'error' })).toBe(false);
    expect(hasFailingFindings(warningsOnly, { failOn: 'warning' })).toBe(true);
    const sarif = buildSarifLog(result, { toolVersion: '0.1.0' });
    expect(sarif.version).toBe('2.1.0');
  });
});
