// Fifty parallel refreshes of one token over HTTP, twenty trials, against a real server on SQLite and
// on PostgreSQL. They are one client's race (tabs, retries): every answer must be the same successor,
// from exactly one rotation, and none a 429, including when the race lands on the last rotation the
// session's per-minute budget allows. Before the limit counted rotations (it counted every request
// that decided to rotate, before any had committed), this drew 429s with a Retry-After of up to 60 s,
// twice the grace window, and a client that waited it out then presented a now-previous token and was
// logged out as a thief.
import { describe, expect, it } from 'vitest';
import { defaultRotationsPerMinute } from '../../src/sessions/rotation-limit.js';
import { expectProblem, type Client, type SignedIn } from './support/client.js';
import { useListeningServer } from './support/listening-server.js';
import { type TestServer } from './support/server-kit.js';

const BURST = 50;
const TRIALS = 20;
/** The test servers' access lifetime (server-kit: 120 s) decides the default budget. */
const BUDGET = defaultRotationsPerMinute(120);
/** The test servers' grace window (server-kit: 5 s). */
const GRACE_SECONDS = 5;

interface TokenBody {
  readonly refresh_token: string;
  readonly grace: boolean;
}

describe.each(['sqlite', 'postgres'] as const)('a refresh race on %s over HTTP', (kind) => {
  let test: TestServer;
  let client: Client;
  useListeningServer(kind, 'flood', (started) => ({ test, client } = started));

  const generationOf = async (user: SignedIn): Promise<number> =>
    (await test.server.store.findSession(user.sessionId))?.generation ?? -1;

  /** Rotates the session one at a time, `times` times; returns the user holding the newest token. */
  async function rotate(user: SignedIn, times: number): Promise<SignedIn> {
    let current = user;
    for (let i = 0; i < times; i++) {
      const response = await client.refresh(current);
      expect(response.status).toBe(200);
      current = { ...current, refreshToken: ((await response.json()) as TokenBody).refresh_token };
    }
    return current;
  }

  /** Fifty refreshes of the user's token at once: their statuses and bodies. */
  async function race(user: SignedIn): Promise<{ statuses: number[]; bodies: TokenBody[] }> {
    const responses = await Promise.all(Array.from({ length: BURST }, () => client.refresh(user)));
    const statuses = responses.map((response) => response.status);
    const bodies = (await Promise.all(responses.map((response) => response.json()))) as TokenBody[];
    return { statuses, bodies };
  }

  it(`answers ${BURST} parallel refreshes with one successor, no 429, in ${TRIALS} trials`, async () => {
    const started = Date.now();
    let limited = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      // Every other trial starts one rotation short of the budget: the race takes the last slot.
      const user = await rotate(await client.signup(), trial % 2 === 0 ? 0 : BUDGET - 1);
      const before = await generationOf(user);
      const { statuses, bodies } = await race(user);
      limited += statuses.filter((status) => status === 429).length;
      expect(
        statuses.filter((status) => status !== 200),
        `trial ${trial}`,
      ).toEqual([]);
      expect(bodies.filter((body) => !body.grace)).toHaveLength(1);
      expect(new Set(bodies.map((body) => body.refresh_token)).size).toBe(1);
      expect(await generationOf(user)).toBe(before + 1);
    }
    expect(limited).toBe(0);
    console.info(
      `[refresh-flood ${kind}] ${TRIALS} trials of ${BURST} in ${Date.now() - started} ms`,
    );
  });

  it('limits only the current token, for less than the grace window, and a retry then goes through', async () => {
    const previous = await rotate(await client.signup(), BUDGET - 1);
    const { bodies } = await race(previous);
    const current = { ...previous, refreshToken: bodies[0]?.refresh_token ?? '' };
    // The budget is spent: the current token is refused, and only for a moment.
    const refused = await client.refresh(current);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(Math.floor(GRACE_SECONDS / 2));
    await expectProblem(refused, 429, 'RATE_LIMITED');
    // The refusal changed nothing: the previous token still gets its grace answer, never a 429.
    expect(await (await client.refresh(previous)).json()).toMatchObject({
      grace: true,
      refresh_token: current.refreshToken,
    });
    expect(await generationOf(current)).toBe(BUDGET);
    // A client that keeps obeying Retry-After with the token it holds is answered once the window
    // frees a slot: the server's clock moves, no one sleeps.
    const at = test.now();
    try {
      let answer = refused;
      for (let waited = 0; answer.status !== 200; waited += retryAfter) {
        expect(waited).toBeLessThanOrEqual(61);
        test.setClock(at + (waited + retryAfter) * 1000);
        answer = await client.refresh(current);
        expect([200, 429]).toContain(answer.status);
        if (answer.status === 429) {
          expect(Number(answer.headers.get('retry-after'))).toBeLessThanOrEqual(retryAfter);
          await expectProblem(answer, 429, 'RATE_LIMITED');
        }
      }
      expect(await answer.json()).toMatchObject({ grace: false });
      expect(await generationOf(current)).toBe(BUDGET + 1);
    } finally {
      test.setClock(undefined);
    }
  });
});
