import { CAUSES, type MessageCause, type MessagePattern } from './message-causes.js';

const { EXPIRED, SIGNATURE, NO_TOKEN, REFRESH_REUSED, REFRESH_GONE } = CAUSES;

/**
 * The messages of hosted auth services and their SDKs (Supabase, Auth0, SuperTokens).
 *
 * @example
 * ```ts
 * SERVICE_PATTERNS.map((entry) => entry.id);
 * ```
 */
export const SERVICE_PATTERNS: readonly MessagePattern[] = [
  // Supabase (GoTrue / PostgREST / supabase-js)
  {
    id: 'supabase-expired-by',
    source: 'supabase',
    pattern:
      /invalid JWT: unable to parse or verify signature, token (is expired|has invalid claims: token is expired)/i,
    meaning: 'Supabase Auth refused the access token because it expired (it says by how much).',
    causes: EXPIRED,
  },
  {
    id: 'supabase-bad-jwt',
    source: 'supabase',
    pattern:
      /invalid JWT: unable to parse or verify signature|JWSError|JWSInvalidSignature|JWT cryptographic operation failed|bad_jwt/i,
    meaning: "Supabase could not verify the token with the project's JWT secret or keys.",
    causes: [
      {
        cause:
          'The token was signed for another Supabase project (or with the old JWT secret after a rotation), or it is the anon/service key used as a user token.',
        bucket: 'validation',
        code: 'SIGNATURE_INVALID',
        check: 'Decode the token: iss names the project (https://<ref>.supabase.co/auth/v1).',
        fix: "Use the session of this project's client; after a JWT secret rotation every user signs in again.",
      },
      SIGNATURE[1] as MessageCause,
    ],
  },
  {
    id: 'supabase-jwt-expired',
    source: 'supabase',
    pattern: /\bJWT expired\b|PGRST30[13]/,
    meaning:
      "PostgREST (the Data API) refused the request because the user's access token expired.",
    causes: [
      {
        cause:
          'The client sent an access token after it expired: autoRefreshToken is off, the tab slept through the refresh, or a server-side client kept an old session.',
        bucket: 'time',
        code: 'TOKEN_EXPIRED',
        check:
          'Decode the token from the request (a HAR shows which one was sent, by hash) and compare exp with the Date header.',
        fix: 'Keep autoRefreshToken on, call getSession() (which refreshes) before server-side queries, and create a server client per request.',
      },
      EXPIRED[2] as MessageCause,
    ],
  },
  {
    id: 'supabase-refresh-used',
    source: 'supabase',
    pattern: /Invalid Refresh Token: Already Used|refresh_token_already_used/i,
    meaning:
      'Supabase Auth refused a refresh token that was already exchanged (outside the reuse interval).',
    causes: REFRESH_REUSED,
  },
  {
    id: 'supabase-refresh-not-found',
    source: 'supabase',
    pattern: /Invalid Refresh Token: Refresh Token Not Found|refresh_token_not_found/i,
    meaning: 'Supabase Auth does not know this refresh token any more.',
    causes: REFRESH_GONE,
  },
  {
    id: 'supabase-session-missing',
    source: 'supabase',
    pattern: /Auth session missing/i,
    meaning: 'supabase-js has no session in its storage.',
    causes: [
      {
        cause:
          'The session lives in another storage than the client reads: server code without the auth cookies, a second client instance with another storageKey, or cookies not forwarded by middleware.',
        bucket: 'storage',
        code: 'TOKEN_MISSING',
        check: 'A HAR shows whether the sb-<ref>-auth-token cookie reached the server.',
        fix: 'Use @supabase/ssr with the cookie adapter on every server entry point, and one client per storage.',
      },
    ],
  },
  // Auth0 SDKs
  {
    id: 'auth0-missing-refresh-token',
    source: 'auth0',
    pattern: /Missing Refresh Token|missing_refresh_token|a refresh token is not available/i,
    meaning: 'The Auth0 SDK needed a refresh token and has none for this audience and scope.',
    causes: [
      {
        cause:
          'Refresh tokens were not requested (no offline_access scope, or useRefreshTokens without "Allow Offline Access" on the API), or the cache holding them was lost (memory cache after a reload).',
        bucket: 'storage',
        code: 'REFRESH_TOKEN_MISSING',
        check: "Check the authorize request for scope offline_access and the SDK's cacheLocation.",
        fix: 'Request offline_access, enable offline access on the API, and use useRefreshTokensFallback or a persistent cache.',
      },
    ],
  },
  {
    id: 'auth0-login-required',
    source: 'auth0',
    pattern: /\bLogin required\b|login_required/i,
    meaning: 'Silent authentication (an iframe to Auth0) found no Auth0 session.',
    causes: [
      {
        cause:
          'The browser blocks third-party cookies (Safari ITP, Chrome), so the iframe cannot see the Auth0 session cookie.',
        bucket: 'storage',
        code: null,
        check:
          'Does it fail only in Safari or private windows? A HAR shows the /authorize iframe request without cookies.',
        fix: 'Use refresh token rotation (useRefreshTokens) or a custom domain on the same site as the app.',
      },
      {
        cause: 'The Auth0 session really ended (logout elsewhere, session lifetime).',
        bucket: 'time',
        code: 'SESSION_EXPIRED',
        check: "Check the tenant's session lifetime settings.",
        fix: 'Redirect to login.',
      },
    ],
  },
  {
    id: 'auth0-invalid-refresh',
    source: 'auth0',
    pattern: /Unknown or invalid refresh token|invalid_grant/i,
    meaning: 'Auth0 refused the refresh token.',
    causes: [...REFRESH_REUSED, REFRESH_GONE[0] as MessageCause],
  },
  // SuperTokens
  {
    id: 'supertokens-try-refresh',
    source: 'supertokens',
    pattern: /try refresh token|TRY_REFRESH_TOKEN/i,
    meaning:
      'SuperTokens says the access token expired (or is missing claims) and the frontend SDK should refresh.',
    causes: [
      {
        cause:
          'The access token expired and the request was not made through the SuperTokens frontend SDK (a plain fetch or a second axios instance), so nothing refreshed it.',
        bucket: 'time',
        code: 'TOKEN_EXPIRED',
        check: "Is the failing request sent through the SDK's interceptors?",
        fix: 'Route every API call through the SDK-wrapped fetch/axios; on the server, make sure apiDomain and websiteDomain match what the browser uses.',
      },
      NO_TOKEN[1] as MessageCause,
    ],
  },
  {
    id: 'supertokens-theft',
    source: 'supertokens',
    pattern: /token theft detected|TOKEN_THEFT_DETECTED/i,
    meaning: 'SuperTokens saw an old refresh token reused and revoked the session.',
    causes: REFRESH_REUSED,
  },
  {
    id: 'supertokens-unauthorised',
    source: 'supertokens',
    pattern: /\bunauthorised\b|UNAUTHORISED/,
    meaning: 'SuperTokens found no valid session (no tokens sent, or the refresh failed).',
    causes: [
      {
        cause:
          'The session cookies were not sent: cookieDomain or SameSite does not cover the API, or the API is called on another site without credentials.',
        bucket: 'storage',
        code: 'TOKEN_MISSING',
        check:
          'A HAR shows which cookies each request sent and which Set-Cookie the browser refused.',
        fix: 'Set cookieDomain for both subdomains (or same-site deployment) and send credentials: "include".',
      },
      REFRESH_GONE[0] as MessageCause,
    ],
  },
];
