// Issue item 3, server half: an app on another site than the auth server never gets the SameSite=Lax
// refresh cookie back, so every reload signs the user out. The server must say so: a cookie-transport
// login, signup, or a refresh that arrives without its cookie, from another site (Sec-Fetch-Site, else
// the Origin's registrable domain, approximated by the last two labels) gets `Tessera-Warning:
// cookie-cross-site` and a rate-limited log line, and still succeeds. SameSite=None means cross-site is
// intended: no warning.
import { describe, expect, it } from 'vitest';
import { isCrossSite, siteOf } from '../../src/http/cookies.js';
import { WARNING_HEADER, type ServerWarning } from '../../src/wire/names.js';
import { PASSWORD, browserPost, createWarningKit } from './support/warning-kit.js';

const SERVER = 'http://localhost:8080';
const APP = 'http://127.0.0.1:5173';
const CROSS_SITE: ServerWarning = 'cookie-cross-site';

const login = (email: string, headers: Record<string, string>): Request =>
  browserPost(`${SERVER}/auth/login`, headers, { email, password: PASSWORD });

describe('cookie-cross-site: detection', () => {
  it('approximates the site as the last two labels, IP addresses and localhost exactly', () => {
    expect(siteOf('auth.example.com')).toBe('example.com');
    expect(siteOf('APP.Example.COM.')).toBe('example.com');
    expect(siteOf('localhost')).toBe('localhost');
    expect(siteOf('127.0.0.1')).toBe('127.0.0.1');
    expect(siteOf('10.0.0.7')).not.toBe(siteOf('10.0.1.7'));
    expect(siteOf('[::1]')).toBe('[::1]');
  });

  const judged = (url: string, headers: Record<string, string>, trustProxy = false): boolean =>
    isCrossSite(new Request(url, { headers }), { trustProxy });

  it('lets Sec-Fetch-Site decide when the browser sent it, else compares the Origin with the host', () => {
    expect(judged(`${SERVER}/auth/login`, { origin: APP })).toBe(true);
    expect(judged('https://auth.example.com/x', { origin: 'https://app.example.com' })).toBe(false);
    expect(judged('https://auth.example.com/x', { origin: 'https://app.other.com' })).toBe(true);
    expect(
      judged('https://auth.example.com/x', {
        origin: 'https://app.example.com',
        'sec-fetch-site': 'cross-site',
      }),
    ).toBe(true);
    expect(judged(`${SERVER}/x`, { origin: APP, 'sec-fetch-site': 'same-site' })).toBe(false);
    expect(judged(`${SERVER}/x`, {})).toBe(false); // no Origin: a native client, not a browser
    expect(judged(`${SERVER}/x`, { origin: 'null' })).toBe(false);
    expect(judged(`${SERVER}/x`, { origin: 'not a url' })).toBe(false);
  });

  it('takes the host from X-Forwarded-Host only with trustProxy', () => {
    const headers = {
      origin: 'https://app.example.com',
      'x-forwarded-host': 'auth.example.com, internal:8080',
    };
    expect(judged('http://tessera:8080/auth/login', headers, true)).toBe(false);
    expect(judged('http://tessera:8080/auth/login', headers, false)).toBe(true);
    expect(
      judged('http://tessera:8080/auth/login', { ...headers, 'x-forwarded-host': '%%%' }, true),
    ).toBe(true);
  });
});

describe('cookie-cross-site: the answer and the log', () => {
  it('warns on a cookie login from another site, which still succeeds and sets the cookie', async () => {
    const kit = await createWarningKit();
    await kit.signup('a@example.test');
    const response = await kit.handler.fetch(login('a@example.test', { origin: APP }));
    expect(response.status).toBe(200);
    expect(response.headers.get(WARNING_HEADER)).toBe(CROSS_SITE);
    expect(response.headers.getSetCookie().map((line) => line.split('=')[0])).toEqual([
      '__Secure-tessera_rt',
      '__Host-tessera_device',
    ]);
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').toLowerCase();
    expect(exposed.split(/,\s*/)).toContain(WARNING_HEADER);
    const [line, ...rest] = kit.warnings('warning');
    expect(rest).toEqual([]);
    expect(line?.object).toMatchObject({
      warning: CROSS_SITE,
      route: 'login',
      origin: `"${APP}"`,
      sameSite: 'Lax',
    });
    expect(line?.message).toMatch(/--cookie-same-site None/);
    // The log never holds the cookie or the tokens the answer carries.
    const body = (await response.json()) as { access_token: string };
    const cookie = /=([^;]+)/.exec(response.headers.getSetCookie()[0] ?? '')?.[1] ?? '';
    const logged = JSON.stringify(kit.logs);
    expect(logged).not.toContain(cookie);
    expect(logged).not.toContain(body.access_token);
  });

  it('warns on a cookie signup from another site (201), and on Sec-Fetch-Site: cross-site alone', async () => {
    const kit = await createWarningKit({ allowedOrigins: ['https://app.example.com'] });
    const signup = await kit.handler.fetch(
      browserPost(
        `${SERVER}/auth/signup`,
        { origin: 'https://app.example.com' },
        { email: 'b@example.test', password: PASSWORD },
      ),
    );
    expect(signup.status).toBe(201);
    expect(signup.headers.get(WARNING_HEADER)).toBe(CROSS_SITE);
    const sameDomain = await kit.handler.fetch(
      browserPost(
        'https://auth.example.com/auth/login',
        { origin: 'https://app.example.com', 'sec-fetch-site': 'cross-site' },
        { email: 'b@example.test', password: PASSWORD },
      ),
    );
    expect(sameDomain.status).toBe(200);
    expect(sameDomain.headers.get(WARNING_HEADER)).toBe(CROSS_SITE);
  });

  it('does not warn for one site, for the body transport, or with SameSite=None', async () => {
    const kit = await createWarningKit({ allowedOrigins: ['https://app.example.com', APP] });
    await kit.signup('c@example.test');
    const sameSite = await kit.handler.fetch(
      browserPost(
        'https://auth.example.com/auth/login',
        { origin: 'https://app.example.com' },
        { email: 'c@example.test', password: PASSWORD },
      ),
    );
    const body = await kit.handler.fetch(
      login('c@example.test', { origin: APP, 'token-transport': 'body' }),
    );
    for (const response of [sameSite, body]) {
      expect(response.status).toBe(200);
      expect(response.headers.get(WARNING_HEADER)).toBeNull();
    }
    const none = await createWarningKit({ cookieSameSite: 'None' });
    await none.signup('d@example.test');
    const crossSite = await none.handler.fetch(
      login('d@example.test', { origin: APP, 'sec-fetch-site': 'cross-site' }),
    );
    expect(crossSite.status).toBe(200);
    expect(crossSite.headers.get(WARNING_HEADER)).toBeNull();
    expect([...kit.warnings('warning'), ...none.warnings('warning')]).toEqual([]);
  });

  it('warns on a refresh that arrives without its cookie from another site, and only then', async () => {
    const kit = await createWarningKit();
    const missing = await kit.handler.fetch(browserPost(`${SERVER}/auth/refresh`, { origin: APP }));
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { code: string }).code).toBe('REFRESH_TOKEN_MISSING');
    expect(missing.headers.get(WARNING_HEADER)).toBe(CROSS_SITE);
    expect(missing.headers.get('access-control-allow-origin')).toBe(APP);
    expect(kit.warnings('warning')[0]?.object).toMatchObject({ route: 'refresh' });

    const bodyClient = await kit.handler.fetch(
      browserPost(`${SERVER}/auth/refresh`, { origin: APP, 'token-transport': 'body' }),
    );
    expect(bodyClient.status).toBe(401);
    expect(bodyClient.headers.get(WARNING_HEADER)).toBeNull();
    // The cookie did come back (a browser that sends it cross-site): nothing to warn about.
    const withCookie = await kit.handler.fetch(
      browserPost(`${SERVER}/auth/refresh`, {
        origin: APP,
        cookie: '__Secure-tessera_rt=tsr_AAAAAAAAAAAAAAAAAAAAAA.' + 'A'.repeat(43),
      }),
    );
    expect(withCookie.status).toBe(401);
    expect(withCookie.headers.get(WARNING_HEADER)).toBeNull();
  });

  it('logs a flood of cross-site refreshes as one line a minute per origin, counting what it held back', async () => {
    const kit = await createWarningKit();
    for (let i = 0; i < 50; i++) {
      const response = await kit.handler.fetch(
        browserPost(`${SERVER}/auth/refresh`, { origin: APP }),
      );
      expect(response.headers.get(WARNING_HEADER)).toBe(CROSS_SITE); // every answer warns, the log does not
    }
    expect(kit.warnings('warning')).toHaveLength(1);
    kit.clock.advance(59_999);
    await kit.handler.fetch(browserPost(`${SERVER}/auth/refresh`, { origin: APP }));
    expect(kit.warnings('warning')).toHaveLength(1);
    kit.clock.advance(1);
    await kit.handler.fetch(browserPost(`${SERVER}/auth/refresh`, { origin: APP }));
    const lines = kit.warnings('warning');
    expect(lines).toHaveLength(2);
    expect(lines[1]?.object).toMatchObject({ suppressed: 50 });
  });
});
