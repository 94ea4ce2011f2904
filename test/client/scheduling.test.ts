// Short lifetimes, down to the server's 1 s minimum: about one refresh per token lifetime per device
// (tabs coordinated), and never an expired token sent. Injected clocks and timers: no wall-clock waits.
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/client/token-storage.js';
import { BASE, makeClient } from './client-harness.js';
import { createFakeServer, createTabHub, createWorld } from './fake-auth-server.js';

const LIFETIMES = 30;

/** Runs LIFETIMES token lifetimes, each tab calling the API every seventh of one (never on a margin edge). */
async function run(ttlS: number, tabCount: number) {
  const world = createWorld();
  const server = createFakeServer(world, { ttlS, graceS: 5 });
  const hub = createTabHub();
  const jar = createMemoryStorage();
  const tabs = Array.from({ length: tabCount }, () =>
    makeClient(world, server.handle, {
      storage: jar,
      tabs: tabCount > 1 ? hub.join() : null,
    }),
  );
  await tabs[0]!.login('ada@example.com', 'correct horse');
  await world.advance(0);
  const step = (ttlS * 1000) / 7;
  const statuses: number[] = [];
  for (let elapsed = 0; elapsed < LIFETIMES * ttlS * 1000; elapsed += step) {
    await world.advance(step);
    for (const tab of tabs) statuses.push((await tab.fetch(`${BASE}/api/hello`)).status);
  }
  const perLifetime = server.stats.refresh / LIFETIMES;
  console.info(
    `[scheduling] ${ttlS} s tokens, ${tabCount} tab(s): ${perLifetime.toFixed(2)} per lifetime`,
  );
  return { perLifetime, statuses, tabs };
}

describe('refresh scheduling', () => {
  for (const ttlS of [1, 2, 4, 60]) {
    it(`${ttlS} s tokens: one refresh per lifetime (at most 1.25), every request with a live token`, async () => {
      const { perLifetime, statuses, tabs } = await run(ttlS, 1);
      // A fifth of the lifetime early at most, half of that at least (the tab's jitter): 1.11 to 1.25.
      expect(perLifetime).toBeGreaterThanOrEqual(1);
      expect(perLifetime).toBeLessThanOrEqual(1.25);
      // The fake server answers 401 TOKEN_EXPIRED to a token past its end: none was ever sent.
      expect(statuses.every((status) => status === 200)).toBe(true);
      expect(tabs[0]!.getState().status).toBe('signed-in');
    });
  }

  it('three tabs on 1 s tokens still make about one refresh per lifetime for the device', async () => {
    const { perLifetime, statuses, tabs } = await run(1, 3);
    expect(perLifetime).toBeGreaterThanOrEqual(1);
    expect(perLifetime).toBeLessThanOrEqual(1.25);
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(tabs.map((tab) => tab.getState().status)).toEqual(Array(3).fill('signed-in'));
  });
});
