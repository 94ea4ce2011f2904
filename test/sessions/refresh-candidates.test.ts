// The pure choice among several presented refresh cookies (the HTTP attack tests are in
// test/http/refresh-cookie-planting.test.ts): live beats everything, live sessions of two users are a
// conflict, a stale token is still acted on when nothing is live, and the refusal is the most telling.
import { describe, expect, it } from 'vitest';
import { TesseraError } from '../../src/errors/tessera-error.js';
import {
  chooseRefreshCandidate,
  type RefreshCandidate,
} from '../../src/sessions/refresh-candidates.js';

const live = (value: string, userId: string, lastUsedAt: number): RefreshCandidate => ({
  value,
  verdict: 'current',
  sessionId: `s-${value}`,
  userId,
  lastUsedAt,
});
const refused = (value: string, verdict: 'dead' | 'unknown' | 'malformed'): RefreshCandidate => ({
  value,
  verdict,
  refusal: new TesseraError(
    verdict === 'dead'
      ? 'SESSION_EXPIRED'
      : verdict === 'unknown'
        ? 'REFRESH_TOKEN_UNKNOWN'
        : 'REFRESH_TOKEN_MALFORMED',
    verdict,
  ),
});

describe('chooseRefreshCandidate', () => {
  it('takes the live one wherever it stands', () => {
    for (const others of [
      [refused('u', 'unknown')],
      [refused('m', 'malformed'), refused('d', 'dead')],
    ]) {
      expect(chooseRefreshCandidate([...others, live('real', 'alice', 5)])).toEqual({
        kind: 'refresh',
        value: 'real',
        live: true,
      });
      expect(chooseRefreshCandidate([live('real', 'alice', 5), ...others])).toMatchObject({
        value: 'real',
      });
    }
  });

  it('ignores a stale token when a live one is there (an old Domain cookie of the same session)', () => {
    const stale: RefreshCandidate = { ...live('old', 'alice', 5), verdict: 'reuse' };
    expect(chooseRefreshCandidate([stale, live('real', 'alice', 5)])).toMatchObject({
      value: 'real',
      live: true,
    });
  });

  it('prefers the current token to a grace one, then the most recently used session of the user', () => {
    const grace: RefreshCandidate = { ...live('prev', 'alice', 9), verdict: 'grace' };
    expect(chooseRefreshCandidate([grace, live('cur', 'alice', 1)])).toMatchObject({
      value: 'cur',
    });
    expect(
      chooseRefreshCandidate([live('older', 'alice', 1), live('newer', 'alice', 7)]),
    ).toMatchObject({ value: 'newer' });
  });

  it('answers live sessions of two users with a conflict naming both sessions', () => {
    expect(chooseRefreshCandidate([live('a', 'alice', 1), live('m', 'mallory', 9)])).toEqual({
      kind: 'conflict',
      sessionIds: ['s-m', 's-a'],
    });
  });

  it('acts on a stale token when nothing is live, so reuse detection cannot be switched off', () => {
    const stale: RefreshCandidate = { ...live('old', 'alice', 5), verdict: 'reuse' };
    expect(chooseRefreshCandidate([refused('u', 'unknown'), stale])).toEqual({
      kind: 'refresh',
      value: 'old',
      live: false,
    });
  });

  it('refuses with the most telling refusal: dead, then unknown, then malformed', () => {
    const codeOf = (candidates: RefreshCandidate[]): string => {
      const choice = chooseRefreshCandidate(candidates);
      return choice.kind === 'refuse' ? choice.error.code : choice.kind;
    };
    expect(codeOf([refused('m', 'malformed'), refused('u', 'unknown'), refused('d', 'dead')])).toBe(
      'SESSION_EXPIRED',
    );
    expect(codeOf([refused('m', 'malformed'), refused('u', 'unknown')])).toBe(
      'REFRESH_TOKEN_UNKNOWN',
    );
    expect(codeOf([refused('m', 'malformed')])).toBe('REFRESH_TOKEN_MALFORMED');
    expect(codeOf([])).toBe('REFRESH_TOKEN_MISSING');
  });
});
