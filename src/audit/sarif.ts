/**
 * SARIF 2.1.0 output for code-scanning dashboards: every rule with its metadata, every finding as a result.
 */
import { pathToFileURL } from 'node:url';
import { TESSERA_RULES, PLUGIN_PREFIX } from './eslint-plugin.js';
import type { AuditResult } from './run-audit.js';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFO_URI = 'https://www.npmjs.com/package/tessera-auth';

/** The subset of SARIF 2.1.0 this formatter writes. */
export interface SarifLog {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: readonly Record<string, unknown>[];
}

/**
 * Builds a SARIF 2.1.0 log from an audit result; URIs are relative to `%SRCROOT%`, the audited directory.
 *
 * @example
 * ```ts
 * const log = buildSarifLog(result, { toolVersion: '0.1.0' });
 * log.runs[0].results.length;
 * ```
 */
export function buildSarifLog(result: AuditResult, options: { toolVersion: string }): SarifLog {
  const entries = Object.entries(TESSERA_RULES);
  const index = new Map(entries.map(([name], i) => [`${PLUGIN_PREFIX}/${name}`, i]));
  const rules = entries.map(([name, rule]) => ({
    id: `${PLUGIN_PREFIX}/${name}`,
    name: name.replace(/(^|-)(\w)/g, (_m, _d: string, c: string) => c.toUpperCase()),
    shortDescription: { text: rule.meta.docs.description },
    fullDescription: { text: `${rule.meta.docs.description} ${rule.meta.docs.why}` },
    help: {
      text: `Why: ${rule.meta.docs.why}\nFix: ${rule.meta.docs.fix}`,
      markdown: `**Why:** ${rule.meta.docs.why}\n\n**Fix:** ${rule.meta.docs.fix}`,
    },
    defaultConfiguration: { level: rule.meta.docs.severity === 'error' ? 'error' : 'warning' },
    properties: {
      tags: ['security', 'jwt', rule.meta.docs.bucket],
      bucket: rule.meta.docs.bucket,
      precision: 'high',
      'problem.severity': rule.meta.docs.severity === 'error' ? 'error' : 'warning',
    },
  }));
  const results = result.findings.map((finding) => ({
    ruleId: finding.ruleId,
    ruleIndex: index.get(finding.ruleId) ?? -1,
    level: finding.severity,
    message: { text: `${finding.message} ${finding.why} Fix: ${finding.fix}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: finding.file, uriBaseId: '%SRCROOT%' },
          region: {
            startLine: finding.line,
            startColumn: finding.column,
            ...(finding.endLine === undefined ? {} : { endLine: finding.endLine }),
            ...(finding.endColumn === undefined ? {} : { endColumn: finding.endColumn }),
          },
        },
      },
    ],
    properties: { bucket: finding.bucket },
  }));
  const root = pathToFileURL(result.root).href;
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'tessera-audit',
            informationUri: INFO_URI,
            version: options.toolVersion,
            semanticVersion: options.toolVersion,
            rules,
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: root.endsWith('/') ? root : `${root}/` } },
        artifacts: [...new Set(result.findings.map((f) => f.file))].map((uri) => ({
          location: { uri, uriBaseId: '%SRCROOT%' },
        })),
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}
