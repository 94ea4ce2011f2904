// The HAR analysis on recordings built here in Chromium's HAR 1.2 shape (the browser-recorded proofs are
// test/browser/doctor-har.test.ts). Each case builds the traffic of one bug and asserts the finding.
import { describe, expect, it } from 'vitest';
import { analyseHar } from '../../src/doctor/har/analyse-har.js';
import type { HarEntry } from '../../src/doctor/har/har-model.js';
import { renderHarReport } from '../../src/doctor/har/render-har.js';
import { entry, har, token } from './har-support.js';

describe('HAR analysis', () => {
  it('an expired token refused by the API, by the server clock', () => {
    const access = token(60);
    const report = analyseHar(
      har([
        entry({ at: 0, method: 'POST', url: 'https://shop.test/login', status: 200 }),
        entry({
          at: 120_000,
          url: 'https://shop.test/api/me',
          status: 401,
          requestHeaders: [['Authorization', `Bearer ${access}`]],
          responseBody: '{"message":"jwt expired"}',
        }),
      ]),
    );
    expect(report.firstFailure).toMatchObject({ number: 2, code: 'TOKEN_EXPIRED', bucket: 'time' });
    expect(report.firstFailure?.cause).toMatch(/had expired 1 min before the request/);
    expect(renderHarReport(report)).not.toContain(access);
  });

  it('a request sent before the client held a token', () => {
    const report = analyseHar(
      har([entry({ at: 0, url: 'https://shop.test/api/orders', status: 401 })]),
    );
    expect(report.firstFailure).toMatchObject({ code: 'TOKEN_MISSING', bucket: 'storage' });
  });

  it("the server's own words when nothing else explains the refusal", () => {
    const report = analyseHar(
      har([
        entry({
          at: 0,
          url: 'https://shop.test/api/me',
          status: 401,
          requestHeaders: [['Authorization', `Bearer ${token(600)}`]],
          responseHeaders: [
            [
              'WWW-Authenticate',
              'Bearer error="invalid_token", error_description="jwt audience invalid. expected: orders"',
            ],
          ],
        }),
      ]),
    );
    expect(report.firstFailure).toMatchObject({ code: 'AUDIENCE_MISMATCH', bucket: 'validation' });
  });

  it('cookies never sent back: Domain, Secure over http, SameSite on a cross-site fetch', () => {
    const report = analyseHar(
      har([
        entry({
          at: 0,
          method: 'POST',
          url: 'http://api.shop.test/login',
          status: 200,
          responseHeaders: [
            ['Set-Cookie', 'a=v1-0123456789; Domain=other.test; Path=/'],
            ['Set-Cookie', 'b=v2-0123456789; Secure; Path=/'],
            ['Set-Cookie', 'c=v3-0123456789; SameSite=Lax; Path=/'],
          ],
        }),
        entry({
          at: 1000,
          url: 'http://api.shop.test/me',
          status: 200,
          requestHeaders: [['Origin', 'http://app.elsewhere.test']],
        }),
      ]),
    );
    const why = Object.fromEntries(
      report.findings
        .filter((f) => f.id === 'cookie-never-sent')
        .map((f) => [/"(\w)"/.exec(f.what)?.[1], f.why]),
    );
    expect(why.b).toMatch(/Secure but was set over http/);
    expect(why.c).toMatch(/SameSite=lax and the later requests are cross-site/);
    expect(why.a).toMatch(/Domain=other.test does not cover api.shop.test/);
    expect(renderHarReport(report)).not.toMatch(/v[123]-0123456789/);
  });

  it('two refreshes at once with one refresh token: a race, the second refused', () => {
    const body = JSON.stringify({ refreshToken: 'rt-0123456789abcdef' });
    const report = analyseHar(
      har([
        entry({ at: 0, method: 'POST', url: 'https://shop.test/refresh', status: 200, body }),
        entry({ at: 5, method: 'POST', url: 'https://shop.test/refresh', status: 401, body }),
      ]),
    );
    expect(report.findings.find((f) => f.id === 'refresh-race')?.severity).toBe('danger');
    expect(report.firstFailure).toMatchObject({ number: 2, code: 'REFRESH_TOKEN_REUSED' });
    expect(renderHarReport(report)).not.toContain('rt-0123456789abcdef');
  });

  it('a 401 the client recovered from by refreshing and retrying is noted, not the first failure', () => {
    const expired = token(60);
    const fresh = token(900);
    const api = 'https://shop.test/api/orders';
    const refresh = JSON.stringify({ refreshToken: 'rt-recovered-0123456789' });
    const steps = [
      entry({ at: 0, method: 'POST', url: 'https://shop.test/login', status: 200 }),
      entry({
        at: 120_000,
        url: api,
        status: 401,
        requestHeaders: [['Authorization', `Bearer ${expired}`]],
      }),
      entry({
        at: 120_050,
        method: 'POST',
        url: 'https://shop.test/refresh',
        status: 200,
        body: refresh,
      }),
      entry({
        at: 120_100,
        url: api,
        status: 200,
        requestHeaders: [['Authorization', `Bearer ${fresh}`]],
      }),
    ];
    const report = analyseHar(har(steps));
    expect(report.firstFailure).toBeNull();
    expect(report.requests.find((r) => r.number === 2)?.notes).toContain(
      'recovered: the client refreshed (#3) and retried (#4), as it should',
    );
    // Without the successful retry (it failed again), the 401 stays the first failure.
    const failedRetry = analyseHar(
      har([
        ...steps.slice(0, 3),
        entry({
          at: 120_100,
          url: api,
          status: 401,
          requestHeaders: [['Authorization', `Bearer ${fresh}`]],
        }),
      ]),
    );
    expect(failedRetry.firstFailure).toMatchObject({ number: 2, code: 'TOKEN_EXPIRED' });
    // A refresh that was itself refused recovers nothing.
    const refusedRefresh = analyseHar(
      har([
        ...steps.slice(0, 2),
        entry({
          at: 120_050,
          method: 'POST',
          url: 'https://shop.test/refresh',
          status: 401,
          body: refresh,
        }),
        steps[3] as HarEntry,
      ]),
    );
    expect(refusedRefresh.firstFailure?.number).toBe(2);
  });

  it("Chromium's sanitized export: auth traffic but no credential header at all", () => {
    const report = analyseHar(
      har([
        entry({ at: 0, method: 'POST', url: 'https://shop.test/auth/login', status: 200 }),
        entry({ at: 1000, url: 'https://shop.test/api/me', status: 401 }),
      ]),
    );
    expect(report.sanitized?.notJudged.join('\n')).toMatch(
      /which access token each request carried/,
    );
    expect(report.sanitized?.howToExport).toMatch(/Allow to generate HAR with sensitive data/);
    // With credentials present anywhere, it is a full export.
    const full = analyseHar(
      har([
        entry({
          at: 0,
          url: 'https://shop.test/api/me',
          status: 401,
          requestHeaders: [['Cookie', 'sid=x']],
        }),
      ]),
    );
    expect(full.sanitized).toBeNull();
  });
});
