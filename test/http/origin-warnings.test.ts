// Issue item 4: a request from an origin missing from --allowed-origins fails in the browser with an
// opaque "Failed to fetch", so the server must make the refusal visible: a rate-limited warning naming the
// origin and --allowed-origins (once per origin per minute, a few lines a minute at most whatever the
// flood), for the CSRF refusal and for the CORS preflight alike, and a CSRF_FAILED detail that names the
// origin, escaped as untrusted text, and the flag. The origin never reaches a header; no token or cookie
// reaches the log; odd headers never make a 5xx.
import { describe, expect, it } from 'vitest';
import { createLogGate } from '../../src/http/origin-policy.js';
import { browserPost, createWarningKit, PASSWORD } from './support/warning-kit.js';

const SERVER = 'http://localhost:8080';
const REFUSED = 'http://localhost:3000';
const COOKIE = `tsr_${'B'.repeat(22)}.${'C'.repeat(43)}`;

const preflight = (origin: string): Request =>
  new Request(`${SERVER}/auth/login`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'tessera-csrf',
    },
  });

describe('refused origins: the problem detail', () => {
  it('names the refused origin and --allowed-origins in the CSRF_FAILED detail, not in any header', async () => {
    const kit = await createWarningKit();
    const response = await kit.handler.fetch(
      browserPost(
        `${SERVER}/auth/login`,
        { origin: REFUSED },
        { email: 'a@example.test', password: PASSWORD },
      ),
    );
    expect(response.status).toBe(403);
    const body = (await response.json()) as {
      code: string;
      detail: string;
      facts: Record<string, unknown>;
    };
    expect(body.code).toBe('CSRF_FAILED');
    expect(body.facts).toEqual({ reason: 'origin-not-allowed' });
    expect(body.detail).toContain(`origin "${REFUSED}"`);
    expect(body.detail).toContain('--allowed-origins');
    for (const [name, value] of response.headers)
      expect(value, name).not.toContain('localhost:3000');
  });

  it('escapes and cuts a hostile Origin in the detail and in the log', async () => {
    const kit = await createWarningKit();
    const hostile = `https://\u00e9vil.test/"quoted"/${'x'.repeat(200)}`;
    const response = await kit.handler.fetch(
      browserPost(`${SERVER}/auth/refresh`, {
        origin: hostile,
        cookie: `__Secure-tessera_rt=${COOKIE}`,
      }),
    );
    expect(response.status).toBe(403);
    const { detail } = (await response.json()) as { detail: string };
    expect(detail).toMatch(/^[\x20-\x7e]+$/);
    expect(detail).toContain('\\u00e9vil.test/\\"quoted\\"');
    expect(detail).toContain('...(cut)');
    expect(detail).not.toContain('x'.repeat(100));
    const [line] = kit.warnings('flag');
    expect(String(line?.object.origin)).toMatch(/^"https:\/\/\\u00e9vil\.test.*\.\.\.\(cut\)$/);
    expect(JSON.stringify(kit.logs)).not.toContain(COOKIE); // never the cookie it rode on
  });

  it('explains the "null" origin of sandboxed frames and file:// pages', async () => {
    const kit = await createWarningKit();
    const response = await kit.handler.fetch(
      browserPost(`${SERVER}/auth/logout`, {
        origin: 'null',
        cookie: `__Secure-tessera_rt=${COOKIE}`,
      }),
    );
    expect(response.status).toBe(403);
    expect(((await response.json()) as { detail: string }).detail).toMatch(
      /"null".*sandboxed frames/,
    );
  });
});

describe('refused origins: the log', () => {
  it('logs a refused state change once per origin per minute, naming the origin and the flag', async () => {
    const kit = await createWarningKit();
    for (let i = 0; i < 20; i++)
      await kit.handler.fetch(browserPost(`${SERVER}/auth/refresh`, { origin: REFUSED }));
    const lines = kit.warnings('flag');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.object).toMatchObject({
      origin: `"${REFUSED}"`,
      flag: '--allowed-origins',
      kind: 'state-change',
      suppressed: 0,
    });
    expect(lines[0]?.message).toContain(`"${REFUSED}"`);
    expect(lines[0]?.message).toContain('--allowed-origins');
    await kit.handler.fetch(
      browserPost(`${SERVER}/auth/refresh`, { origin: 'https://other.test' }),
    );
    expect(kit.warnings('flag')).toHaveLength(2); // another origin is another line
    // `suppressed` counts the lines held back since the previous line: the 19 repeats above.
    expect(kit.warnings('flag')[1]?.object).toMatchObject({ suppressed: 19 });
    kit.clock.advance(60_000);
    await kit.handler.fetch(browserPost(`${SERVER}/auth/refresh`, { origin: REFUSED }));
    expect(kit.warnings('flag')).toHaveLength(3);
    expect(kit.warnings('flag')[2]?.object).toMatchObject({ suppressed: 0 });
  });

  it('logs the CORS preflight of a refused origin, answering it without CORS headers, and not an allowed one', async () => {
    const kit = await createWarningKit();
    const refused = await kit.handler.fetch(preflight(REFUSED));
    expect(refused.status).toBe(204);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    await kit.handler.fetch(preflight(REFUSED));
    const allowed = await kit.handler.fetch(preflight('http://127.0.0.1:5173'));
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    const lines = kit.warnings('flag');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.object).toMatchObject({ origin: `"${REFUSED}"`, kind: 'preflight' });
  });

  it('caps a flood of forged origins at ten lines a minute', async () => {
    const kit = await createWarningKit();
    for (let i = 0; i < 200; i++) await kit.handler.fetch(preflight(`https://forged-${i}.test`));
    expect(kit.warnings('flag')).toHaveLength(10);
    kit.clock.advance(60_000);
    await kit.handler.fetch(preflight('https://forged-0.test'));
    expect(kit.warnings('flag').at(-1)?.object).toMatchObject({ suppressed: 190 });
  });

  it('never answers odd Origin, Sec-Fetch-Site or forwarded headers with a 5xx', async () => {
    const kit = await createWarningKit({ trustProxy: true });
    const odd = [
      '',
      ' ',
      'null',
      'http://',
      'https://[::1',
      '\u00ff\u00fe',
      'x'.repeat(8000),
      'https://a..b',
      'file://',
    ];
    for (const value of odd) {
      for (const path of ['/auth/login', '/auth/refresh', '/auth/signup']) {
        const response = await kit.handler.fetch(
          browserPost(
            `${SERVER}${path}`,
            { origin: value, 'sec-fetch-site': value, 'x-forwarded-host': value },
            { email: 'z@example.test', password: PASSWORD },
          ),
        );
        expect(
          response.status,
          `${path} origin ${JSON.stringify(value.slice(0, 20))}`,
        ).toBeLessThan(500);
      }
      expect((await kit.handler.fetch(preflight(value))).status).toBe(204);
    }
    expect(kit.logs.filter((line) => line.level === 'error')).toEqual([]);
  });
});

describe('createLogGate', () => {
  it('lets each key through once per window, at most maxLines keys, and restarts when the clock steps back', () => {
    let at = 1_000_000;
    const gate = createLogGate({ now: () => at, windowMs: 1000, maxLines: 2 });
    expect(gate('a')).toEqual({ suppressed: 0 });
    expect(gate('a')).toBeUndefined();
    expect(gate('b')).toEqual({ suppressed: 1 });
    expect(gate('c')).toBeUndefined(); // over the cap
    at += 1000;
    expect(gate('c')).toEqual({ suppressed: 1 });
    at -= 5000;
    expect(gate('c')).toEqual({ suppressed: 0 });
  });
});
