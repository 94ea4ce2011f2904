import Ajv from 'ajv';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRepositoryRoot } from '../../src/audit/repository-root.js';
import { runAudit } from '../../src/audit/run-audit.js';
import { buildSarifLog } from '../../src/audit/sarif.js';
import { TESSERA_RULES } from '../../src/audit/eslint-plugin.js';

// The official SARIF 2.1.0 schema is draft-04 (`id`), which ajv 6 validates with its draft-04 meta.
const require = createRequire(import.meta.url);
const SCHEMA_FILE = path.join(import.meta.dirname, '../fixtures/sarif/sarif-schema-2.1.0.json');

interface SarifResult {
  ruleId: string;
  message?: { text: string };
  partialFingerprints: Record<string, string>;
  locations: {
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
  }[];
}
interface SarifRule {
  id: string;
  helpUri: string;
  properties: Record<string, string>;
}
interface SarifNotification {
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
}
interface SarifJson {
  runs: {
    results: SarifResult[];
    tool: { driver: { rules: SarifRule[] } };
    invocations: {
      executionSuccessful: boolean;
      toolExecutionNotifications: SarifNotification[];
    }[];
  }[];
}

let repo: string;
const SIGNER = [
  "import jwt from 'jsonwebtoken';",
  "export const sign = (id) => jwt.sign({ sub: id }, 'hunter2-is-not-a-secret');",
  '',
].join('\n');

beforeAll(async () => {
  repo = await mkdtemp(path.join(tmpdir(), 'tessera-sarif-'));
  await mkdir(path.join(repo, '.git'));
  await mkdir(path.join(repo, 'server/src'), { recursive: true });
  await writeFile(path.join(repo, 'server/src/token.js'), SIGNER);
  await writeFile(path.join(repo, 'server/src/broken.js'), 'export const = ;\n');
});

afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

async function sarifOf(dir: string): Promise<SarifJson> {
  const result = await runAudit(dir);
  const repositoryRoot = await findRepositoryRoot(dir, { cwd: tmpdir() });
  return buildSarifLog(result, { toolVersion: '0.1.0', repositoryRoot }) as unknown as SarifJson;
}

const runOf = (log: SarifJson): SarifJson['runs'][number] => log.runs[0]!;

describe('SARIF for code scanning', () => {
  it('validates against the official SARIF 2.1.0 schema', async () => {
    const ajv = new Ajv({ schemaId: 'id', allErrors: true, format: 'full' });
    ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-04.json'));
    const validate = ajv.compile(JSON.parse(await readFile(SCHEMA_FILE, 'utf8')));
    const log = await sarifOf(path.join(repo, 'server/src'));
    expect(runOf(log).results.length).toBeGreaterThan(0);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    // The schema is not vacuous: a result without a message is refused.
    const broken = structuredClone(log);
    delete runOf(broken).results[0]!.message;
    expect(validate(broken)).toBe(false);
  });

  it('places results relative to the repository root whichever folder was audited', async () => {
    for (const dir of [repo, path.join(repo, 'server'), path.join(repo, 'server/src')]) {
      const log = await sarifOf(dir);
      const uris = runOf(log).results.map(
        (r) => r.locations[0]!.physicalLocation.artifactLocation.uri,
      );
      expect(new Set(uris)).toEqual(new Set(['server/src/token.js']));
    }
  });

  it('falls back to the audited folder when no .git is above it and it is outside cwd', async () => {
    const loose = await mkdtemp(path.join(tmpdir(), 'tessera-sarif-loose-'));
    try {
      expect(await findRepositoryRoot(loose, { cwd: repo })).toBe(loose);
      expect(await findRepositoryRoot(path.join(loose), { cwd: path.dirname(loose) })).toBe(
        path.dirname(loose),
      );
    } finally {
      await rm(loose, { recursive: true, force: true });
    }
  });

  it('keeps partialFingerprints when lines move, and never hashes the secret itself', async () => {
    const before = await sarifOf(repo);
    await writeFile(path.join(repo, 'server/src/token.js'), `// a comment\n\n${SIGNER}`);
    const after = await sarifOf(repo);
    await writeFile(path.join(repo, 'server/src/token.js'), SIGNER.replace('hunter2', 'zz'));
    const otherSecret = await sarifOf(repo);
    await writeFile(path.join(repo, 'server/src/token.js'), SIGNER);
    const prints = (log: SarifJson): string[] =>
      runOf(log).results.map((r) => `${r.ruleId} ${JSON.stringify(r.partialFingerprints)}`);
    const lines = (log: SarifJson): number[] =>
      runOf(log).results.map((r) => r.locations[0]!.physicalLocation.region.startLine);
    expect(lines(after)).not.toEqual(lines(before));
    expect(prints(after)).toEqual(prints(before));
    // The literal's contents are blanked before hashing, so guessing the secret cannot be tested.
    expect(prints(otherSecret)).toEqual(prints(before));
    expect(JSON.stringify(before)).not.toContain('hunter2');
  });

  it('rates every rule and links it to its section of docs/audit.md', async () => {
    const docs = await readFile(path.join(import.meta.dirname, '../../docs/audit.md'), 'utf8');
    const log = await sarifOf(repo);
    const rules = runOf(log).tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(Object.keys(TESSERA_RULES).map((n) => `tessera/${n}`));
    for (const rule of rules) {
      const anchor = String(rule.helpUri).split('#')[1];
      expect(docs, rule.id).toContain(`<a id="${anchor}"></a>`);
      expect(rule.properties['security-severity']).toMatch(/^(10\.0|\d\.\d)$/);
      expect(['very-high', 'high', 'medium', 'low']).toContain(rule.properties.precision);
    }
    expect(new Set(rules.map((r) => r.properties.precision)).size).toBeGreaterThan(1);
  });

  it('reports files that failed to parse as tool notifications', async () => {
    const log = await sarifOf(repo);
    const invocation = runOf(log).invocations[0]!;
    expect(invocation.executionSuccessful).toBe(true);
    expect(
      invocation.toolExecutionNotifications.map(
        (n) => n.locations[0]!.physicalLocation.artifactLocation.uri,
      ),
    ).toEqual(['server/src/broken.js']);
    expect(invocation.toolExecutionNotifications[0]!.message.text).toMatch(/could not be parsed/);
  });
});
