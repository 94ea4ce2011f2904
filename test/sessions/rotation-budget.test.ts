// The store-held rotation budget (rotationsPerMinute) in the session core, on real SQLite and
// PostgreSQL: the refresh stays one store round trip, a flood on one session rotates at most the
// budget per window and gets grace answers or 429s (Retry-After at most half the grace window) for
// the rest, never a revocation, and the token a 429 names stays current.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTesseraError } from '../../src/errors/tessera-error.js';
import { decideRotationBudget, nextRotationWindow } from '../../src/sessions/rotation-budget.js';
import { createSessionManager } from '../../src/sessions/session-manager.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { SessionStore } from '../../src/store/session-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { POSTGRES_URL, useScratch } from '../support/scratch.js';
import { counted } from '../support/counted-store.js';
import { createClock } from '../support/session-stack.js';

const { directory, schema: freshSchema } = useScratch('rotation-budget');
const signAccessToken = () => ({ token: 'access', jti: 'j', iat: 0, exp: 0, expiresIn: 900 });
const GRACE_SECONDS = 30;
const PER_MINUTE = 3;

interface Answer {
  readonly outcome: string;
  readonly refreshToken?: string;
  readonly retryAfterSeconds?: number;
}

async function answerOf(work: Promise<{ grace: boolean; refreshToken: string }>): Promise<Answer> {
  try {
    const set = await work;
    return { outcome: set.grace ? 'grace' : 'rotated', refreshToken: set.refreshToken };
  } catch (error) {
    if (!isTesseraError(error)) throw error;
    const facts = error.facts as { retryAfterSeconds?: number } | undefined;
    return { outcome: error.code, retryAfterSeconds: facts?.retryAfterSeconds };
  }
}

describe('the rotation budget, decided', () => {
  it('allows under the budget or past the window, and says when the window frees a slot', () => {
    const spent = { rotationWindowStart: 1_000, rotationCount: 3 };
    expect(decideRotationBudget({ session: spent, now: 2_000, perMinute: 4 }).allowed).toBe(true);
    expect(decideRotationBudget({ session: spent, now: 2_000, perMinute: 3 })).toEqual({
      allowed: false,
      retryAfterSeconds: 59,
    });
    expect(decideRotationBudget({ session: spent, now: 61_000, perMinute: 3 }).allowed).toBe(true);
    expect(nextRotationWindow(spent, 2_000)).toEqual({
      rotationWindowStart: 1_000,
      rotationCount: 4,
    });
    expect(nextRotationWindow(spent, 61_000)).toEqual({
      rotationWindowStart: 61_000,
      rotationCount: 1,
    });
  });

  it('refuses a budget out of range', () => {
    for (const rotationsPerMinute of [0, -1, 2.5, 10_001, Number.NaN])
      expect(() =>
        createSessionManager({ store: {} as SessionStore, signAccessToken, rotationsPerMinute }),
      ).toThrow(/rotationsPerMinute/);
  });
});

const backends = [
  {
    name: 'sqlite',
    open: (): SessionStore =>
      createSqliteStore({
        database: new Database(join(directory, `${randomBytes(6).toString('hex')}.db`)),
      }),
  },
  {
    name: 'postgres',
    open: (): SessionStore =>
      createPostgresStore({
        pool: new pg.Pool({ connectionString: POSTGRES_URL, max: 8 }),
        schema: freshSchema('tessera_budget'),
      }),
  },
];

describe.each(backends)('the store-held rotation budget on $name', (backend) => {
  let inner: SessionStore;
  beforeAll(async () => {
    inner = backend.open();
    await inner.migrate();
  });
  afterAll(async () => {
    await inner.close();
  });

  function manager() {
    const { store, calls } = counted(inner);
    const clock = createClock();
    const sessions = createSessionManager({
      store,
      signAccessToken,
      now: clock,
      graceSeconds: GRACE_SECONDS,
      rotationsPerMinute: PER_MINUTE,
    });
    return { sessions, calls, clock };
  }

  it('rotates in one store round trip, and answers past the budget with a 429 that leaves the token current', async () => {
    const { sessions, calls } = manager();
    let token = (await sessions.issueSession('user-1', { transport: 'body' })).refreshToken;
    for (let i = 0; i < PER_MINUTE; i++) {
      calls.length = 0;
      const next = await sessions.refresh(token, { transport: 'body' });
      expect(calls).toEqual(['rotateByToken']);
      expect(next.grace).toBe(false);
      token = next.refreshToken;
    }
    const refused = await answerOf(sessions.refresh(token, { transport: 'body' }));
    expect(refused.outcome).toBe('RATE_LIMITED');
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(GRACE_SECONDS / 2);
  });

  it('gives a flood of one session at most the budget per window, the rest grace or 429, never a revocation', async () => {
    const { sessions, clock } = manager();
    const login = await sessions.issueSession('user-flood', { transport: 'body' });
    let previous: string | undefined;
    let current = login.refreshToken;
    const tally = new Map<string, number>();
    for (let window = 0; window < 3; window++) {
      let rotations = 0;
      for (let burst = 0; burst < PER_MINUTE + 3; burst++) {
        clock.advance(100);
        // The current token many times at once; the previous one beside it only while this burst
        // cannot rotate (a rotation would make it two behind: that is reuse, not this test).
        const spent = rotations === PER_MINUTE;
        const presented = [
          ...Array.from({ length: 12 }, () => current),
          ...(spent && previous !== undefined ? Array.from({ length: 12 }, () => previous) : []),
        ];
        const answers = await Promise.all(
          presented.map((token) => answerOf(sessions.refresh(token, { transport: 'body' }))),
        );
        for (const answer of answers) {
          tally.set(answer.outcome, (tally.get(answer.outcome) ?? 0) + 1);
          expect(['rotated', 'grace', 'RATE_LIMITED']).toContain(answer.outcome);
          if (answer.outcome === 'RATE_LIMITED') {
            expect(answer.retryAfterSeconds).toBeGreaterThanOrEqual(1);
            expect(answer.retryAfterSeconds).toBeLessThanOrEqual(GRACE_SECONDS / 2);
          }
        }
        const won = answers.filter((answer) => answer.outcome === 'rotated');
        expect(won.length).toBeLessThanOrEqual(1);
        const successors = new Set(
          answers.flatMap((a, i) =>
            a.refreshToken === undefined || presented[i] !== current ? [] : [a.refreshToken],
          ),
        );
        expect(successors.size).toBeLessThanOrEqual(1);
        if (won.length === 1) {
          rotations++;
          previous = current;
          current = won[0]?.refreshToken ?? '';
        } else {
          // Refused: every answer to the current token was a 429 and the previous token's grace
          // answers handed back the current one.
          for (const [i, answer] of answers.entries())
            if (presented[i] === current) expect(answer.outcome).toBe('RATE_LIMITED');
            else expect(answer).toMatchObject({ outcome: 'grace', refreshToken: current });
        }
        expect(rotations).toBeLessThanOrEqual(PER_MINUTE);
      }
      expect(rotations).toBe(PER_MINUTE);
      clock.advance(60_000);
    }
    const row = await inner.findSession(login.sessionId);
    expect(row).toMatchObject({ revokedAt: null, generation: 3 * PER_MINUTE });
    expect(tally.get('RATE_LIMITED')).toBeGreaterThan(0);
    expect(tally.get('grace')).toBeGreaterThan(0);
  });
});
