import type { Route } from './handler-options.js';

/** Public, read-only routes: JWKS, RFC 8414 metadata, server time and health. */
export const DISCOVERY_ROUTES: Readonly<Record<string, Route>> = {
  'GET /.well-known/jwks.json': async (_input, deps) =>
    new Response(JSON.stringify(deps.options.jwks()), {
      headers: {
        'content-type': 'application/jwk-set+json',
        'cache-control': 'public, max-age=300',
      },
    }),

  'GET /.well-known/oauth-authorization-server': async (_input, deps) => {
    const { issuer } = deps.options;
    const base = issuer.replace(/\/$/, '');
    return Response.json(
      {
        issuer,
        jwks_uri: `${base}/.well-known/jwks.json`,
        token_endpoint: `${base}/oauth/token`,
        grant_types_supported: ['refresh_token'],
        response_types_supported: [],
        token_endpoint_auth_methods_supported: ['none'],
        // Tessera's own members, read by clients and the doctor.
        tessera_audience: deps.options.audience,
        tessera_leeway_s: deps.options.leewaySeconds,
        tessera_refresh_grace_s: deps.options.sessions.graceSeconds,
        tessera_access_token_ttl_s: deps.options.accessTtlSeconds,
        tessera_time_endpoint: `${base}/auth/time`,
        tessera_revocations_endpoint:
          deps.options.revocationFeed === undefined ? null : `${base}/auth/revocations`,
      },
      { headers: { 'cache-control': 'public, max-age=300' } },
    );
  },

  'GET /auth/time': async (_input, deps) => {
    const now = deps.now();
    return Response.json(
      { now: new Date(now).toISOString(), epoch_ms: now },
      { headers: { 'cache-control': 'no-store' } },
    );
  },

  'GET /healthz': async () =>
    Response.json({ ok: true }, { headers: { 'cache-control': 'no-store' } }),
};
