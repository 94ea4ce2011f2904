/**
 * SARIF 2.1.0 output for code-scanning dashboards: every rule with its metadata, every finding as a
 * result placed by repository path, and files that could not be parsed as tool notifications.
 */
import { pathToFileURL } from 'node:url';
import { TESSERA_RULES, PLUGIN_PREFIX } from './eslint-plugin.js';
import { repositoryUri } from './repository-root.js';
import { FINGERPRINT_KEY } from './fingerprint.js';
import { ruleRating } from './rule-ratings.js';
import type { AuditResult } from './run-audit.js';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFO_URI = 'https://www.npmjs.com/package/tessera-auth';
/** Where each rule's section lives; every rule has an `<a id>` anchor of its short name there. */
export const AUDIT_DOCS_URI = 'https://github.com/tessera-auth/tessera/blob/main/docs/audit.md';
const PARSE_FAILURE_ID = 'tessera/parse-failure';

/** The subset of SARIF 2.1.0 this formatter writes. */
export interface SarifLog {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: readonly Record<string, unknown>[];
}

/** Options of {@link buildSarifLog}. */
export interface SarifOptions {
  readonly toolVersion: string;
  /** The repository root URIs are relative to (see `findRepositoryRoot`); default: the audited directory. */
  readonly repositoryRoot?: string;
}

/**
 * Builds a SARIF 2.1.0 log from an audit result; URIs are relative to the repository root, so GitHub
 * places alerts whichever folder was audited.
 *
 * @example
 * ```ts
 * const root = await findRepositoryRoot('src', { cwd: process.cwd() });
 * const log = buildSarifLog(result, { toolVersion: '0.1.0', repositoryRoot: root });
 * ```
 */
export function buildSarifLog(result: AuditResult, options: SarifOptions): SarifLog {
  const base = options.repositoryRoot ?? result.root;
  const uriOf = (file: string): string =>
    repositoryUri({ auditRoot: result.root, repositoryRoot: base, file });
  const entries = Object.entries(TESSERA_RULES);
  const index = new Map(entries.map(([name], i) => [`${PLUGIN_PREFIX}/${name}`, i]));
  const rules = entries.map(([name, rule]) => {
    const rating = ruleRating(name);
    return {
      id: `${PLUGIN_PREFIX}/${name}`,
      name: name.replace(/(^|-)(\w)/g, (_m, _d: string, c: string) => c.toUpperCase()),
      shortDescription: { text: rule.meta.docs.description },
      fullDescription: { text: `${rule.meta.docs.description} ${rule.meta.docs.why}` },
      helpUri: `${AUDIT_DOCS_URI}#${name}`,
      help: {
        text: `Why: ${rule.meta.docs.why}\nFix: ${rule.meta.docs.fix}`,
        markdown: `**Why:** ${rule.meta.docs.why}\n\n**Fix:** ${rule.meta.docs.fix}`,
      },
      defaultConfiguration: { level: rule.meta.docs.severity === 'error' ? 'error' : 'warning' },
      properties: {
        tags: ['security', 'jwt', rule.meta.docs.bucket],
        bucket: rule.meta.docs.bucket,
        precision: rating.precision,
        'security-severity': rating.securitySeverity,
        'problem.severity': rule.meta.docs.severity === 'error' ? 'error' : 'warning',
      },
    };
  });
  const results = result.findings.map((finding) => ({
    ruleId: finding.ruleId,
    ruleIndex: index.get(finding.ruleId) ?? -1,
    level: finding.severity,
    message: { text: `${finding.message} ${finding.why} Fix: ${finding.fix}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: uriOf(finding.file), uriBaseId: '%SRCROOT%' },
          region: {
            startLine: finding.line,
            startColumn: finding.column,
            ...(finding.endLine === undefined ? {} : { endLine: finding.endLine }),
            ...(finding.endColumn === undefined ? {} : { endColumn: finding.endColumn }),
          },
        },
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    properties: { bucket: finding.bucket },
  }));
  const notifications = result.unparsed.map((failure) => ({
    descriptor: { id: PARSE_FAILURE_ID },
    level: 'warning',
    message: { text: `Not audited: the file could not be parsed (${failure.message}).` },
    locations: [{ physicalLocation: { artifactLocation: { uri: uriOf(failure.file) } } }],
  }));
  const root = pathToFileURL(base).href;
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
        invocations: [
          {
            // The run completed; it failed only when there were files and none could be read.
            executionSuccessful: !(
              result.filesAudited > 0 && result.unparsed.length === result.filesAudited
            ),
            toolExecutionNotifications: notifications,
          },
        ],
        originalUriBaseIds: { '%SRCROOT%': { uri: root.endsWith('/') ? root : `${root}/` } },
        artifacts: [...new Set(result.findings.map((f) => uriOf(f.file)))].map((uri) => ({
          location: { uri, uriBaseId: '%SRCROOT%' },
        })),
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}
