import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/client/token-storage.js';
import type { LifecycleTarget } from '../../src/client/types.js';
import { makeClient } from './client-harness.js';
import { createFakeServer, createWorld, flush } from './fake-auth-server.js';

function createLifecycle(): LifecycleTarget & { fire(name: string): void } {
  const listeners = new Map<string, Set<() => void>>();
  return {
    addEventListener: (name, listener) =>
      void (listeners.get(name) ?? listeners.set(name, new Set()).get(name)!).add(listener),
    removeEventListener: (name, listener) => void listeners.get(name)?.delete(listener),
    fire: (name) => listeners.get(name)?.forEach((listener) => listener()),
  };
}

describe('resume, online and visibility', () => {
  it('refreshes on wake only when the token is near expiry', async () => {
    const world = createWorld();
    const server = createFakeServer(world, { ttlS: 60 });
    const lifecycle = createLifecycle();
    const client = makeClient(world, server.handle, { lifecycle, proactiveRefresh: false });
    await client.login('ada@example.com', 'correct horse');
    lifecycle.fire('visibilitychange');
    lifecycle.fire('online');
    await flush();
    expect(server.stats.refresh).toBe(0);
    // Asleep for ten minutes: timers did not run, the monotonic clock stood still.
    world.sleep(600_000);
    lifecycle.fire('pageshow');
    await flush();
    expect(server.stats.refresh).toBe(1);
    expect(client.remainingMs()).toBeGreaterThan(59_000);
  });

  it('picks the session up on wake when its state is unknown', async () => {
    const world = createWorld();
    const server = createFakeServer(world, { ttlS: 60 });
    const storage = createMemoryStorage();
    await makeClient(world, server.handle, { storage, lifecycle: null }).login(
      'ada@example.com',
      'correct horse',
    );
    const lifecycle = createLifecycle();
    const client = makeClient(world, server.handle, { storage, lifecycle });
    expect(client.getState().status).toBe('unknown');
    lifecycle.fire('online');
    await flush();
    expect(client.getState().status).toBe('signed-in');
    expect(server.stats.refresh).toBe(1);
  });

  it('stops listening after close()', async () => {
    const world = createWorld();
    const server = createFakeServer(world, { ttlS: 60 });
    const lifecycle = createLifecycle();
    const client = makeClient(world, server.handle, { lifecycle, proactiveRefresh: false });
    await client.login('ada@example.com', 'correct horse');
    client.close();
    world.sleep(600_000);
    lifecycle.fire('online');
    await flush();
    expect(server.stats.refresh).toBe(0);
  });
});
