// The bench's closing verdicts: every section's targets gathered, with figure, spread and verdict, so
// a target a section judged can never drop out of the table or the JSON line.
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript bench module without type declarations
import { collectTargets, formatTargets, summariseTargets } from '../../bench/lib/targets.js';

interface Verdict {
  section: string;
  target: string;
  figure: number | null;
  spreadPct: number | null;
  met: boolean;
  cpuMet?: boolean;
}

const results = {
  node: 'v20',
  verify: {
    targets: {
      'RS256 tessera >= 0.9x raw': {
        value: { median: 0.8123, spreadPct: 7.5 },
        met: false,
        cpuValue: { median: 0.93, spreadPct: 3 },
        cpuMet: true,
      },
    },
  },
  revocation: { targets: { 'sqlite p95 revocation lag <= 1000 ms': { value: 199, met: true } } },
  audit: { ratioToFloor: 0.85 },
  skipped: { targets: { 'never ran': { value: 1, met: true } } },
};

describe('bench targets', () => {
  it('gathers the targets of the sections that ran, in run order, with figure, spread and verdict', () => {
    const list = collectTargets(results, ['revocation', 'audit', 'verify']) as Verdict[];
    expect(list).toEqual([
      {
        section: 'revocation',
        target: 'sqlite p95 revocation lag <= 1000 ms',
        figure: 199,
        spreadPct: null,
        met: true,
      },
      {
        section: 'verify',
        target: 'RS256 tessera >= 0.9x raw',
        figure: 0.812,
        spreadPct: 7.5,
        met: false,
        cpuMet: true,
      },
    ]);
  });

  it('counts met and missed, and prints MISSED for a missed target', () => {
    const list = collectTargets(results, ['verify', 'revocation']) as Verdict[];
    const summary = summariseTargets(list) as { met: number; missed: number };
    expect([summary.met, summary.missed]).toEqual([1, 1]);
    const lines = formatTargets(list) as string[];
    expect(lines[0]).toMatch(/^verdict\s+section\s+target\s+figure\s+spread %$/);
    expect(lines[1]).toMatch(/^MISSED\s+verify\s+RS256 tessera >= 0\.9x raw\s+0\.812\s+7\.5$/);
    expect(lines[2]).toMatch(/^met\s+revocation\s+sqlite p95 revocation lag <= 1000 ms\s+199\s+-$/);
  });

  it('treats a target without an explicit met: true as missed', () => {
    const list = collectTargets({ x: { targets: { t: { value: 2 } } } }, ['x']) as Verdict[];
    expect(list[0]?.met).toBe(false);
  });
});
