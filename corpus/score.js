// Pure scoring for `npm run corpus`: matches audit findings to hand-checked labels and counts, per
// rule, strict precision (findings that point at a labelled trap) and recall (labels some finding hits).

/** Lines a finding may sit away from its label (the rule reports the call, the label the statement). */
export const LINE_WINDOW = 3;

/**
 * Tells whether a finding points at a label: same file, same rule, line inside the label's span
 * widened by {@link LINE_WINDOW}.
 * @param {{ file: string, line: number, ruleId: string }} finding
 * @param {{ file: string, line: number, endLine?: number, rule: string }} label
 * @returns {boolean}
 */
export function findingMatches(finding, label) {
  if (finding.file !== label.file || finding.ruleId !== label.rule) return false;
  const end = label.endLine ?? label.line;
  return finding.line >= label.line - LINE_WINDOW && finding.line <= end + LINE_WINDOW;
}

/**
 * Scores one repository: which findings are true, which labels were found.
 * @param {readonly { file: string, line: number, ruleId: string }[]} findings
 * @param {readonly { file: string, line: number, endLine?: number, rule: string }[]} labels
 * @returns {{ truePositives: typeof findings, falsePositives: typeof findings, found: typeof labels, missed: typeof labels }}
 */
export function scoreRepository(findings, labels) {
  const truePositives = [];
  const falsePositives = [];
  for (const finding of findings)
    (labels.some((label) => findingMatches(finding, label)) ? truePositives : falsePositives).push(
      finding,
    );
  const found = [];
  const missed = [];
  for (const label of labels)
    (findings.some((finding) => findingMatches(finding, label)) ? found : missed).push(label);
  return { truePositives, falsePositives, found, missed };
}

/**
 * Adds repository scores into per-rule counts and a total.
 * @param {readonly ReturnType<typeof scoreRepository>[]} scores
 * @returns {{ rules: Record<string, Counts>, total: Counts }}
 * @typedef {{ tp: number, fp: number, found: number, missed: number, precision: number | null, recall: number | null }} Counts
 */
export function tally(scores) {
  /** @type {Record<string, { tp: number, fp: number, found: number, missed: number }>} */
  const rules = {};
  const total = { tp: 0, fp: 0, found: 0, missed: 0 };
  const bump = (rule, key) => {
    rules[rule] ??= { tp: 0, fp: 0, found: 0, missed: 0 };
    rules[rule][key] += 1;
    total[key] += 1;
  };
  for (const score of scores) {
    for (const f of score.truePositives) bump(f.ruleId, 'tp');
    for (const f of score.falsePositives) bump(f.ruleId, 'fp');
    for (const l of score.found) bump(l.rule, 'found');
    for (const l of score.missed) bump(l.rule, 'missed');
  }
  const withRatios = (c) => ({
    ...c,
    precision: c.tp + c.fp === 0 ? null : c.tp / (c.tp + c.fp),
    recall: c.found + c.missed === 0 ? null : c.found / (c.found + c.missed),
  });
  return {
    rules: Object.fromEntries(
      Object.entries(rules)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([rule, c]) => [rule, withRatios(c)]),
    ),
    total: withRatios(total),
  };
}
