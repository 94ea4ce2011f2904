import { row, type ErrorTableRow } from './table-row.js';

/**
 * Rows that refuse the deployer's own setup: sensitive or unlisted claims, weak secrets, unusable keys,
 * invalid configuration, and imported password hashes (issue 14).
 * `ERROR_TABLE` in `codes.ts` spreads the row groups in a fixed order, which is the order of
 * `ERROR_CODES`.
 *
 * @example
 * ```ts
 * import { CONFIG_ROWS } from './config-rows.js';
 *
 * console.log(Object.keys(CONFIG_ROWS).length > 0); // true
 * ```
 */
export const CONFIG_ROWS = {
  PAYLOAD_SENSITIVE: row(
    500,
    'server_error',
    null,
    'Refused to sign a payload with secret or personal data',
  ),
  CLAIM_NOT_ALLOWED: row(
    500,
    'server_error',
    null,
    'Refused to sign a claim outside the allow-list',
  ),
  SECRET_WEAK: row(500, 'server_error', null, 'The HMAC secret is too weak'),
  KEY_INVALID: row(500, 'server_error', null, 'A key could not be loaded or used'),
  CONFIG_INVALID: row(500, 'server_error', null, 'The configuration is invalid'),
  // issue 14: imported password hashes
  PASSWORD_HASH_UNUSABLE: row(
    500,
    'server_error',
    null,
    'The stored password hash has an unknown format or a cost above the cap',
  ),
  IMPORT_INVALID: row(400, 'invalid_request', null, 'The user import has rows that cannot go in'),
} as const satisfies Record<string, ErrorTableRow>;
