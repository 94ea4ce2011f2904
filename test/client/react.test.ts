import { describe, expect, it } from 'vitest';
import { createAuthHooks, type ReactLike } from '../../src/client/react.js';
import { makeClient } from './client-harness.js';
import { createFakeServer, createWorld } from './fake-auth-server.js';

// A one-component React stand-in: renders on subscription changes, as useSyncExternalStore does.
function createRenderer(render: () => void): ReactLike & { renders: number } {
  let subscribed = false;
  const fake = {
    renders: 0,
    useSyncExternalStore<T>(
      subscribe: (onChange: () => void) => () => void,
      getSnapshot: () => T,
    ): T {
      if (!subscribed) {
        subscribed = true;
        subscribe(() => {
          fake.renders++;
          render();
        });
      }
      return getSnapshot();
    },
  };
  return fake;
}

describe('tessera-auth/react', () => {
  it('re-renders with the new state on sign-in and logout, and exposes the actions', async () => {
    const world = createWorld();
    const server = createFakeServer(world);
    const client = makeClient(world, server.handle);
    const seen: string[] = [];
    const holder: { hooks?: ReturnType<typeof createAuthHooks> } = {};
    const render = (): void => {
      const auth = holder.hooks!.useAuth();
      seen.push(`${auth.status}:${auth.sessionId === null ? '-' : 'sid'}`);
    };
    const react = createRenderer(render);
    const hooks = (holder.hooks = createAuthHooks(react, client));
    render();
    await hooks.useAuth().login('ada@example.com', 'correct horse');
    await hooks.useAuth().logout();
    expect(seen[0]).toBe('unknown:-');
    expect(seen).toContain('signed-in:sid');
    expect(seen.at(-1)).toBe('signed-out:-');
    expect(hooks.useSession()).toBe(client.getState());
  });
});
