// The HAR analysis on a signed-out page's start-up refresh, on recordings built here in Chromium's HAR
// 1.2 shape (the browser-recorded proofs are test/browser/doctor-har.test.ts).
import { describe, expect, it } from 'vitest';
import { analyseHar } from '../../src/doctor/har/analyse-har.js';
import type { HarEntry } from '../../src/doctor/har/har-model.js';
import { renderHarReport } from '../../src/doctor/har/render-har.js';
import { entry, har } from './har-support.js';

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
