import { TOKEN_ROWS } from './token-rows.js';
import { SERVICE_ROWS } from './service-rows.js';
import { ACCOUNT_ROWS } from './account-rows.js';
import { ENDPOINT_ROWS } from './endpoint-rows.js';
import { CONFIG_ROWS } from './config-rows.js';
import { LEGACY_ROWS } from './legacy-rows.js';
import { FEED_ROWS } from './feed-rows.js';
import type { Bucket, ErrorTableRow, OAuthErrorValue } from './table-row.js';

export type { Bucket, ErrorTableRow, OAuthErrorValue };

/**
 * Every failure Tessera raises, with its HTTP status, its RFC 6750 / RFC 6749 `error`, and its bucket.
 * This is the one table the HTTP layer, the doctor and the client read.
 *
 * @example
 * ```ts
 * import { ERROR_TABLE } from 'tessera-auth';
 *
 * console.log(ERROR_TABLE.KEY_UNKNOWN.status); // 401
 * ```
 */
export const ERROR_TABLE = {
  ...TOKEN_ROWS,
  ...SERVICE_ROWS,
  ...ACCOUNT_ROWS,
  ...ENDPOINT_ROWS,
  ...CONFIG_ROWS,
  ...LEGACY_ROWS,
  ...FEED_ROWS,
} as const satisfies Record<string, ErrorTableRow>;

/**
 * The stable string codes; a `switch` over `error.code` narrows on them.
 *
 * @example
 * ```ts
 * import { ERROR_TABLE, type ErrorCode } from 'tessera-auth';
 *
 * function isTime(code: ErrorCode): boolean {
 *   return ERROR_TABLE[code].bucket === 'time';
 * }
 * ```
 */
export type ErrorCode = keyof typeof ERROR_TABLE;

/**
 * All codes as a list, for exhaustive tests and documentation.
 *
 * @example
 * ```ts
 * ERROR_CODES.includes('TOKEN_EXPIRED'); // true
 * ```
 */
export const ERROR_CODES: readonly ErrorCode[] = Object.keys(ERROR_TABLE) as ErrorCode[];
