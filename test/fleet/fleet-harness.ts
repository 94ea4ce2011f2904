import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createAuthClient } from '../../src/client/auth-client.js';
import type { AuthClient } from '../../src/client/types.js';
import { REFRESH_COOKIE } from '../../src/wire/names.js';
import { createTabHub } from '../client/fake-auth-server.js';

// A simulated fleet: devices with 1–5 tabs that share one cookie jar and one tab hub (the lock and
// channel of one browser), device clocks skewed, refresh responses lost after the server committed
// them, and every request sent to one of several real `tessera serve` processes, like a load balancer.

const BIN = join(import.meta.dirname, '../../bin/tessera.js');

/** The names the fleet's clients use; the harness maps them onto the real server processes. */
export const AUTH_ORIGIN = 'http://auth.fleet.test';
export const APP_ORIGIN = 'http://app.fleet.test';

/** One `tessera serve` process. */
export interface FleetNode {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts a `tessera serve` process with the fleet's settings; resolves once it listens.
 *
 * @example
 * ```ts
 * const node = await startNode({ store: ['--db', file], keySecret });
 * ```
 */
export async function startNode(options: {
  store: readonly string[];
  keySecret: string;
  accessTtl: string;
}): Promise<FleetNode> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      ...options.store,
      '--port',
      '0',
      '--issuer',
      AUTH_ORIGIN,
      '--audience',
      'fleet',
      '--access-ttl',
      options.accessTtl,
      '--leeway',
      '0s',
      '--allowed-origins',
      APP_ORIGIN,
      '--trust-proxy',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TESSERA_KEY_SECRET: options.keySecret, TESSERA_LOG_LEVEL: 'info' },
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /"port":(\d+)/.exec(seen);
      if (match) resolve(`http://127.0.0.1:${match[1]}`);
      // Keep only the tail: the request log of a busy node is long and nothing else is read from it.
      if (seen.length > 4096) seen = seen.slice(-512);
    });
    child.once('exit', (code) => reject(new Error(`tessera serve exited ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** What the fleet saw, counted at the network edge and at the clients. */
export interface FleetCounts {
  userRequests: number;
  failedUserRequests: number;
  refreshes: number;
  lostRefreshResponses: number;
  status429: number;
  status5xx: number;
  logouts: string[];
  /** Refreshes per device per access lifetime of activity (signup and tab opening included). */
  refreshesPerExpiry: number;
}

/** A fresh set of counts. */
export function emptyCounts(): FleetCounts {
  return {
    userRequests: 0,
    failedUserRequests: 0,
    refreshes: 0,
    lostRefreshResponses: 0,
    status429: 0,
    status5xx: 0,
    logouts: [],
    refreshesPerExpiry: 0,
  };
}

/** One device: its tabs (clients) sharing a jar and a hub. */
export interface Device {
  readonly tabs: AuthClient[];
  readonly email: string;
}

/**
 * Builds a device: a cookie jar, a network path through `pick()` (one of the nodes per request),
 * a device clock skewed by `skewMs`, and the first tab. More tabs join with `openTab`.
 *
 * @example
 * ```ts
 * const device = createDevice({ index: 7, nodes, counts, skewMs: 300_000, lossRate: 0.05 });
 * ```
 */
export function createDevice(options: {
  index: number;
  nodes: readonly FleetNode[];
  counts: FleetCounts;
  skewMs: number;
  lossRate: number;
  random: () => number;
}): { device: Device; openTab: () => AuthClient } {
  const { counts, random } = options;
  let cookie: string | undefined;
  // Every device comes from its own address, so per-address login limits see a fleet, not one host.
  const address = `198.18.${options.index >> 8}.${options.index & 255}`;
  const network = async (request: Request): Promise<Response> => {
    const node = options.nodes[Math.floor(random() * options.nodes.length)] as FleetNode;
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.set('origin', APP_ORIGIN);
    headers.set('x-forwarded-for', address);
    // Behind the fleet's proxy the auth server is auth.fleet.test: one site with the app, as deployed.
    headers.set('x-forwarded-host', new URL(AUTH_ORIGIN).host);
    if (url.pathname.startsWith('/auth') && cookie !== undefined)
      headers.set('cookie', `${REFRESH_COOKIE}=${cookie}`);
    const body = request.method === 'GET' ? undefined : await request.arrayBuffer();
    const response = await fetch(`${node.url}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      body,
    });
    const text = await response.arrayBuffer();
    if (response.status === 429) counts.status429++;
    if (response.status >= 500) counts.status5xx++;
    if (url.pathname === '/auth/refresh') {
      counts.refreshes++;
      // The server has committed; the answer (and its Set-Cookie) never reaches the device.
      if (response.ok && random() < options.lossRate) {
        counts.lostRefreshResponses++;
        throw new TypeError('fetch failed (response lost on the way back)');
      }
    }
    for (const line of response.headers.getSetCookie()) {
      const match = new RegExp(`^${REFRESH_COOKIE}=([^;]*)`).exec(line);
      if (match === null) continue;
      cookie = /max-age=0\b/i.test(line) || match[1] === '' ? undefined : match[1];
    }
    return new Response(text, { status: response.status, headers: response.headers });
  };
  const hub = createTabHub();
  const skew = options.skewMs;
  const tabs: AuthClient[] = [];
  const openTab = (): AuthClient => {
    const tab = createAuthClient({
      baseUrl: AUTH_ORIGIN,
      transport: 'cookie',
      fetch: network,
      clocks: { now: () => Date.now() + skew, monotonic: () => performance.now() },
      tabs: hub.join(),
      lifecycle: null,
    });
    // Nobody in the fleet ever asks to log out: every loggedOut is one nobody asked for.
    tab.on('loggedOut', ({ reason }) => counts.logouts.push(reason));
    tabs.push(tab);
    return tab;
  };
  return { device: { tabs, email: `fleet-${options.index}@example.com` }, openTab };
}

/**
 * A seeded generator (mulberry32), so a failing fleet run can be replayed with its seed.
 *
 * @example
 * ```ts
 * const random = seeded(42);
 * ```
 */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A key secret for one fleet: every node of it must seal and open the keyring with the same one.
 *
 * @example
 * ```ts
 * const keySecret = fleetKeySecret();
 * ```
 */
export function fleetKeySecret(): string {
  return randomBytes(32).toString('base64url');
}
