import { describe, expect, it } from 'vitest';
import {
  attachAxios,
  type AxiosLike,
  type AxiosLikeConfig,
  type AxiosLikeError,
} from '../../src/client/axios.js';
import { BASE, makeClient } from './client-harness.js';
import { createFakeServer, createWorld } from './fake-auth-server.js';

// A minimal axios: request interceptors, an adapter over fetch, response interceptors, errors for >= 400.
function createFakeAxios(
  baseURL: string,
  send: (request: Request) => Promise<Response>,
): AxiosLike & { calls: number } {
  const requestHandlers = new Map<number, (config: AxiosLikeConfig) => Promise<AxiosLikeConfig>>();
  const responseHandlers = new Map<
    number,
    [(response: unknown) => unknown, (error: AxiosLikeError) => Promise<unknown>]
  >();
  let ids = 0;
  const instance = {
    calls: 0,
    interceptors: {
      request: {
        use: (handler: (config: AxiosLikeConfig) => Promise<AxiosLikeConfig>) => (
          requestHandlers.set(++ids, handler),
          ids
        ),
        eject: (id: number) => void requestHandlers.delete(id),
      },
      response: {
        use: (
          ok: (response: unknown) => unknown,
          fail: (error: AxiosLikeError) => Promise<unknown>,
        ) => (responseHandlers.set(++ids, [ok, fail]), ids),
        eject: (id: number) => void responseHandlers.delete(id),
      },
    },
    async request(input: AxiosLikeConfig): Promise<unknown> {
      let config = { baseURL, ...input, headers: { ...(input.headers as object) } };
      for (const handler of requestHandlers.values())
        config = (await handler(config)) as typeof config;
      instance.calls++;
      const response = await send(
        new Request(new URL(config.url ?? '', config.baseURL), {
          headers: config.headers as Record<string, string>,
        }),
      );
      const shaped = {
        status: response.status,
        data: await response.json(),
        headers: Object.fromEntries(response.headers),
      };
      let outcome: Promise<unknown> =
        response.status < 400
          ? Promise.resolve(shaped)
          : Promise.reject(
              Object.assign(new Error(`HTTP ${response.status}`), { config, response: shaped }),
            );
      for (const [ok, fail] of responseHandlers.values()) outcome = outcome.then(ok, fail);
      return outcome;
    },
  };
  return instance;
}

describe('tessera-auth/axios', () => {
  it('adds the token, refreshes once on TOKEN_EXPIRED and retries once', async () => {
    const world = createWorld();
    const server = createFakeServer(world);
    const client = makeClient(world, server.handle);
    const api = createFakeAxios(BASE, server.handle);
    attachAxios(api, client, { origins: [BASE] });
    await client.login('ada@example.com', 'correct horse');
    expect(await api.request({ url: '/api/hello' })).toMatchObject({ status: 200 });
    world.advanceServer(61_000);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => api.request({ url: '/api/hello' })),
    );
    expect(results).toMatchObject(
      Array(5).fill({ status: 200, data: { hello: 'ada@example.com' } }),
    );
    expect(server.stats.refresh).toBe(1);
  });

  it('never loops and passes a refused refresh through as a logout', async () => {
    const world = createWorld();
    const server = createFakeServer(world);
    const client = makeClient(world, server.handle);
    const api = createFakeAxios(BASE, server.handle);
    attachAxios(api, client, { origins: [BASE] });
    await client.login('ada@example.com', 'correct horse');
    server.faults.apiAlways401 = true;
    await expect(api.request({ url: '/api/hello' })).rejects.toMatchObject({
      response: { status: 401 },
    });
    expect(server.stats).toMatchObject({ refresh: 1, api: 2 });
    for (const session of server.sessions.values()) session.revoked = 'logout-all';
    await expect(api.request({ url: '/api/hello' })).rejects.toMatchObject({
      response: { status: 401 },
    });
    expect(client.getState()).toMatchObject({
      status: 'signed-out',
      loggedOutReason: 'REFRESH_TOKEN_REVOKED',
    });
  });

  it('leaves other origins alone', async () => {
    const world = createWorld();
    const server = createFakeServer(world);
    const client = makeClient(world, server.handle);
    const seen: (string | null)[] = [];
    const api = createFakeAxios('https://elsewhere.example', async (request) => {
      seen.push(request.headers.get('authorization'));
      return Response.json({});
    });
    attachAxios(api, client, { origins: [BASE] });
    await client.login('ada@example.com', 'correct horse');
    await api.request({ url: '/x' });
    expect(seen).toEqual([null]);
  });
});
