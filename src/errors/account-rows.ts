import { row, type ErrorTableRow } from './table-row.js';

/**
 * Rows of Tessera's own accounts: wrong credentials, sign-up, reset and verification tokens, tickets.
 * `ERROR_TABLE` in `codes.ts` spreads the row groups in a fixed order, which is the order of
 * `ERROR_CODES`.
 *
 * @example
 * ```ts
 * import { ACCOUNT_ROWS } from './account-rows.js';
 *
 * console.log(Object.keys(ACCOUNT_ROWS).length > 0); // true
 * ```
 */
export const ACCOUNT_ROWS = {
  CREDENTIALS_INVALID: row(401, 'invalid_grant', null, 'Email or password is wrong'),
  ACCOUNT_EXISTS: row(409, 'invalid_request', null, 'An account with this email already exists'),
  SIGNUP_DISABLED: row(403, 'invalid_request', null, 'Sign-up is turned off on this server'),
  RESET_TOKEN_INVALID: row(
    400,
    'invalid_grant',
    null,
    'The password-reset token is unknown, used or expired',
  ),
  VERIFY_TOKEN_INVALID: row(
    400,
    'invalid_grant',
    null,
    'The email-verification token is unknown, used or expired',
  ),
  TICKET_INVALID: row(
    401,
    'invalid_token',
    null,
    'The connection ticket is unknown, used or expired',
  ),
} as const satisfies Record<string, ErrorTableRow>;
