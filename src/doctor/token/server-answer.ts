/**
 * The server's own answer to a token: presented to `GET /auth/me`, the one place that knows revocations,
 * its current keys and its clock. The token path weighs it against its own judgement.
 */
import { ERROR_TABLE, type ErrorCode } from '../../errors/codes.js';
import { timedFetch } from '../server-client.js';

/**
 * What the server itself answered when the token was presented to it (GET /auth/me).
 *
 * @example
 * ```ts
 * const answer: ServerAnswer = { status: 401, code: 'TOKEN_REVOKED', detail: 'The session was revoked ...' };
 * ```
 */
export interface ServerAnswer {
  readonly status: number;
  readonly code: ErrorCode | null;
  readonly detail: string | null;
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
