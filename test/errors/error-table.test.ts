import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  ERROR_TABLE,
  TesseraError,
  isTesseraError,
  type ErrorCode,
} from '../../src/index.js';

const OAUTH_ERRORS = [
  'invalid_request',
  'invalid_token',
  'invalid_grant',
  'invalid_client',
  'unsupported_grant_type',
  'insufficient_scope',
  'server_error',
  'temporarily_unavailable',
];

describe('error table', () => {
  it('lists every code once, in ERROR_CODES and in the table', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    expect([...ERROR_CODES].sort()).toEqual(Object.keys(ERROR_TABLE).sort());
    expect(ERROR_CODES.length).toBeGreaterThanOrEqual(38);
  });

  it.each(ERROR_CODES.map((code) => [code]))(
    '%s has a status, an OAuth error, a bucket and a fixed ASCII description',
    (code) => {
      const row = ERROR_TABLE[code as ErrorCode];
      expect(Number.isInteger(row.status) && row.status >= 400 && row.status <= 599).toBe(true);
      expect(OAUTH_ERRORS).toContain(row.oauthError);
      expect([null, 'time', 'storage', 'validation']).toContain(row.bucket);
      expect(row.description).toMatch(/^[\x20-\x7e]{10,120}$/);
      // The description goes into WWW-Authenticate: no quote or backslash may break out of its quoted-string.
      expect(row.description).not.toMatch(/["\\]/);
    },
  );

  it('answers token-bucket failures with 400 or 401, server_error with 500 and temporarily_unavailable with 503', () => {
    for (const code of ERROR_CODES) {
      const row = ERROR_TABLE[code];
      if (row.bucket !== null) expect([400, 401], code).toContain(row.status);
      if (row.oauthError === 'server_error') expect(row.status, code).toBe(500);
      if (row.oauthError === 'temporarily_unavailable') expect(row.status, code).toBe(503);
    }
  });

  it('puts the time failures in the time bucket and key and signature failures in validation', () => {
    const bucketOf = (code: ErrorCode): string | null => ERROR_TABLE[code].bucket;
    expect(
      [
        'TOKEN_EXPIRED',
        'TOKEN_NOT_YET_VALID',
        'TOKEN_ISSUED_IN_FUTURE',
        'TOKEN_LIFETIME_TOO_LONG',
      ].map((c) => bucketOf(c as ErrorCode)),
    ).toEqual(['time', 'time', 'time', 'time']);
    expect(
      ['TOKEN_MALFORMED', 'TOKEN_TOO_LARGE', 'TOKEN_MISSING'].map((c) => bucketOf(c as ErrorCode)),
    ).toEqual(['storage', 'storage', 'storage']);
    expect(
      [
        'SIGNATURE_INVALID',
        'ALGORITHM_NOT_ALLOWED',
        'KEY_UNKNOWN',
        'HEADER_NOT_ALLOWED',
        'TOKEN_TYPE_MISMATCH',
      ].map((c) => bucketOf(c as ErrorCode)),
    ).toEqual(['validation', 'validation', 'validation', 'validation', 'validation']);
  });

  it.each(ERROR_CODES.map((code) => [code]))(
    'a TesseraError of %s reads its status and bucket from the table',
    (code) => {
      const error = new TesseraError(code as ErrorCode, 'explanation', { n: 1 });
      expect(error.status).toBe(ERROR_TABLE[code as ErrorCode].status);
      expect(error.bucket).toBe(ERROR_TABLE[code as ErrorCode].bucket);
      expect(error.toJSON()).toEqual({
        code,
        bucket: ERROR_TABLE[code as ErrorCode].bucket,
        detail: 'explanation',
        facts: { n: 1 },
      });
      expect(isTesseraError(error, code as ErrorCode)).toBe(true);
      expect(
        isTesseraError(error, code === 'TOKEN_EXPIRED' ? 'TOKEN_MISSING' : 'TOKEN_EXPIRED'),
      ).toBe(false);
      expect(error).toBeInstanceOf(Error);
    },
  );

  it('does not take a plain Error with a code for a TesseraError', () => {
    expect(isTesseraError(Object.assign(new Error('x'), { code: 'TOKEN_EXPIRED' }))).toBe(false);
  });
});
