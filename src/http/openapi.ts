/**
 * The OpenAPI 3.1 description of every endpoint. Tests check real responses against these schemas, so
 * the document cannot drift from the code unnoticed.
 */

import { OPENAPI_COMPONENTS, OPENAPI_SCHEMA, type Schema } from './openapi-parts.js';

const { str, int, bool, obj, ref, json, problem, noContent, bearer, errors } = OPENAPI_SCHEMA;

/**
 * Builds the OpenAPI document for a server.
 *
 * @example
 * ```ts
 * const doc = buildOpenApiDocument({ issuer: 'http://localhost:8080' });
 * ```
 */
export function buildOpenApiDocument(options: { issuer: string }): Record<string, unknown> {
  const body = (schema: Schema): Schema => ({
    required: true,
    content: { 'application/json': { schema } },
  });
  // Body-transport sessions send the token in the body; cookie sessions send no body at all.
  const refreshTokenBody: Schema = {
    required: false,
    content: { 'application/json': { schema: obj({ refresh_token: str }, []) } },
  };
  const oauthError = (description: string): Schema =>
    json(obj({ error: str, error_description: str }, ['error']), description);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tessera auth server',
      version: '0.1.0',
      description:
        'JWT sessions with rotating refresh tokens. Errors are RFC 9457 problem+json with a stable `code` and a `bucket`.',
    },
    servers: [{ url: options.issuer }],
    components: OPENAPI_COMPONENTS,
    paths: {
      '/auth/signup': {
        post: {
          summary: 'Create an account and sign in',
          parameters: [transportHeader()],
          requestBody: body(ref('Credentials')),
          responses: {
            '201': json(ref('TokenResponse'), 'Signed in'),
            '202': json(
              obj({ status: { type: 'string', enum: ['verification_sent'] } }),
              'With --require-verified-email: the same answer for a new and a taken email; the mail says which',
            ),
            '409': problem('Email taken (only without --require-verified-email)'),
            ...errors,
          },
        },
      },
      '/auth/login': {
        post: {
          summary: 'Sign in',
          parameters: [transportHeader()],
          requestBody: body(ref('Credentials')),
          responses: {
            '200': json(ref('TokenResponse')),
            ...errors,
            '500': problem(
              'The stored password hash is over the caps or unknown (PASSWORD_HASH_UNUSABLE)',
            ),
            '503': problem('Too many password checks waiting (PASSWORD_CHECK_BUSY, Retry-After)'),
          },
        },
      },
      '/auth/refresh': {
        post: {
          summary: 'Rotate the refresh token (cookie, or refresh_token in the body)',
          requestBody: refreshTokenBody,
          responses: {
            '200': json(ref('TokenResponse')),
            '409': problem(
              'Refresh cookies of live sessions of two users (REFRESH_COOKIE_CONFLICT)',
            ),
            ...errors,
          },
        },
      },
      '/auth/adopt': {
        post: {
          summary:
            "Exchange an old app's JWT once for a session (browsers; sets the refresh cookie, never returns a refresh token)",
          requestBody: body(obj({ subject_token: str })),
          responses: { '200': json(ref('TokenResponse')), ...errors },
        },
      },
      '/auth/logout': {
        post: {
          summary: 'Revoke this session and clear the cookie (idempotent)',
          requestBody: refreshTokenBody,
          responses: { '204': noContent, ...errors },
        },
      },
      '/auth/logout-all': {
        post: {
          summary: 'Revoke every session of the user',
          security: bearer,
          requestBody: body(obj({ keep_current: bool }, [])),
          responses: { '204': noContent, ...errors },
        },
      },
      '/auth/password': {
        post: {
          summary: 'Change the password; other sessions are revoked',
          security: bearer,
          requestBody: body(obj({ current_password: str, new_password: str })),
          responses: { '204': noContent, ...errors },
        },
      },
      '/auth/password-reset': {
        post: {
          summary: 'Send a reset token (always 202)',
          requestBody: body(obj({ email: str })),
          responses: { '202': { description: 'Accepted' }, ...errors },
        },
      },
      '/auth/password-reset/confirm': {
        post: {
          summary: 'Set a new password with a reset token; revokes every session',
          requestBody: body(obj({ token: str, new_password: str })),
          responses: { '204': noContent, ...errors },
        },
      },
      '/auth/verify-email': {
        post: {
          summary: 'Mark the address verified with the token of a verification link',
          requestBody: body(obj({ token: str })),
          responses: { '204': noContent, ...errors },
        },
      },
      '/auth/ticket': {
        post: {
          summary:
            'A single-use 30 s ticket for EventSource/WebSocket (?ticket=); 30 a minute per session, 8 live',
          security: bearer,
          responses: { '200': json(obj({ ticket: str, expires_in: int })), ...errors },
        },
      },
      '/auth/me': {
        get: {
          summary: 'The signed-in user and session',
          security: bearer,
          responses: {
            '200': json(
              obj({
                user: obj({
                  id: str,
                  email: { type: ['string', 'null'] },
                  email_verified: { type: 'boolean' },
                }),
                session: obj({ id: str }, ['id']),
              }),
            ),
            ...errors,
          },
        },
      },
      '/auth/sessions': {
        get: {
          summary: "The user's live sessions (devices)",
          security: bearer,
          responses: {
            '200': json(obj({ sessions: { type: 'array', items: ref('Session') } })),
            ...errors,
          },
        },
      },
      '/auth/sessions/{id}': {
        delete: {
          summary: 'Revoke one of your sessions',
          security: bearer,
          parameters: [{ name: 'id', in: 'path', required: true, schema: str }],
          responses: { '204': noContent, '404': problem('Not your session'), ...errors },
        },
      },
      '/auth/revocations': {
        get: {
          summary:
            'The revocation feed for resource servers: entries after `since`, in commit order (feed credential only)',
          security: [{ feedCredential: [] }],
          parameters: [
            {
              name: 'since',
              in: 'query',
              required: false,
              description: 'The seq of the last entry applied; 0 (default) reads from the start',
              schema: int,
            },
            {
              name: 'limit',
              in: 'query',
              required: false,
              description: 'Entries per page, 1 to 1000 (default 500)',
              schema: int,
            },
          ],
          responses: {
            '200': json(
              obj({
                revocations: {
                  type: 'array',
                  items: obj(
                    {
                      seq: int,
                      kind: { enum: ['session', 'user'] },
                      userId: str,
                      at: int,
                      sessionId: str,
                      revokedBefore: int,
                      exceptSessionId: { type: ['string', 'null'] },
                    },
                    ['seq', 'kind', 'userId', 'at'],
                  ),
                },
                next: int,
                more: bool,
              }),
            ),
            '400': problem('Bad since or limit (FEED_QUERY_INVALID), credential in the URL'),
            '401': problem('Missing, unknown or revoked feed credential'),
          },
        },
      },
      '/auth/time': {
        get: {
          summary: 'Server clock, for skew measurement',
          responses: { '200': json(obj({ now: str, epoch_ms: int })) },
        },
      },
      '/oauth/token': {
        post: {
          summary:
            'RFC 6749 refresh_token grant, and the RFC 8693 token exchange of a legacy JWT when legacy is configured (form-encoded, RFC 6749 errors)',
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: obj(
                  {
                    grant_type: {
                      enum: ['refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange'],
                    },
                    refresh_token: str,
                    subject_token: str,
                    subject_token_type: { const: 'urn:ietf:params:oauth:token-type:jwt' },
                    client_id: str,
                  },
                  ['grant_type', 'client_id'],
                ),
              },
            },
          },
          responses: {
            '200': json(
              obj(
                {
                  access_token: str,
                  issued_token_type: { const: 'urn:ietf:params:oauth:token-type:access_token' },
                  token_type: str,
                  expires_in: int,
                  refresh_token: str,
                  refresh_grace_s: int,
                  session_id: str,
                },
                ['access_token', 'token_type', 'expires_in', 'refresh_token', 'refresh_grace_s'],
              ),
            ),
            '400': oauthError('RFC 6749 error'),
            '401': oauthError('invalid_client: client_id missing or not configured'),
            '429': oauthError('Rate limited'),
          },
        },
      },
      '/.well-known/jwks.json': {
        get: {
          summary: 'Public keys (RFC 7517)',
          responses: {
            '200': {
              description: 'JWK Set',
              content: {
                'application/jwk-set+json': {
                  schema: obj({ keys: { type: 'array', items: { type: 'object' } } }),
                },
              },
            },
          },
        },
      },
      '/.well-known/oauth-authorization-server': {
        get: {
          summary: 'RFC 8414 metadata plus tessera_* members',
          responses: {
            '200': json(
              obj({
                issuer: str,
                jwks_uri: str,
                token_endpoint: str,
                tessera_audience: str,
                tessera_leeway_s: int,
                tessera_refresh_grace_s: int,
              }),
            ),
          },
        },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { '200': json(obj({ ok: bool })) } } },
      '/openapi.json': {
        get: { summary: 'This document', responses: { '200': json({ type: 'object' }) } },
      },
    },
  };
}

function transportHeader(): Schema {
  return {
    name: 'Token-Transport',
    in: 'header',
    required: false,
    schema: { enum: ['cookie', 'body'] },
    description:
      '`body` returns the refresh token in the JSON body (native apps); default is the httpOnly cookie.',
  };
}
