import { TesseraError } from '../errors/tessera-error.js';
import { detectMangling, MANGLING_WORDS } from '../errors/mangling.js';

/**
 * The access token from an Authorization header value (RFC 6750), over plain strings so adapters that
 * never build a Fetch Request, and the doctor, read it exactly as the server does. A token in the URL
 * query is refused (URLs land in logs, history and Referer headers); a missing one is TOKEN_MISSING;
 * any other scheme is TOKEN_MALFORMED, naming the mangling where there is one.
 *
 * @example
 * ```ts
 * const token = readBearerTokenFrom({ url: req.originalUrl, authorization: req.headers.authorization });
 * ```
 */
export function readBearerTokenFrom(parts: {
  url: string;
  authorization: string | null | undefined;
}): string {
  const query = parts.url.indexOf('?');
  if (query >= 0) {
    const params = new URLSearchParams(parts.url.slice(query + 1));
    if (params.has('access_token') || params.has('token')) {
      throw new TesseraError(
        'TOKEN_IN_URL',
        'An access token was sent in the URL query string. Send it as "Authorization: Bearer <token>"; for EventSource or WebSocket use a ticket from POST /auth/ticket.',
      );
    }
  }
  const header = parts.authorization;
  if (header === null || header === undefined || header.trim() === '') {
    throw new TesseraError(
      'TOKEN_MISSING',
      'No access token was sent: the request has no Authorization header. Did the client lose its in-memory token on reload without refreshing first?',
    );
  }
  const match = /^Bearer +(\S*)\s*$/i.exec(header);
  if (match === null) {
    // Name the mangling where there is one ("Bearer Bearer …", quotes, a newline), in the doctor's words.
    const rest = /^Bearer +/i.test(header) ? header.replace(/^Bearer +/i, '') : undefined;
    const mangling = rest === undefined ? undefined : detectMangling(rest.trimEnd());
    const why =
      mangling === undefined
        ? 'another scheme, or a token with spaces or quotes in it'
        : MANGLING_WORDS[mangling];
    throw new TesseraError(
      'TOKEN_MALFORMED',
      `The Authorization header is not "Bearer <token>": ${why}.`,
      { mangling: mangling ?? null },
    );
  }
  const token = match[1] as string;
  if (token === '' || token === 'undefined' || token === 'null') {
    throw new TesseraError(
      'TOKEN_MISSING',
      `The Authorization header carries "Bearer ${token}" with no token: the client sent the header before it had a token.`,
    );
  }
  return token;
}
