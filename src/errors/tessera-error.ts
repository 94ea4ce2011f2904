import { ERROR_TABLE, type Bucket, type ErrorCode } from './codes.js';

/** Numbers and facts behind an error, safe to serialise: never a token, values from tokens already escaped. */
export type ErrorFacts = Readonly<Record<string, string | number | boolean | null>>;

/**
 * The one error type Tessera throws. `code` is stable and narrows in a `switch`; `message` is the
 * human explanation with the numbers ("expired 95 s ago: exp 2026-01-01T12:00:05Z, server time ...").
 *
 * @example
 * ```ts
 * try { verifier.verify(token); } catch (error) {
 *   if (error instanceof TesseraError && error.code === 'TOKEN_EXPIRED') console.log(error.bucket, error.message);
 * }
 * ```
 */
export class TesseraError extends Error {
  override readonly name = 'TesseraError';
  readonly code: ErrorCode;
  readonly facts: ErrorFacts;

  constructor(code: ErrorCode, explanation: string, facts: ErrorFacts = {}) {
    super(explanation);
    this.code = code;
    this.facts = facts;
  }

  /** Where to look: time, storage or validation; null for failures outside the token buckets. */
  get bucket(): Bucket | null {
    return ERROR_TABLE[this.code].bucket;
  }

  /** The HTTP status the server answers with. */
  get status(): number {
    return ERROR_TABLE[this.code].status;
  }

  /** A plain object for logs and JSON bodies. */
  toJSON(): { code: ErrorCode; bucket: Bucket | null; detail: string; facts: ErrorFacts } {
    return { code: this.code, bucket: this.bucket, detail: this.message, facts: this.facts };
  }
}

/**
 * Narrows an unknown thrown value to a TesseraError, optionally of one code.
 *
 * @example
 * ```ts
 * if (isTesseraError(error, 'KEY_UNKNOWN')) rotateJwksCache();
 * ```
 */
export function isTesseraError(value: unknown, code?: ErrorCode): value is TesseraError {
  return value instanceof TesseraError && (code === undefined || value.code === code);
}
