// `tessera doctor --har` on HARs that Chromium recorded (Playwright's recordHar) against real apps
// started here: a hand-rolled express + jsonwebtoken app with tokens in localStorage, and the Tessera
// server from the built package with its demo page. The report must explain the session and never
// carry a token or cookie value from the recording.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseHar, type HarReport } from '../../src/doctor/har/analyse-har.js';
import { readHarFile } from '../../src/doctor/har/read-har.js';
import { renderHarReport } from '../../src/doctor/har/render-har.js';
import { startHandRolledApp } from './doctor-har-app.js';
import {
  launchBrowser,
  openTab,
  signUp,
  sleep,
  startServer,
  type RunningServer,
} from './harness.js';

const ROOT = new URL('../../', import.meta.url).pathname;
let browser: Browser | undefined;
const chromiumBrowser = (): Browser => {
  if (browser === undefined) throw new Error('Chromium did not launch');
  return browser;
};
let dir: string;

beforeAll(async () => {
  browser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), 'tessera-har-'));
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

type SecretSource = 'authorization' | 'cookie' | 'set-cookie' | 'body' | 'url';

/** Every credential-looking value the recording holds, by where it was found: none may reach the report. */
function secretsBySource(harPath: string): Map<SecretSource, Set<string>> {
  const har = JSON.parse(readFileSync(harPath, 'utf8')) as {
    log: {
      entries: {
        request: {
          headers: { name: string; value: string }[];
          url: string;
          postData?: { text?: string };
        };
        response: { headers: { name: string; value: string }[]; content?: { text?: string } };
      }[];
    };
  };
  const found = new Map<SecretSource, Set<string>>();
  const add = (source: SecretSource, value: string): void => {
    // Shorter values are names and flags, not secrets; they would match ordinary report words.
    if (value.length < 16) return;
    found.set(source, (found.get(source) ?? new Set<string>()).add(value));
  };
  for (const entry of har.log.entries) {
    for (const header of entry.request.headers) {
      if (/^authorization$/i.test(header.name))
        add('authorization', header.value.replace(/^Bearer /, ''));
      if (/^cookie$/i.test(header.name))
        for (const pair of header.value.split(';'))
          add('cookie', pair.split('=').slice(1).join('='));
    }
    for (const header of entry.response.headers)
      if (/^set-cookie$/i.test(header.name))
        for (const line of header.value.split('\n'))
          add('set-cookie', (line.split(';')[0] ?? '').split('=').slice(1).join('='));
    for (const text of [entry.request.postData?.text, entry.response.content?.text])
      for (const match of (text ?? '').matchAll(
        /"(?:accessToken|refreshToken|access_token|refresh_token|password)":"([^"]+)"/g,
      ))
        add('body', match[1] as string);
    for (const [, value] of new URL(entry.request.url).searchParams) add('url', value);
  }
  return found;
}

function secretsIn(harPath: string): string[] {
  return [...new Set([...secretsBySource(harPath).values()].flatMap((values) => [...values]))];
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/tessera.js'), 'doctor', ...args], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

describe('a hand-rolled express + jsonwebtoken app, tokens in localStorage', () => {
  let harPath: string;
  let report: HarReport;
  beforeAll(async () => {
    const app = await startHandRolledApp({ skewMs: 120_000, ttlSeconds: 2 });
    harPath = join(dir, 'hand-rolled.har');
    const context = await chromiumBrowser().newContext({
      recordHar: { path: harPath, content: 'embed' },
    });
    const page = await context.newPage();
    await page.goto(app.url);
    expect(await page.evaluate('login()')).toBe(200);
    expect(await page.evaluate('api()')).toBe(200);
    await sleep(3_000);
    expect(await page.evaluate('api()')).toBe(401);
    expect(((await page.evaluate('raceRefresh()')) as number[]).sort()).toEqual([200, 401]);
    const token = (await page.evaluate("localStorage.getItem('accessToken')")) as string;
    await page.goto(`${app.url}/welcome?access_token=${token}`);
    await context.close();
    await app.close();
    report = analyseHar(await readHarFile(harPath));
  });

  it('names the first failing request: the expired access token, by the server clock', () => {
    expect(report.sanitized).toBeNull();
    expect(report.firstFailure).toMatchObject({
      code: 'TOKEN_EXPIRED',
      bucket: 'time',
      status: 401,
    });
    expect(report.firstFailure?.url).toMatch(/\/api\/me$/);
    expect(report.firstFailure?.cause).toMatch(
      /had expired .* before the request, by the server's clock/,
    );
  });

  it('finds the refresh race: two refreshes presenting one token, the second refused', () => {
    const race = report.findings.find((f) => f.id === 'refresh-race');
    expect(race?.severity).toBe('danger');
    expect(race?.what).toMatch(
      /2 refreshes presented the same refresh token sha256:[0-9a-f]{8}.*refused with HTTP 401/,
    );
  });

  it('finds the cookie set and never sent back, and says it is the Path', () => {
    const cookie = report.findings.find((f) => f.id === 'cookie-never-sent');
    expect(cookie?.what).toMatch(/"rt"/);
    expect(cookie?.why).toMatch(/Path=\/auth\/refresh matches none of the later requests/);
  });

  it('finds the token in the URL and the server clock two minutes ahead', () => {
    expect(report.findings.find((f) => f.id === 'token-in-url')?.what).toMatch(
      /parameter "access_token", sha256:[0-9a-f]{8}/,
    );
    expect(report.clockOffsetMs).toBeGreaterThan(110_000);
    expect(report.clockOffsetMs).toBeLessThan(130_000);
    expect(report.findings.map((f) => f.id)).toContain('clock-skew');
  });

  it('prints no token, refresh token or cookie value, in text or JSON', async () => {
    // The recording must hold secrets in every place the doctor reads, or this test proves nothing:
    // the login pair and the refreshed pair in bodies, the Bearer headers, the "rt" Set-Cookie (the
    // login's refresh token again: it is never sent back) and the access token in the welcome URL.
    const bySource = secretsBySource(harPath);
    expect([...bySource.keys()].sort()).toEqual(['authorization', 'body', 'set-cookie', 'url']);
    expect(bySource.get('body')?.size).toBe(5);
    const secrets = secretsIn(harPath);
    const text = renderHarReport(report);
    const cli = await runCli(['--har', harPath, '--json']);
    expect(cli.code).toBe(1);
    for (const secret of secrets) {
      expect(text).not.toContain(secret);
      expect(cli.stdout).not.toContain(secret);
    }
  });

  it('on the same recording exported the way Chromium sanitizes it, says what it could not judge', async () => {
    const har = JSON.parse(readFileSync(harPath, 'utf8')) as {
      log: { entries: { request: Record<string, unknown>; response: Record<string, unknown> }[] };
    };
    // Chromium's default export drops these three headers and empties the cookie lists.
    const strip = (headers: { name: string }[]): { name: string }[] =>
      headers.filter((h) => !/^(authorization|cookie|set-cookie)$/i.test(h.name));
    for (const entry of har.log.entries) {
      entry.request.headers = strip(entry.request.headers as { name: string }[]);
      entry.response.headers = strip(entry.response.headers as { name: string }[]);
      entry.request.cookies = [];
      entry.response.cookies = [];
    }
    const sanitizedPath = join(dir, 'sanitized.har');
    writeFileSync(sanitizedPath, JSON.stringify(har));
    const sanitized = analyseHar(await readHarFile(sanitizedPath));
    expect(sanitized.sanitized?.notJudged.join('\n')).toMatch(
      /which access token each request carried/,
    );
    expect(sanitized.sanitized?.howToExport).toMatch(/Export HAR \(with sensitive data\)/);
    expect(sanitized.findings.map((f) => f.id)).not.toContain('cookie-never-sent');
  });
});

describe('the Tessera server from the built package, its demo page', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ 'access-ttl': '4s', 'refresh-grace': '5s' });
  });
  afterAll(async () => {
    await server.cleanup();
  });

  it('explains a healthy session: the refresh cookie goes back on each refresh, nothing fails', async () => {
    const harPath = join(dir, 'tessera.har');
    const context = await chromiumBrowser().newContext({
      recordHar: { path: harPath, content: 'omit' },
    });
    const page = await openTab(context, `${server.url}/`);
    await signUp(page);
    await sleep(5_000);
    await page.reload();
    await page.waitForFunction(() => document.readyState === 'complete');
    await sleep(1_000);
    await context.close();
    const report = analyseHar(await readHarFile(harPath));
    // The page's start-up refresh, before the sign-up, had no cookie to send: refused by design.
    const probe =
      report.requests[report.requests.findIndex((r) => r.url.endsWith('/auth/signup')) - 1];
    expect(probe).toMatchObject({
      refresh: true,
      status: 401,
      carried: 'no token',
      refusedByDesign: true,
    });
    expect(report.firstFailure).toBeNull();
    const refreshes = report.requests.filter((r) => r.refresh && r.status === 200);
    expect(refreshes.length).toBeGreaterThan(0);
    expect(refreshes[0]?.carried).toMatch(/refresh token sha256:[0-9a-f]{8} \(cookie\)/);
    expect(report.findings.map((f) => f.id)).not.toContain('cookie-never-sent');
    expect(report.requests.filter((r) => r.refusedByDesign)).toHaveLength(1);
    const text = renderHarReport(report);
    expect(text).toMatch(/First failure: none \(no request failed; #\d+ refused by design/);
    // Both cookies, the refresh cookie and the device cookie, were set and sent back.
    const bySource = secretsBySource(harPath);
    expect(bySource.get('set-cookie')?.size).toBeGreaterThanOrEqual(3);
    expect(bySource.get('cookie')?.size).toBeGreaterThanOrEqual(2);
    for (const secret of secretsIn(harPath)) expect(text).not.toContain(secret);
  });
});
