/**
 * How the doctor talks to a running Tessera server, on either path: fetch with a timeout, and the
 * server's RFC 8414 metadata (with Tessera's own members) that says what it expects of tokens.
 */

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

/**
 * The server's published expectations, as `/.well-known/oauth-authorization-server` states them.
 *
 * @example
 * ```ts
 * const metadata: ServerMetadata = await fetchMetadata({ baseUrl: 'https://auth.example.com' });
 * metadata.leewaySeconds; // 60
 * ```
 */
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
 * The JWKS URL to read: the published one, moved onto the origin the doctor reached when the issuer's
 * origin differs (a port-forward, a proxy, a server reached by its internal name).
 *
 * @example
 * ```ts
 * reachableJwksUrl(metadata, 'http://127.0.0.1:8080'); // 'http://127.0.0.1:8080/.well-known/jwks.json'
 * ```
 */
export function reachableJwksUrl(metadata: ServerMetadata, server: string): string {
  try {
    const published = new URL(metadata.jwksUri);
    const reached = new URL(server);
    if (published.origin === reached.origin) return published.href;
    return new URL(published.pathname, reached.origin).href;
  } catch {
    return `${server.replace(/\/$/, '')}/.well-known/jwks.json`;
  }
}
