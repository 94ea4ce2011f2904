// The HAR analysis on recordings built here in Chromium's HAR 1.2 shape (the browser-recorded proofs are
// test/browser/doctor-har.test.ts). Each case builds the traffic of one bug and asserts the finding.
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { analyseHar } from '../../src/doctor/har/analyse-har.js';
import type { Har, HarEntry } from '../../src/doctor/har/har-model.js';
import { renderHarReport } from '../../src/doctor/har/render-har.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123';
const T0 = Date.parse('2026-12-02T10:00:00.000Z');

interface Spec {
  at: number;
  method?: string;
  url: string;
  status: number;
  requestHeaders?: [string, string][];
  responseHeaders?: [string, string][];
  body?: string;
  responseBody?: string;
  serverSkewMs?: number;
}

const entry = (spec: Spec): HarEntry => ({
  startedDateTime: new Date(T0 + spec.at).toISOString(),
  time: 20,
  request: {
    method: spec.method ?? 'GET',
    url: spec.url,
    headers: (spec.requestHeaders ?? []).map(([name, value]) => ({ name, value })),
    cookies: [],
    ...(spec.body === undefined
      ? {}
      : { postData: { text: spec.body, mimeType: 'application/json' } }),
  },
  response: {
    status: spec.status,
    headers: [
      { name: 'date', value: new Date(T0 + spec.at + (spec.serverSkewMs ?? 0)).toUTCString() },
      ...(spec.responseHeaders ?? []).map(([name, value]) => ({ name, value })),
    ],
    cookies: [],
    ...(spec.responseBody === undefined
      ? {}
      : { content: { text: spec.responseBody, mimeType: 'application/json' } }),
  },
});
const har = (entries: HarEntry[]): Har => ({
  log: { creator: { name: 'WebInspector', version: '537.36' }, entries },
});
const token = (expOffsetS: number): string =>
  jwt.sign(
    { userId: 42, iat: Math.floor(T0 / 1000), exp: Math.floor(T0 / 1000) + expOffsetS },
    SECRET,
  );

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
