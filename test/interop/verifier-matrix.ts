// The observed matrix (which stack accepts which algorithm) as the README's table, and the README
// section between its markers, so the test can compare the two and UPDATE_README=1 can rewrite it.
import type { Outcome, Stack } from './verifier-stacks.js';

export const README_START = '<!-- verifiers:start -->';
export const README_END = '<!-- verifiers:end -->';

/** One observed cell: the refusal reason has the deployment's random parts (origin, kid) masked. */
export interface Cell {
  readonly stack: Stack;
  readonly alg: string;
  readonly accepted: boolean;
  readonly reason?: string;
}

/** Masks what differs from run to run (the server's port, the key id) in a refusal reason. */
export function cellOf(
  stack: Stack,
  alg: string,
  outcome: Outcome,
  masks: { origin: string; kid: string },
): Cell {
  if (outcome.accepted) return { stack, alg, accepted: true };
  const reason = outcome.reason
    .split('\n')[0]!
    .replaceAll(masks.origin, '<tessera>')
    .replaceAll(masks.kid, '<kid>');
  return { stack, alg, accepted: false, reason };
}

/** The Markdown table: one row per stack, one column per algorithm, refusals with their words. */
export function renderTable(
  cells: readonly Cell[],
  stacks: readonly Stack[],
  algs: readonly string[],
): string {
  const cell = (stack: Stack, alg: string): string => {
    const found = cells.find((c) => c.stack === stack && c.alg === alg);
    if (found === undefined) return 'not run';
    return found.accepted ? 'accepts' : `refuses: \`${found.reason ?? ''}\``.replaceAll('|', '\\|');
  };
  return [
    `| verifier | ${algs.join(' | ')} |`,
    `| --- | ${algs.map(() => '---').join(' | ')} |`,
    ...stacks.map((stack) => `| ${stack} | ${algs.map((alg) => cell(stack, alg)).join(' | ')} |`),
  ].join('\n');
}

/** The text between the README markers, trimmed; undefined when the markers are missing. */
export function readmeSection(readme: string): string | undefined {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start === -1 || end < start) return undefined;
  return readme.slice(start + README_START.length, end).trim();
}

/** The README with the section between the markers replaced by the table. */
export function withSection(readme: string, table: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start === -1 || end < start)
    throw new Error(`README.md lacks ${README_START} ... ${README_END}`);
  return `${readme.slice(0, start + README_START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}

/** A Markdown table with Prettier's alignment taken out: cells trimmed, separator rows as `---`. */
export function normalizeTable(table: string): string {
  return table
    .trim()
    .split('\n')
    .map((line) =>
      line
        .trim()
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/^:?-+:?$/, '---'))
        .join('|'),
    )
    .join('\n');
}
