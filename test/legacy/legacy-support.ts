// Shared pieces of the legacy-adoption suites: a real Tessera server with a `legacy` configuration,
// tokens forged the way the old app (jsonwebtoken 9) signed them, and the two ways to exchange them.
import jwt from 'jsonwebtoken';
import { createTestServer, APP_ORIGIN, type TestServer } from '../http/support/server-kit.js';
import type { LegacyConfigInput } from '../../src/server/legacy-config.js';
import type { CreateServerOptions } from '../../src/server/create-server.js';

/** A strong legacy secret (what `openssl rand -base64 32` prints). */
export const LEGACY_SECRET = 'q8J0v2mYb7kZp4Nw1sLxT9cR6eHdU3aF5gQiVoWzKjE';
export const DAY_S = 86_400;

/** Starts a server whose legacy tokens are HS256 under {@link LEGACY_SECRET} with a `userId` string claim. */
export async function legacyServer(
  legacy: Partial<LegacyConfigInput> = {},
  extra: Pick<CreateServerOptions, 'logger'> = {},
  flags: Record<string, unknown> = {},
): Promise<TestServer> {
  return createTestServer(
    flags,
    {},
    {
      ...extra,
      legacy: {
        secret: LEGACY_SECRET,
        algorithms: ['HS256'],
        userIdClaim: 'userId',
        windowEnds: '2099-01-01T00:00:00Z',
        maxLifetime: '30d',
        ...legacy,
      },
    },
  );
}

/** A legacy token as the old app signed it: `exp` counted from the server's clock, not Node's. */
export function legacyToken(
  test: Pick<TestServer, 'now'>,
  payload: Record<string, unknown> = {},
  options: { secret?: jwt.Secret; algorithm?: jwt.Algorithm; expiresInS?: number | null } = {},
): string {
  const iat = Math.floor(test.now() / 1000);
  const body: Record<string, unknown> = { userId: 'user-42', iat, ...payload };
  if (options.expiresInS !== null && body.exp === undefined)
    body.exp = iat + (options.expiresInS ?? 3600);
  return jwt.sign(body, options.secret ?? LEGACY_SECRET, {
    algorithm: options.algorithm ?? 'HS256',
    noTimestamp: true,
  });
}

/** `POST /oauth/token` with the RFC 8693 token exchange, straight into the handler. */
export async function exchange(
  test: TestServer,
  subjectToken: string,
  extra: Record<string, string> = {},
): Promise<Response> {
  return test.server.handler.fetch(
    new Request('https://auth.test/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: subjectToken,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        client_id: 'tessera',
        ...extra,
      }).toString(),
    }),
    { remoteAddress: '198.51.100.7' },
  );
}

/** `POST /auth/adopt` as a browser on the app's origin (Origin and the CSRF header), unless told otherwise. */
export async function adopt(
  test: TestServer,
  subjectToken: string,
  headers: Record<string, string> = { origin: APP_ORIGIN, 'tessera-csrf': '1' },
): Promise<Response> {
  return test.server.handler.fetch(
    new Request('https://auth.test/auth/adopt', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ subject_token: subjectToken }),
    }),
    { remoteAddress: '198.51.100.8' },
  );
}

/** The Tessera code of a refused exchange (`tessera_code` at /oauth/token, `code` in problem+json). */
export async function codeOf(response: Response): Promise<string | undefined> {
  const body = (await response.clone().json()) as { tessera_code?: string; code?: string };
  return body.tessera_code ?? body.code;
}
