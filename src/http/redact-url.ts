// The request log names what was asked for, never a credential a client put in the URL: clients
// paste tokens into paths and query strings (an email link, a debugging curl, a misconfigured SDK),
// and logs travel further than the server. Pure, so the rules are testable without a server.

/** What a redacted part of a URL reads as in the log. */
export const REDACTED = '[redacted]';

/** Query parameters whose value is a credential whatever it looks like (compared lower-cased). */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'ticket',
  'password',
  'pass',
  'key',
  'api_key',
  'apikey',
  'secret',
  'client_secret',
  'session',
  'sig',
  'signature',
  'auth',
  'authorization',
  'jwt',
]);

// A compact JWS or JWE: the header always starts {" (eyJ), then two or four more dot-separated parts.
const JOSE = /^eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){2,4}$/;
// Three long base64url parts, whatever the header says.
const THREE_PARTS = /^[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}$/;
// Tessera's opaque secrets (`tsr_`, `tsp_`, `tst_`; secrets/opaque-secret.ts) and the like: prefix_id.secret.
const OPAQUE = /^[a-z]{2,8}_[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}$/;
// A long run of token alphabet (base64, base64url, hex, percent-escapes).
const TOKEN_ALPHABET = /^[A-Za-z0-9_\-+/=.~%]{32,}$/;

/**
 * Whether one path segment or query value looks like a credential: a JWT or JWE, a `prefix_id.secret`
 * opaque secret, or 32+ characters of token alphabet mixing at least two of lower case, upper case and
 * digits (a refresh secret, an API key, hex). Words like `oauth-authorization-server` and
 * Tessera's 22-character session ids stay readable.
 *
 * @example
 * ```ts
 * looksLikeToken('tsr_AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'); // true
 * looksLikeToken('jwks.json'); // false
 * ```
 */
export function looksLikeToken(value: string): boolean {
  let text = value;
  try {
    text = decodeURIComponent(value);
  } catch {
    // A broken escape is judged as sent.
  }
  if (JOSE.test(text) || THREE_PARTS.test(text) || OPAQUE.test(text)) return true;
  if (!TOKEN_ALPHABET.test(value) && !TOKEN_ALPHABET.test(text)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((pattern) => pattern.test(text)).length;
  return classes >= 2;
}

/**
 * A path with its query for the request log: token-shaped path segments, token-shaped query values,
 * and every value of a credential-named parameter (`token`, `access_token`, `refresh_token`, `code`,
 * `ticket`, `password`, `key`, ...) replaced by `[redacted]`. Everything else is left exactly as sent.
 * Accepts an absolute URL too (its origin is dropped); a fragment, which no client sends, is dropped.
 *
 * @example
 * ```ts
 * redactUrl('/auth/reset/tsp_AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB?token=abc&lang=en');
 * // '/auth/reset/[redacted]?token=[redacted]&lang=en'
 * redactUrl('/.well-known/jwks.json'); // '/.well-known/jwks.json'
 * ```
 */
export function redactUrl(url: string): string {
  let rest = url;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(rest);
  if (scheme !== null) rest = rest.slice(scheme[0].length) || '/';
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const mark = rest.indexOf('?');
  const path = mark >= 0 ? rest.slice(0, mark) : rest;
  const query = mark >= 0 ? rest.slice(mark + 1) : undefined;
  const redactedPath = path
    .split('/')
    .map((segment) => (looksLikeToken(segment) ? REDACTED : segment))
    .join('/');
  if (query === undefined) return redactedPath;
  const redactedQuery = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq >= 0 ? pair.slice(0, eq) : pair;
      if (eq < 0) return looksLikeToken(key) ? REDACTED : key;
      const value = pair.slice(eq + 1);
      const secret = SECRET_KEYS.has(decodedKey(key).toLowerCase()) || looksLikeToken(value);
      return `${looksLikeToken(key) ? REDACTED : key}=${secret && value !== '' ? REDACTED : value}`;
    })
    .join('&');
  return `${redactedPath}?${redactedQuery}`;
}

function decodedKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}
