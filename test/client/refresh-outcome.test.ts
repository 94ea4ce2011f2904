// What a refused refresh means, as pure functions: the code -> outcome table of "no logout nobody asked
// for", the logout reason of an ended one, and the advice the client gives (site check, fixes).
import { describe, expect, it } from 'vitest';
import {
  WARNING_FIXES,
  cookieDetail,
  cookieReport,
  readWarning,
  refreshFix,
  siteOf,
} from '../../src/client/client-advice.js';
import { endingReason, refreshOutcome } from '../../src/client/refresh-outcome.js';
import { ERROR_CODES, ERROR_TABLE } from '../../src/errors/codes.js';

describe('refreshOutcome: the session ends only when it is gone', () => {
  const table: [status: number, code: string, outcome: string][] = [
    [401, 'REFRESH_TOKEN_REUSED', 'ended'],
    [401, 'REFRESH_TOKEN_REVOKED', 'ended'],
    [401, 'REFRESH_TOKEN_EXPIRED', 'ended'],
    [401, 'SESSION_EXPIRED', 'ended'],
    [401, 'REFRESH_TOKEN_UNKNOWN', 'ended'],
    [401, 'REFRESH_TOKEN_MISSING', 'ended'],
    [401, 'REFRESH_TOKEN_MALFORMED', 'ended'],
    [400, 'TRANSPORT_MISMATCH', 'ended'],
    [403, 'CSRF_FAILED', 'misconfigured'],
    [400, 'REQUEST_INVALID', 'misconfigured'],
    [413, 'REQUEST_TOO_LARGE', 'misconfigured'],
    [415, 'MEDIA_TYPE_UNSUPPORTED', 'misconfigured'],
    [404, 'NOT_FOUND', 'misconfigured'],
    [405, 'METHOD_NOT_ALLOWED', 'misconfigured'],
    [404, 'HTTP_404', 'misconfigured'],
    [401, 'HTTP_401', 'misconfigured'],
    [403, 'HTTP_403', 'misconfigured'],
    [503, 'STORE_UNAVAILABLE', 'reconnecting'],
    [503, 'REVOCATION_STALE', 'reconnecting'],
    [500, 'KEY_INVALID', 'reconnecting'],
    [502, 'HTTP_502', 'reconnecting'],
    [429, 'RATE_LIMITED', 'reconnecting'],
    [408, 'HTTP_408', 'reconnecting'],
    [0, 'NETWORK', 'reconnecting'],
  ];
  for (const [status, code, outcome] of table)
    it(`${status} ${code} -> ${outcome}`, () => {
      expect(refreshOutcome(status, code)).toBe(outcome);
    });

  it('ends the session for exactly the refresh-token codes, SESSION_EXPIRED and TRANSPORT_MISMATCH', () => {
    const ended = ERROR_CODES.filter(
      (code) => refreshOutcome(ERROR_TABLE[code].status, code) === 'ended',
    );
    expect(ended.sort()).toEqual(
      [
        'REFRESH_TOKEN_MISSING',
        'REFRESH_TOKEN_MALFORMED',
        'REFRESH_TOKEN_EXPIRED',
        'SESSION_EXPIRED',
        'REFRESH_TOKEN_UNKNOWN',
        'REFRESH_TOKEN_REUSED',
        'REFRESH_TOKEN_REVOKED',
        'TRANSPORT_MISMATCH',
      ].sort(),
    );
  });
});

describe('endingReason', () => {
  it('passes every ended code on unchanged but REFRESH_TOKEN_MISSING', () => {
    for (const code of ['REFRESH_TOKEN_REUSED', 'SESSION_EXPIRED', 'TRANSPORT_MISMATCH'])
      for (const held of [true, false])
        expect(endingReason(code, { held, transport: 'cookie' })).toBe(code);
  });

  it('names a missing cookie of a session this browser held COOKIE_NOT_SENT', () => {
    expect(endingReason('REFRESH_TOKEN_MISSING', { held: true, transport: 'cookie' })).toBe(
      'COOKIE_NOT_SENT',
    );
  });

  it('keeps REFRESH_TOKEN_MISSING for a native app whose storage lost the token of a live session', () => {
    expect(endingReason('REFRESH_TOKEN_MISSING', { held: true, transport: 'body' })).toBe(
      'REFRESH_TOKEN_MISSING',
    );
  });

  it('is null (not signed in, no logout) when no session was held', () => {
    for (const transport of ['cookie', 'body'] as const)
      expect(endingReason('REFRESH_TOKEN_MISSING', { held: false, transport })).toBeNull();
  });
});

describe('siteOf and cookieReport', () => {
  it('approximates the registrable domain by the last two labels, with the scheme', () => {
    expect(siteOf('https://app.example.com')).toBe('https:example.com');
    expect(siteOf('https://auth.example.com:8443')).toBe('https:example.com');
    expect(siteOf('http://app.example.com')).not.toBe(siteOf('https://app.example.com'));
  });

  it('takes IP addresses, localhost and opaque origins exactly', () => {
    expect(siteOf('http://127.0.0.1:3000')).toBe('http:127.0.0.1');
    expect(siteOf('http://10.0.0.1')).not.toBe(siteOf('http://10.0.0.2'));
    expect(siteOf('http://localhost:8080')).toBe('http:localhost');
    expect(siteOf('http://[::1]:8080')).toBe('http:[::1]');
    expect(siteOf('null')).toBe('null');
  });

  it('reports a cross-site pair with the three fixes, and a same-site pair as a lost cookie', () => {
    const cross = cookieReport('http://127.0.0.1:5173', 'http://localhost:8080');
    expect(cross).toMatchObject({
      appOrigin: 'http://127.0.0.1:5173',
      authOrigin: 'http://localhost:8080',
      sameSite: false,
    });
    expect(cross.fix).toMatch(/one site/);
    expect(cross.fix).toMatch(/--cookie-same-site None over HTTPS/);
    expect(cross.fix).toMatch(/body transport/);
    expect(cookieDetail(cross)).toMatch(
      /from http:\/\/127\.0\.0\.1:5173 to http:\/\/localhost:8080 \(cross-site\)/,
    );
    const same = cookieReport('https://app.example.com', 'https://auth.example.com');
    expect(same.sameSite).toBe(true);
    expect(same.fix).toMatch(/expired or was cleared or blocked/);
  });
});

describe('refreshFix', () => {
  const app = 'https://app.example.com';
  const base = 'https://auth.example.com';
  it('names the allowed origins for CSRF, the server and CORS for the network, baseUrl otherwise', () => {
    expect(refreshFix('CSRF_FAILED', 'misconfigured', app, base)).toMatch(
      /add https:\/\/app\.example\.com to .*--allowed-origins/,
    );
    expect(refreshFix('NETWORK', 'reconnecting', app, base)).toMatch(
      /auth\.example\.com is up and allows https:\/\/app\.example\.com/,
    );
    expect(refreshFix('NETWORK', 'reconnecting', 'null', base)).not.toMatch(/allows/);
    expect(refreshFix('NOT_FOUND', 'misconfigured', app, base)).toMatch(/baseUrl/);
    expect(refreshFix('STORE_UNAVAILABLE', 'reconnecting', app, base)).toMatch(/busy or failing/);
  });

  it('has a fix for every server warning', () => {
    expect(WARNING_FIXES['cookie-cross-site']).toMatch(/one site/);
  });

  it('readWarning takes the first known code of the header, and nothing else', () => {
    expect(readWarning('cookie-cross-site')).toBe('cookie-cross-site');
    expect(readWarning('from-the-future, cookie-cross-site')).toBe('cookie-cross-site');
    expect(readWarning('from-the-future')).toBeNull();
    expect(readWarning('toString')).toBeNull();
    expect(readWarning(null)).toBeNull();
  });
});
