import { createAuthClient } from '../../src/client/auth-client.js';
import { createMemoryStorage } from '../../src/client/token-storage.js';
import type { AuthClientOptions, AuthEvents } from '../../src/client/types.js';
import type { World } from './fake-auth-server.js';

export const BASE = 'https://auth.test';

/** A client on the simulated world, recording its events. */
export function makeClient(
  world: World,
  handle: (request: Request) => Promise<Response>,
  extra: Partial<AuthClientOptions> = {},
) {
  const client = createAuthClient({
    baseUrl: BASE,
    transport: 'body',
    storage: createMemoryStorage(),
    fetch: handle,
    clocks: world.clocks,
    setTimer: world.setTimer,
    tabs: null,
    lifecycle: null,
    ...extra,
  });
  const events: { name: keyof AuthEvents; event: AuthEvents[keyof AuthEvents] }[] = [];
  for (const name of ['tokenRefreshed', 'loggedOut', 'error'] as const)
    client.on(name, (event) => events.push({ name, event }));
  return Object.assign(client, { events });
}
