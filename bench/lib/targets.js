// Every section judges its own targets (`targets: { [statement]: { value, met, ... } }` in its result);
// this gathers them into one verdict list for the table at the end and the JSON line, so a reader sees
// every target of the run, met or missed, with its figure and spread, in one place.
import { formatTable } from './stats.js';

/**
 * One target as the JSON line carries it: the section, the statement (which holds the threshold), the
 * figure (a number, or the median of a ratio), its spread when the section measured one, and the verdict.
 */
function normalise(section, statement, target) {
  const value = target.value;
  const figure = typeof value === 'number' ? value : (value?.median ?? null);
  const spreadPct =
    typeof value === 'object' && value !== null && typeof value.spreadPct === 'number'
      ? value.spreadPct
      : typeof target.spreadPct === 'number'
        ? target.spreadPct
        : null;
  return {
    section,
    target: statement,
    figure: typeof figure === 'number' ? Math.round(figure * 1000) / 1000 : null,
    spreadPct,
    met: target.met === true,
    ...(target.cpuMet === undefined ? {} : { cpuMet: target.cpuMet === true }),
    ...(target.note === undefined ? {} : { note: target.note }),
  };
}

/** Every section's targets, in run order, normalised. */
export function collectTargets(results, sections) {
  const list = [];
  for (const section of sections) {
    const targets = results[section]?.targets;
    if (targets === undefined || targets === null) continue;
    for (const [statement, target] of Object.entries(targets))
      list.push(normalise(section, statement, target));
  }
  return list;
}

/** The closing table: one line per target, `met` or `MISSED`, figure and spread beside. */
export function formatTargets(list) {
  const rows = [['verdict', 'section', 'target', 'figure', 'spread %']];
  for (const t of list)
    rows.push([t.met ? 'met' : 'MISSED', t.section, t.target, t.figure ?? '-', t.spreadPct ?? '-']);
  return formatTable(rows);
}

/** Counts for the JSON line's summary. */
export function summariseTargets(list) {
  const met = list.filter((t) => t.met).length;
  return { met, missed: list.length - met, list };
}
