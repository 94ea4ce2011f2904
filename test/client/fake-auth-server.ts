// An in-memory stand-in for the Tessera auth server (body transport) with a controllable world clock,
// so client tests can move server time, device wall time and device monotonic time independently.
import type { TabMessage, TabSync } from '../../src/client/tab-sync.js';

export interface World {
  /** True time, what the server reads. */
  readonly serverNow: () => number;
  readonly clocks: { now: () => number; monotonic: () => number };
  readonly setTimer: (task: () => void, ms: number) => () => void;
  /** Time passes for everyone; due timers run. */
  advance(ms: number): Promise<void>;
  /** The device sleeps: true and wall time move, the monotonic clock stands still, no timer runs. */
  sleep(ms: number): void;
  /** Sets the device wall clock `ms` away from true time (positive: ahead). */
  setSkew(ms: number): void;
  /** Only the server's clock moves (a process frozen with its clocks, or a server clock ahead). */
  advanceServer(ms: number): void;
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

export function createWorld(start = Date.UTC(2026, 2, 1, 9)): World {
  let elapsed = 0;
  let mono = 1_000;
  let skew = 0;
  let serverAhead = 0;
  let tasks: { due: number; task: () => void }[] = [];
  return {
    serverNow: () => start + elapsed + serverAhead,
    clocks: { now: () => start + elapsed + skew, monotonic: () => mono },
    setTimer(task, ms) {
      const entry = { due: mono + ms, task };
      tasks.push(entry);
      return () => {
        tasks = tasks.filter((t) => t !== entry);
      };
    },
    async advance(ms) {
      const target = mono + ms;
      await flush();
      for (;;) {
        const next = tasks.filter((t) => t.due <= target).sort((a, b) => a.due - b.due)[0];
        if (next === undefined) break;
        elapsed += next.due - mono;
        mono = Math.max(mono, next.due);
        tasks = tasks.filter((t) => t !== next);
        next.task();
        await flush();
      }
      elapsed += target - mono;
      mono = target;
      await flush();
    },
    sleep(ms) {
      elapsed += ms;
    },
    setSkew(ms) {
      skew = ms;
    },
    advanceServer(ms) {
      serverAhead += ms;
    },
  };
}

interface Session {
  generation: number;
  current: string;
  previous: string | null;
  rotatedAt: number;
  successor: string | null;
  revoked: string | null;
  user: string;
}

export const problem = (status: number, code: string, reason?: string): Response =>
  new Response(
    JSON.stringify({
      code,
      detail: `fake ${code}`,
      status,
      ...(reason === undefined ? {} : { facts: { reason } }),
    }),
    { status, headers: { 'content-type': 'application/problem+json' } },
  );

export function createFakeServer(world: World, options: { ttlS?: number; graceS?: number } = {}) {
  const ttlS = options.ttlS ?? 60;
  const graceS = options.graceS ?? 30;
  const sessions = new Map<string, Session>();
  const access = new Map<string, { sid: string; exp: number }>();
  let counter = 0;
  const stats = {
    refusedRefreshes: 0,
    refresh: 0,
    api: 0,
    login: 0,
    logout: 0,
    authorizations: [] as (string | null)[],
  };
  const faults = {
    dropRefreshResponses: 0,
    refuseRefreshes: 0,
    apiAlways401: false,
    /** Every refresh is answered with this (a problem+json or anything else) until set back to null. */
    refreshAnswer: null as (() => Response) | null,
    /** A Tessera-Warning every login and refresh answer carries. */
    warning: null as string | null,
  };

  const mint = (sid: string, refreshToken: string, grace: boolean): Response => {
    const token = `at-${++counter}`;
    access.set(token, { sid, exp: world.serverNow() + ttlS * 1000 });
    const headers = faults.warning === null ? undefined : { 'tessera-warning': faults.warning };
    return Response.json(
      {
        access_token: token,
        token_type: 'Bearer',
        expires_in: ttlS,
        refresh_grace_s: graceS,
        session_id: sid,
        grace,
        refresh_token: refreshToken,
      },
      { headers },
    );
  };

  const refresh = (presented: unknown): Response => {
    const entry = [...sessions.entries()].find(
      ([, s]) => s.current === presented || s.previous === presented,
    );
    if (entry === undefined)
      return problem(
        401,
        typeof presented === 'string' ? 'REFRESH_TOKEN_UNKNOWN' : 'REFRESH_TOKEN_MISSING',
      );
    const [sid, session] = entry;
    if (session.revoked !== null) return problem(401, 'REFRESH_TOKEN_REVOKED', session.revoked);
    if (session.previous === presented) {
      if (world.serverNow() - session.rotatedAt <= graceS * 1000 && session.successor !== null)
        return mint(sid, session.successor, true);
      session.revoked = 'reuse';
      return problem(401, 'REFRESH_TOKEN_REUSED');
    }
    const next = `rt-${++counter}`;
    Object.assign(session, {
      generation: session.generation + 1,
      previous: session.current,
      current: next,
      rotatedAt: world.serverNow(),
      successor: next,
    });
    return mint(sid, next, false);
  };

  const handle = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (url.pathname === '/auth/refresh' && faults.refuseRefreshes > 0) {
      faults.refuseRefreshes--;
      stats.refusedRefreshes++;
      throw new TypeError('fetch failed');
    }
    if (url.pathname === '/auth/refresh' && faults.refreshAnswer !== null) {
      stats.refusedRefreshes++;
      return faults.refreshAnswer();
    }
    const body =
      request.method === 'POST' && request.headers.get('content-type') === 'application/json'
        ? ((await request.json()) as Record<string, unknown>)
        : {};
    switch (`${request.method} ${url.pathname}`) {
      case 'POST /auth/login':
      case 'POST /auth/signup': {
        stats.login++;
        const sid = `s-${++counter}`;
        const rt = `rt-${++counter}`;
        sessions.set(sid, {
          generation: 0,
          current: rt,
          previous: null,
          rotatedAt: 0,
          successor: null,
          revoked: null,
          user: String(body.email),
        });
        return mint(sid, rt, false);
      }
      case 'POST /auth/refresh': {
        stats.refresh++;
        const response = refresh(body.refresh_token);
        if (faults.dropRefreshResponses > 0) {
          faults.dropRefreshResponses--;
          throw new TypeError('network connection lost');
        }
        return response;
      }
      case 'POST /auth/logout': {
        stats.logout++;
        for (const session of sessions.values())
          if (session.current === body.refresh_token) session.revoked = 'logout';
        return new Response(null, { status: 204 });
      }
      case 'GET /auth/time':
        return Response.json({
          now: new Date(world.serverNow()).toISOString(),
          epoch_ms: world.serverNow(),
        });
      case 'GET /api/hello': {
        stats.api++;
        const header = request.headers.get('authorization');
        stats.authorizations.push(header);
        if (header === null) return problem(401, 'TOKEN_MISSING');
        const held = access.get(header.replace('Bearer ', ''));
        if (held === undefined) return problem(401, 'SIGNATURE_INVALID');
        if (faults.apiAlways401 || held.exp <= world.serverNow())
          return problem(401, 'TOKEN_EXPIRED');
        if (sessions.get(held.sid)?.revoked != null) return problem(401, 'TOKEN_REVOKED');
        return Response.json({ hello: sessions.get(held.sid)?.user });
      }
      case 'GET /api/forbidden':
        return problem(403, 'AUDIENCE_MISMATCH');
      default:
        return problem(404, 'NOT_FOUND');
    }
  };
  return { handle, stats, faults, sessions };
}

/** Tabs in one simulated browser: one lock, one channel (delivered asynchronously, like BroadcastChannel). */
export function createTabHub() {
  let lock: Promise<unknown> = Promise.resolve();
  let busy = 0;
  let generation = 0;
  const members = new Map<string, Set<(message: TabMessage) => void>>();
  let next = 0;
  return {
    join(): TabSync {
      const tabId = `tab${++next}`;
      const handlers = new Set<(message: TabMessage) => void>();
      members.set(tabId, handlers);
      return {
        tabId,
        withLock(task) {
          const contended = busy++ > 0;
          const run = lock.then(() => task(contended)).finally(() => busy--);
          lock = run.catch(() => undefined);
          return run;
        },
        sharedGeneration: () => generation,
        publishGeneration(gen) {
          generation = gen;
        },
        post(message) {
          for (const [id, set] of members)
            if (id !== tabId) setImmediate(() => set.forEach((handler) => handler(message)));
        },
        onMessage(handler) {
          handlers.add(handler);
          return () => handlers.delete(handler);
        },
        close: () => members.delete(tabId),
      };
    },
  };
}
