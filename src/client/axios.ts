// tessera-auth/axios: the client's refresh-once, retry-once semantics for an existing axios instance.
// Structural types only: axios is the application's dependency, not ours.
import { REFRESHABLE_CODES } from './problem.js';
import type { AuthClient } from './types.js';

/** The parts of an axios request config the interceptor reads and writes. */
export interface AxiosLikeConfig {
  url?: string;
  baseURL?: string;
  headers?: unknown;
  [key: string]: unknown;
}

/** The parts of an axios error the interceptor reads. */
export interface AxiosLikeError {
  config?: AxiosLikeConfig;
  response?: { status: number; data?: unknown; headers?: unknown };
}

/** The parts of an axios instance the interceptor uses. */
export interface AxiosLike {
  interceptors: {
    request: {
      use(onFulfilled: (config: AxiosLikeConfig) => Promise<AxiosLikeConfig>): number;
      eject(id: number): void;
    };
    response: {
      use(
        onFulfilled: (response: unknown) => unknown,
        onRejected: (error: AxiosLikeError) => Promise<unknown>,
      ): number;
      eject(id: number): void;
    };
  };
  request(config: AxiosLikeConfig): Promise<unknown>;
}

const SENT = '__tesseraToken';
const RETRIED = '__tesseraRetried';
const AUTH_CALL = /\/auth\/(refresh|login|signup|logout)$/;

function setHeader(config: AxiosLikeConfig, value: string): void {
  const headers = (config.headers ??= {}) as {
    set?: (name: string, value: string) => void;
    Authorization?: string;
  };
  if (typeof headers.set === 'function') headers.set('Authorization', value);
  else headers.Authorization = value;
}

function headerOf(headers: unknown, name: string): string {
  const h = headers as { get?: (name: string) => unknown } & Record<string, unknown>;
  const value = typeof h?.get === 'function' ? h.get(name) : (h?.[name] ?? h?.[name.toLowerCase()]);
  return typeof value === 'string' ? value : '';
}

function isRefreshable(response: NonNullable<AxiosLikeError['response']>): boolean {
  if (response.status !== 401) return false;
  const code = (response.data as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return REFRESHABLE_CODES.has(code);
  return /invalid_token|^Bearer realm="[^"]*"$/i.test(
    headerOf(response.headers, 'WWW-Authenticate'),
  );
}

/**
 * Adds the access token to an axios instance's requests and answers an expired-token 401 exactly like
 * `client.fetch`: one refresh (shared with every other request and tab), one retry, never a loop. Returns
 * a function that removes the interceptors.
 *
 * @example
 * ```ts
 * import { createAuthClient } from 'tessera-auth/client';
 * import { attachAxios, type AxiosLike } from 'tessera-auth/axios';
 *
 * // axios.create({ baseURL: 'https://api.example.com' }): axios stays your dependency, not ours.
 * declare const api: AxiosLike;
 *
 * const auth = createAuthClient({ baseUrl: 'https://auth.example.com' });
 * const detach = attachAxios(api, auth, { origins: ['https://api.example.com'] });
 * window.addEventListener('pagehide', detach);
 * ```
 */
export function attachAxios(
  instance: AxiosLike,
  client: AuthClient,
  options: { origins?: readonly string[] } = {},
): () => void {
  const origins = new Set((options.origins ?? []).map((origin) => new URL(origin).origin));
  const targets = (config: AxiosLikeConfig): boolean => {
    const url = config.url ?? '';
    const absolute = /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : config.baseURL;
    // Relative URLs without a baseURL go to the page's own origin; anything else only to the listed origins.
    if (absolute === undefined || !/^[a-z][a-z0-9+.-]*:/i.test(absolute))
      return !AUTH_CALL.test(url);
    return (
      origins.has(new URL(absolute).origin) && !AUTH_CALL.test(new URL(url, absolute).pathname)
    );
  };
  const requestId = instance.interceptors.request.use(async (config) => {
    if (!targets(config)) return config;
    const token = await client.getAccessToken().catch(() => null);
    config[SENT] = token;
    if (token !== null) setHeader(config, `Bearer ${token}`);
    return config;
  });
  const responseId = instance.interceptors.response.use(
    (response) => response,
    async (error) => {
      const { config, response } = error;
      if (
        config === undefined ||
        response === undefined ||
        config[RETRIED] === true ||
        !targets(config) ||
        !isRefreshable(response)
      )
        throw error;
      const next = await client.recover((config[SENT] as string | null | undefined) ?? null);
      if (next === null) throw error;
      config[RETRIED] = true;
      return instance.request(config);
    },
  );
  return () => {
    instance.interceptors.request.eject(requestId);
    instance.interceptors.response.eject(responseId);
  };
}
