import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessTokenSigner, generateKeyMaterial, Keyring } from '../../src/index.js';
import { createMemoryRateLimiter, createRotationLimit } from '../../src/http/rate-limit.js';
import type { RotationLimit } from '../../src/sessions/rotation-limit.js';
import { createSessionManager } from '../../src/sessions/session-manager.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { SessionStore } from '../../src/store/session-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { POSTGRES_URL, useScratch } from '../support/scratch.js';
import { AUDIENCE, createClock, ISSUER } from '../support/session-stack.js';
import { playClient, stepArbitrary, type Played, type Step } from './obedient-client.js';
import { scheduled, type Gate } from '../support/scheduled.js';

// The invariant of the per-session refresh limit, as a property on both stores: a client that obeys
// every answer (Retry-After included; see obedient-client.ts) never gets REFRESH_TOKEN_REUSED or
// REVOKED and ends on one chain, whatever the interleaving of its parallel refreshes, 429s, waits and
// device-clock jumps. fast-check's scheduler orders every store and limiter call of requests started
// together, so "all decide rotate before any commits" and "the refused check runs after the winner's
// charge" are both reached. Also checked: a 429 only ever answers the current token (no rotation in
// its burst) and its Retry-After is at most half the grace window (at least 1 s).
const { directory, schema: freshSchema } = useScratch('rate-limit');

interface Backend {
  readonly name: string;
  readonly runs: number;
  open(): SessionStore;
}

const backends: Backend[] = [
  {
    name: 'sqlite',
    runs: 120,
    open: () =>
      createSqliteStore({
        database: new Database(join(directory, `${randomBytes(6).toString('hex')}.db`)),
      }),
  },
  {
    name: 'postgres',
    runs: 60,
    open: () =>
      createPostgresStore({
        pool: new pg.Pool({ connectionString: POSTGRES_URL, max: 8 }),
        schema: freshSchema('tessera_rl'),
      }),
  },
];

const idOf = (refreshToken: string): string => refreshToken.slice(4).split('.')[0] as string;

/** Checks the invariants over one played plan; returns the outcome counts for the tally. */
function checkPlayed(
  played: Played,
  limits: { graceSeconds: number; perMinute: number },
  current: { generation: number; revoked: boolean },
  heldGeneration: number,
): string[] {
  const seen: string[] = [];
  const rotations: number[] = [];
  const cap = Math.max(1, Math.floor(limits.graceSeconds / 2));
  for (const burst of played.bursts) {
    const sets = burst.answers.flatMap((answer) => (answer.set === undefined ? [] : [answer.set]));
    for (const answer of burst.answers) {
      seen.push(answer.code ?? (answer.set?.grace === true ? 'grace' : 'rotated'));
      if (answer.lost) seen.push('lost');
      // The obedient client is never refused for anything but coming too often.
      expect([undefined, 'RATE_LIMITED']).toContain(answer.code);
      if (answer.code !== 'RATE_LIMITED') continue;
      expect(answer.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(answer.retryAfterSeconds).toBeLessThanOrEqual(cap);
      if (limits.graceSeconds >= 2)
        expect(answer.retryAfterSeconds).toBeLessThan(limits.graceSeconds);
      // Only the current token is limited, and never while its rotation happens.
      expect(answer.presentedGeneration).toBe(burst.before);
      expect(burst.after).toBe(burst.before);
    }
    // One chain per burst: at most one rotation, every answer the same successor.
    expect(sets.filter((set) => !set.grace).length).toBeLessThanOrEqual(1);
    expect(new Set(sets.map((set) => set.refreshToken)).size).toBeLessThanOrEqual(1);
    expect(burst.after - burst.before).toBeLessThanOrEqual(1);
    if (burst.after > burst.before) rotations.push(burst.at);
  }
  expect(played.forks).toEqual([]);
  expect(current.revoked).toBe(false);
  expect(heldGeneration).toBe(current.generation);
  // Fixed 60 s windows: any 60 s span holds at most two windows' worth of rotations.
  for (const at of rotations)
    expect(rotations.filter((t) => t >= at && t < at + 60_000).length).toBeLessThanOrEqual(
      2 * limits.perMinute,
    );
  return seen;
}

// Each store twice: the limit as a rate limiter the core asks between read and swap (a limit of
// one's own), and as the store-held budget of the swap itself (rotationsPerMinute, one round trip).
const cases = backends.flatMap((backend) =>
  (['limiter', 'store'] as const).map((held) => ({ ...backend, held })),
);

describe.each(cases)('the per-session refresh limit on $name, held by the $held', (backend) => {
  let store: SessionStore;
  const clock = createClock();
  let keyring: Keyring;
  const tally = new Map<string, number>();

  beforeAll(async () => {
    store = backend.open();
    await store.migrate();
    const key = await generateKeyMaterial({ alg: 'EdDSA' });
    keyring = new Keyring({ entries: [{ key, createdAt: 0, activatesAt: 0 }], now: clock });
  });
  afterAll(async () => {
    await store.close();
  });

  async function world(options: {
    graceSeconds: number;
    perMinute: number;
    accessTtlSeconds: number;
    gate: Gate;
  }) {
    const { gate } = options;
    const rotationLimit: RotationLimit = scheduled(
      createRotationLimit(createMemoryRateLimiter({ now: clock }), {
        perMinute: options.perMinute,
      }),
      gate,
    );
    const limit =
      backend.held === 'store' ? { rotationsPerMinute: options.perMinute } : { rotationLimit };
    const sessions = createSessionManager({
      store: scheduled(store, gate),
      signAccessToken: createAccessTokenSigner({
        keys: keyring,
        issuer: ISSUER,
        audience: AUDIENCE,
        ttlSeconds: options.accessTtlSeconds,
        now: clock,
      }),
      now: clock,
      graceSeconds: options.graceSeconds,
      ...limit,
    });
    return { sessions };
  }

  it('never lets an obedient client be revoked, whatever the interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.record({
          graceSeconds: fc.constantFrom(0, 1, 2, 5, 30),
          perMinute: fc.constantFrom(1, 2, 3, 5),
          accessTtlSeconds: fc.constantFrom(1, 5, 20, 120),
        }),
        fc.array(stepArbitrary, { minLength: 1, maxLength: 10 }),
        async (scheduler, limits, plan: Step[]) => {
          clock.advance(86_400_000);
          const gate: Gate = { scheduler: undefined };
          const { sessions } = await world({ ...limits, gate });
          const login = await sessions.issueSession(`user-${randomBytes(4).toString('hex')}`, {
            transport: 'body',
          });
          const generationOf = async (token: string): Promise<number> =>
            (await store.findRefreshToken(idOf(token)))?.token.generation ?? -1;
          gate.scheduler = scheduler;
          const played = await playClient(
            {
              sessions,
              clock,
              graceMs: limits.graceSeconds * 1000,
              accessTtlMs: limits.accessTtlSeconds * 1000,
              generationOf,
              currentGeneration: async () =>
                (await store.findSession(login.sessionId))?.generation ?? -1,
              together: (work) => scheduler.waitFor(work),
            },
            login,
            plan,
          );
          gate.scheduler = undefined;
          const row = await store.findSession(login.sessionId);
          const seen = checkPlayed(
            played,
            limits,
            { generation: row?.generation ?? -1, revoked: row?.revokedAt !== null },
            await generationOf(played.held),
          );
          for (const outcome of seen) tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
        },
      ),
      { numRuns: backend.runs },
    );
    console.info(
      `[rate-limit ${backend.name} ${backend.held}] ${JSON.stringify(Object.fromEntries(tally))}`,
    );
    // The runs reached every path the invariant speaks about.
    for (const path of ['rotated', 'grace', 'RATE_LIMITED', 'lost'])
      expect(tally.get(path)).toBeGreaterThan(0);
  });
});
