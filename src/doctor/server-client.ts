/**
 * What the doctor reads from a running Tessera server: its RFC 8414 metadata (with Tessera's own members)
 * and, for a token, the server's own answer to it.
 */
import { ERROR_TABLE, type ErrorCode } from '../errors/codes.js';
import type { ServerAnswer } from './judge-token.js';

/**
 * The doctor cannot judge: an unreachable server, a malformed answer, or bad arguments. Exit code 2.
 *
 * @example
 * ```ts
 * throw new CannotJudgeError('https://auth.example.com is unreachable.');
 * ```
 */
export class CannotJudgeError extends Error {
  override readonly name = 'CannotJudgeError';
}

/** The server's published expectations, as `/.well-known/oauth-authorization-server` states them. */
export interface ServerMetadata {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audience: string | undefined;
  readonly leewaySeconds: number | undefined;
  readonly refreshGraceSeconds: number | undefined;
  readonly accessTokenTtlSeconds: number | undefined;
  /** What is missing or malformed in the document. */
  readonly problems: readonly string[];
}

const TIMEOUT_MS = 10_000;

/**
 * fetch with a timeout, turning network failures into {@link CannotJudgeError}.
 *
 * @example
 * ```ts
 * const response = await timedFetch(undefined, 'https://auth.example.com/auth/time');
 * ```
 */
export async function timedFetch(
  fetcher: typeof fetch | undefined,
  url: string,
  init: RequestInit = {},
): Promise<Response> {
  try {
    return await (fetcher ?? fetch)(url, {
      redirect: 'manual',
      ...init,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${TIMEOUT_MS / 1000} s`
        : 'unreachable';
    throw new CannotJudgeError(`${url}: ${reason}.`);
  }
}

/**
 * Reads and checks the server's metadata. Missing Tessera members are listed as problems, not errors:
 * another RFC 8414 server still has an issuer and a JWKS.
 *
 * @example
 * ```ts
 * const { issuer, audience, leewaySeconds } = await fetchMetadata({ baseUrl: 'https://auth.example.com' });
 * ```
 */
export async function fetchMetadata(options: {
  baseUrl: string;
  fetch?: typeof fetch;
}): Promise<ServerMetadata> {
  const base = options.baseUrl.replace(/\/$/, '');
  const url = `${base}/.well-known/oauth-authorization-server`;
  const response = await timedFetch(options.fetch, url, {
    headers: { accept: 'application/json' },
  });
  if (!response.ok)
    throw new CannotJudgeError(
      `${url} answered HTTP ${response.status}; is ${base} a Tessera server?`,
    );
  let body: Record<string, unknown>;
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    throw new CannotJudgeError(`${url} did not answer JSON.`);
  }
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = body[name];
    if (typeof value === 'string' && value !== '') return value;
    problems.push(`"${name}" is missing or not a string`);
    return undefined;
  };
  const seconds = (name: string): number | undefined => {
    const value = body[name];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
    problems.push(`"${name}" is missing or not a number of seconds`);
    return undefined;
  };
  const issuer = text('issuer');
  const jwksUri = text('jwks_uri');
  if (issuer === undefined || jwksUri === undefined)
    throw new CannotJudgeError(`${url} has no issuer or jwks_uri: ${problems.join('; ')}.`);
  return {
    issuer,
    jwksUri,
    audience: text('tessera_audience'),
    leewaySeconds: seconds('tessera_leeway_s'),
    refreshGraceSeconds: seconds('tessera_refresh_grace_s'),
    accessTokenTtlSeconds: seconds('tessera_access_token_ttl_s'),
    problems,
  };
}

/**
 * Presents an Authorization header to the server's `GET /auth/me` (read-only) and returns its verdict:
 * the status, and the code and detail of its problem+json answer.
 *
 * @example
 * ```ts
 * const answer = await askServer({ baseUrl, authorization: 'Bearer eyJ...' });
 * answer.code; // 'TOKEN_REVOKED'
 * ```
 */
export async function askServer(options: {
  baseUrl: string;
  authorization: string;
  fetch?: typeof fetch;
}): Promise<ServerAnswer> {
  const url = `${options.baseUrl.replace(/\/$/, '')}/auth/me`;
  // A header no HTTP client can send (a newline inside the token) never reaches the server.
  // Clients strip leading and trailing whitespace from header values, as fetch does.
  const authorization = options.authorization.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  if (!/^[\x20-\x7e\t]*$/.test(authorization)) return { status: 0, code: null, detail: null };
  const response = await timedFetch(options.fetch, url, {
    headers: { authorization, accept: 'application/json' },
  });
  if (response.ok) {
    await response.body?.cancel();
    return { status: response.status, code: null, detail: null };
  }
  try {
    const body = (await response.json()) as { code?: unknown; detail?: unknown };
    const code =
      typeof body.code === 'string' && body.code in ERROR_TABLE ? (body.code as ErrorCode) : null;
    return {
      status: response.status,
      code,
      detail: typeof body.detail === 'string' ? body.detail : null,
    };
  } catch {
    return { status: response.status, code: null, detail: null };
  }
}
