import type { AuthHandler } from '../http/auth-handler.js';
import type { KeyringHealth } from './reloading-keyring.js';

/**
 * Puts the keyring's reload state into `GET /healthz`: while reloads fail it answers 503 with
 * `{ ok: false, keyring: { status: 'reload-failing', code, since, failures } }`, so monitoring sees
 * a node that cannot pick up a rotation; otherwise the handler's own answer (200 `{ ok: true }`).
 *
 * @example
 * ```ts
 * const handler = withKeyringHealth(authHandler, () => keyring.health());
 * ```
 */
export function withKeyringHealth(handler: AuthHandler, health: () => KeyringHealth): AuthHandler {
  return {
    handles: (pathname) => handler.handles(pathname),
    async fetch(request, info) {
      const state = health();
      if (state.status === 'ok' || request.method !== 'GET') return handler.fetch(request, info);
      if (new URL(request.url).pathname !== '/healthz') return handler.fetch(request, info);
      return Response.json(
        {
          ok: false,
          keyring: {
            status: state.status,
            code: state.code,
            since: new Date(state.since).toISOString(),
            failures: state.failures,
          },
        },
        { status: 503, headers: { 'cache-control': 'no-store' } },
      );
    },
  };
}
