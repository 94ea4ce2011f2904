/**
 * Recognises the ways frontends and people mangle a token on its way to the server: the storage bucket.
 * Shared by the verifier's explanations and the doctor, so both name the same cause.
 */

/** A recognised way a token was mangled. */
export type Mangling =
  | 'quoted'
  | 'bearer-prefix'
  | 'whitespace'
  | 'url-encoded'
  | 'truncated'
  | 'empty'
  | 'refresh-token'
  | 'access-token'
  | 'not-a-jwt';

/** Words for each mangling: what happened, and where to look. */
export const MANGLING_WORDS: Readonly<Record<Mangling, string>> = {
  quoted:
    'the token is wrapped in quotes: it was stored with JSON.stringify and sent without JSON.parse',
  'bearer-prefix':
    'the token starts with "Bearer ": the prefix was stored with the token and sent twice',
  whitespace:
    'the token contains whitespace or a newline: it was copied from a terminal or a file with a line break',
  'url-encoded':
    'the token contains %-escapes: it was URL-encoded (copied from a URL or a form) and not decoded',
  truncated:
    'the token has fewer than three parts: it was cut short (a size limit, a column width or a cookie limit)',
  empty:
    'the token is empty: the client sent the header before it had a token (check for "Bearer undefined" or "Bearer null")',
  'refresh-token': 'this is a Tessera refresh token (tsr_...), sent where an access token belongs',
  'access-token': 'an access token (a JWT) was sent where the refresh token belongs',
  'not-a-jwt': 'the value is not a JWT at all (a session id, an API key, or a placeholder)',
};

/**
 * Names the first recognised mangling of a raw token, or undefined when it looks like a plain compact JWS.
 *
 * @example
 * ```ts
 * detectMangling('"eyJ..."'); // 'quoted'
 * ```
 */
export function detectMangling(raw: string): Mangling | undefined {
  if (raw.length === 0 || raw === 'undefined' || raw === 'null') return 'empty';
  if (/^["'`]/.test(raw) || /["'`]$/.test(raw)) return 'quoted';
  if (/^bearer\s/i.test(raw)) return 'bearer-prefix';
  if (/\s/.test(raw)) return 'whitespace';
  if (/%[0-9a-f]{2}/i.test(raw)) return 'url-encoded';
  if (raw.startsWith('tsr_')) return 'refresh-token';
  if (!raw.startsWith('ey')) return 'not-a-jwt';
  if (raw.split('.').length < 3) return 'truncated';
  return undefined;
}
