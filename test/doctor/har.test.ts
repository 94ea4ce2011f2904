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

// A cookie client cannot see its HttpOnly refresh cookie, so a page load asks /auth/refresh and takes
// the 401 as "signed out" (Tessera's client on every start-up). That refusal is by design only while
// the recording shows no refresh token handed to the browser and still live.
describe('the start-up refresh of a signed-out page', () => {
  const APP = 'http://localhost:4000';
  const missing = JSON.stringify({
    code: 'REFRESH_TOKEN_MISSING',
    detail: 'No refresh token was sent.',
  });
  const challenge: [string, string] = ['WWW-Authenticate', 'Bearer realm="tessera"'];
  const probe = (at: number, responseBody?: string): HarEntry =>
    entry({
      at,
      method: 'POST',
      url: `${APP}/auth/refresh`,
      status: 401,
      responseHeaders: [challenge],
      ...(responseBody === undefined ? {} : { responseBody }),
    });
  const signUp = (at: number): HarEntry =>
    entry({
      at,
      method: 'POST',
      url: `${APP}/auth/signup`,
      status: 201,
      responseHeaders: [
        [
          'Set-Cookie',
          '__Secure-tessera_rt=tsr_0123456789abcdef0123; Path=/auth; HttpOnly; Secure',
        ],
        ['Set-Cookie', '__Host-tessera_device=dev_0123456789abcdef; Path=/; HttpOnly; Secure'],
      ],
    });
  const refreshed = (at: number): HarEntry =>
    entry({
      at,
      method: 'POST',
      url: `${APP}/auth/refresh`,
      status: 200,
      requestHeaders: [
        [
          'Cookie',
          '__Secure-tessera_rt=tsr_0123456789abcdef0123; __Host-tessera_device=dev_0123456789abcdef',
        ],
      ],
    });

  it('before the sign-up, with or without the body recorded: no failure, the request noted', () => {
    for (const body of [undefined, missing]) {
      const report = analyseHar(har([probe(0, body), signUp(500), refreshed(5000)]));
      expect(report.sanitized).toBeNull();
      expect(report.firstFailure).toBeNull();
      expect(report.requests[0]).toMatchObject({ number: 1, refusedByDesign: true });
      expect(report.requests.slice(1).some((r) => r.refusedByDesign)).toBe(false);
      const text = renderHarReport(report);
      expect(text).toContain('First failure: none (no request failed; #1 refused by design');
      expect(text).not.toContain('tsr_0123456789abcdef0123');
    }
  });

  it('after the sign-up set the refresh cookie, a refresh without it is the first failure', () => {
    const report = analyseHar(har([signUp(0), probe(1000, missing)]));
    expect(report.firstFailure).toMatchObject({ number: 2, status: 401 });
    expect(report.requests.some((r) => r.refusedByDesign)).toBe(false);
  });

  it('after a logout deleted the cookie, the next page load asks again by design', () => {
    const logout = entry({
      at: 6000,
      method: 'POST',
      url: `${APP}/auth/logout`,
      status: 204,
      responseHeaders: [['Set-Cookie', '__Secure-tessera_rt=; Path=/auth; Max-Age=0; Secure']],
    });
    const report = analyseHar(har([signUp(0), refreshed(5000), logout, probe(7000, missing)]));
    expect(report.firstFailure).toBeNull();
    expect(report.requests.at(-1)).toMatchObject({ number: 4, refusedByDesign: true });
  });

  it('a body transport that got its refresh token in a body and then sent none: a failure', () => {
    const login = entry({
      at: 0,
      method: 'POST',
      url: 'https://shop.test/login',
      status: 200,
      responseBody: '{"accessToken":"a","refreshToken":"rt-0123456789abcdef"}',
      responseHeaders: [['Set-Cookie', 'theme=dark; Path=/']],
    });
    const refresh = entry({
      at: 1000,
      method: 'POST',
      url: 'https://shop.test/refresh',
      status: 401,
    });
    expect(analyseHar(har([login, refresh])).firstFailure).toMatchObject({ number: 2 });
  });

  it('a refusal for another reason than "no refresh token" is a failure even at start-up', () => {
    const origin = probe(0, '{"code":"ORIGIN_REFUSED","detail":"This origin may not refresh."}');
    expect(analyseHar(har([origin, signUp(500)])).firstFailure).toMatchObject({ number: 1 });
    const challenged = entry({
      at: 0,
      method: 'POST',
      url: `${APP}/auth/refresh`,
      status: 401,
      responseHeaders: [
        ['WWW-Authenticate', 'Bearer error="invalid_token", error_description="expired"'],
      ],
    });
    expect(analyseHar(har([challenged, signUp(500)])).firstFailure).toMatchObject({ number: 1 });
    const forbidden = entry({ at: 0, method: 'POST', url: `${APP}/auth/refresh`, status: 403 });
    expect(analyseHar(har([forbidden, signUp(500)])).firstFailure).toMatchObject({ number: 1 });
  });

  it('in a sanitized export the cookie cannot be seen, so the refusal stays a failure', () => {
    const stripped = entry({ at: 500, method: 'POST', url: `${APP}/auth/signup`, status: 201 });
    const report = analyseHar(har([probe(0, missing), stripped]));
    expect(report.sanitized).not.toBeNull();
    expect(report.firstFailure).toMatchObject({ number: 1 });
  });
});
