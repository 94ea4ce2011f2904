import { describe, expect, it } from 'vitest';
import { findingMatches, scoreRepository, tally } from '../../corpus/score.js';

const label = { file: 'src/auth.js', line: 10, rule: 'tessera/require-expiry' };

describe('corpus scoring', () => {
  it('matches a finding to a label only on the same file and rule, within three lines', () => {
    const at = (line: number, extra = {}): boolean =>
      findingMatches(
        { file: 'src/auth.js', line, ruleId: 'tessera/require-expiry', ...extra },
        label,
      );
    expect([at(7), at(13), at(6), at(14)]).toEqual([true, true, false, false]);
    expect(at(10, { ruleId: 'tessera/max-token-lifetime' })).toBe(false);
    expect(at(10, { file: 'src/other.js' })).toBe(false);
  });

  it('widens the window to a whole labelled handler', () => {
    const handler = { ...label, line: 20, endLine: 40 };
    const finding = { file: 'src/auth.js', line: 38, ruleId: 'tessera/require-expiry' };
    expect(findingMatches(finding, handler)).toBe(true);
    expect(findingMatches({ ...finding, line: 44 }, handler)).toBe(false);
  });

  it('counts strict precision over findings and recall over labels, per rule', () => {
    const other = { file: 'src/a.js', line: 3, rule: 'tessera/no-hardcoded-secret' };
    const score = scoreRepository(
      [
        { file: 'src/auth.js', line: 10, ruleId: 'tessera/require-expiry' },
        { file: 'src/auth.js', line: 11, ruleId: 'tessera/require-expiry' },
        { file: 'src/x.js', line: 1, ruleId: 'tessera/require-expiry' },
      ],
      [label, other],
    );
    const { rules, total } = tally([score]);
    expect(rules['tessera/require-expiry']).toEqual({
      tp: 2,
      fp: 1,
      found: 1,
      missed: 0,
      precision: 2 / 3,
      recall: 1,
    });
    expect(rules['tessera/no-hardcoded-secret']?.recall).toBe(0);
    expect(rules['tessera/no-hardcoded-secret']?.precision).toBeNull();
    expect(total.recall).toBe(0.5);
  });
});
