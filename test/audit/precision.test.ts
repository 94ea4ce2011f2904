// Tessera's own code is the first real codebase the audit must stay quiet on: a finding here is either a
// trap someone just wrote or a false positive to fix in the rule.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/run-audit.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('tessera audit on its own source', () => {
  for (const dir of ['src', 'bench', 'bin']) {
    it(`finds nothing in ${dir}/`, async () => {
      const result = await runAudit(path.join(ROOT, dir));
      expect(result.unparsed).toEqual([]);
      expect(
        result.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.ruleId} ${f.message}`),
      ).toEqual([]);
    });
  }
});
