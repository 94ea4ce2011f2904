import { row, type ErrorTableRow } from './table-row.js';

/**
 * Rows of legacy tokens (issue 14): an old app's own JWTs exchanged once for a Tessera session.
 * `ERROR_TABLE` in `codes.ts` spreads the row groups in a fixed order, which is the order of
 * `ERROR_CODES`.
 *
 * @example
 * ```ts
 * import { LEGACY_ROWS } from './legacy-rows.js';
 *
 * console.log(Object.keys(LEGACY_ROWS).length > 0); // true
 * ```
 */
export const LEGACY_ROWS = {
  // Legacy tokens (issue 14): an old app's own JWTs exchanged once for a Tessera session. RFC 8693
  // section 2.2.2 answers an unusable subject_token with invalid_request.
  LEGACY_TOKEN_MALFORMED: row(
    400,
    'invalid_request',
    'storage',
    'The legacy token is not a compact JWS',
  ),
  LEGACY_SIGNATURE_INVALID: row(
    400,
    'invalid_request',
    'validation',
    'The legacy token is not signed by the configured legacy key',
  ),
  LEGACY_TOKEN_NO_EXP: row(
    400,
    'invalid_request',
    'validation',
    'The legacy token has no exp claim',
  ),
  LEGACY_TOKEN_EXPIRED: row(400, 'invalid_request', 'time', 'The legacy token has expired'),
  LEGACY_CLAIM_INVALID: row(
    400,
    'invalid_request',
    'validation',
    'The legacy token has the wrong issuer, audience or time claims',
  ),
  LEGACY_SUBJECT_INVALID: row(
    400,
    'invalid_request',
    'validation',
    'The legacy user id claim is missing or of the wrong type',
  ),
  LEGACY_WINDOW_CLOSED: row(
    400,
    'invalid_request',
    'time',
    'The migration window for legacy tokens has closed',
  ),
  LEGACY_TOKEN_REPLAYED: row(
    400,
    'invalid_request',
    'validation',
    'The legacy token was already exchanged; its session is revoked',
  ),
  LEGACY_TOKEN_REJECTED: row(
    400,
    'invalid_request',
    'validation',
    'The old app store refused the legacy token',
  ),
  LEGACY_NOT_CONFIGURED: row(
    400,
    'invalid_request',
    null,
    'This server has no legacy token configuration',
  ),
} as const satisfies Record<string, ErrorTableRow>;
