/**
 * Reads one cookie from a Cookie header. Duplicate names (a second cookie shadowing ours from a
 * parent domain or another path) are reported, since the browser's order is not a safe tie-break.
 *
 * @example
 * ```ts
 * readCookie('a=1; __Secure-tessera_rt=tsr_x.y', '__Secure-tessera_rt'); // { value: 'tsr_x.y', duplicated: false }
 * ```
 */
export function readCookie(
  header: string | null,
  name: string,
): { value: string | undefined; duplicated: boolean } {
  if (header === null || header === '') return { value: undefined, duplicated: false };
  let value: string | undefined;
  let count = 0;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    count++;
    value = part.slice(eq + 1).trim();
  }
  return { value, duplicated: count > 1 };
}

/** Options of {@link serializeRefreshCookie}. */
export interface RefreshCookieOptions {
  readonly name: string;
  readonly sameSite: 'Lax' | 'Strict' | 'None';
  readonly path: string;
}

/**
 * The Set-Cookie value for the refresh token: HttpOnly, Secure, `Path=/auth`, with `Max-Age` (never
 * `Expires`, which the device clock would distort). A null value clears it.
 *
 * @example
 * ```ts
 * headers.append('set-cookie', serializeRefreshCookie(token, 1209600, options));
 * ```
 */
export function serializeRefreshCookie(
  value: string | null,
  maxAgeSeconds: number,
  options: RefreshCookieOptions,
): string {
  const age = value === null ? 0 : Math.max(0, Math.floor(maxAgeSeconds));
  return `${options.name}=${value ?? ''}; Path=${options.path}; Max-Age=${age}; HttpOnly; Secure; SameSite=${options.sameSite}`;
}
