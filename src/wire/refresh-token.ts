import { TesseraError } from '../errors/tessera-error.js';
import { detectMangling, MANGLING_WORDS } from '../errors/mangling.js';
import { REFRESH_TOKEN_PATTERN } from './names.js';

/**
 * Splits a presented refresh token into id and secret, or throws REFRESH_TOKEN_MISSING / _MALFORMED
 * naming how it was mangled.
 *
 * @example
 * ```ts
 * const { id, secret } = parseRefreshToken(cookieValue);
 * ```
 */
export function parseRefreshToken(value: unknown): { id: string; secret: string } {
  if (value === undefined || value === null || value === '')
    throw new TesseraError(
      'REFRESH_TOKEN_MISSING',
      'No refresh token was sent: the cookie is missing (blocked third-party cookie, wrong Path, or cleared) or the body has no refresh_token.',
    );
  if (typeof value !== 'string')
    throw new TesseraError(
      'REFRESH_TOKEN_MALFORMED',
      `The refresh token must be a string; got ${typeof value}.`,
    );
  const match = REFRESH_TOKEN_PATTERN.exec(value);
  if (match === null) {
    const mangling =
      value.startsWith('ey') && value.split('.').length === 3
        ? MANGLING_WORDS['access-token']
        : undefined;
    const found = detectMangling(value);
    const why =
      mangling ??
      (found !== undefined && found !== 'not-a-jwt' && found !== 'truncated'
        ? MANGLING_WORDS[found]
        : 'it is not tsr_<22 chars>.<43 chars>');
    throw new TesseraError('REFRESH_TOKEN_MALFORMED', `The refresh token is malformed: ${why}.`, {
      length: value.length,
    });
  }
  return { id: match[1] as string, secret: match[2] as string };
}
