// `tessera doctor --server URL` without a token, against real nodes: metadata, JWKS, clock, and with a
// test account the refresh cookie, SameSite reach, CORS and Origin rules.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDeployment } from '../../src/doctor/deployment/check-deployment.js';
import {
  checkRefreshCookie,
  parseSetCookie,
  siteOf,
} from '../../src/doctor/deployment/cookie-checks.js';
import { diagnoseIssuedToken } from '../../src/doctor/token/diagnose-token.js';
import { signUp, startNode, tempDir, type TestNode } from './support.js';

const PASSWORD = 'correct horse battery staple';
let dir: string;
let remove: () => Promise<void>;
const nodes: TestNode[] = [];

async function node(db: string, flags: Record<string, string> = {}, skewMs = 0): Promise<TestNode> {
  const started = await startNode({ db: path.join(dir, db), cwd: dir, flags, skewMs });
  nodes.push(started);
  return started;
}

beforeAll(async () => {
  ({ dir, remove } = await tempDir());
});

afterAll(async () => {
  for (const started of nodes) await started.close();
  await remove();
});

describe('catalogue: deployment checks', () => {
  it('32. a cross-site app whose Lax refresh cookie is never sent', async () => {
    const app = 'https://app.other-site.test';
    const a = await node('cross-site.db', { 'allowed-origins': app });
    await signUp(a, { email: 'cross@example.test', password: PASSWORD });
    const report = await checkDeployment({
      server: a.url,
      origin: app,
      email: 'cross@example.test',
      password: PASSWORD,
      samples: 2,
      judgeIssuedToken: diagnoseIssuedToken,
    });
    const finding = report.findings.find((f) => f.id === 'cookie-cross-site');
    expect(finding).toMatchObject({ severity: 'danger', bucket: 'storage' });
    expect(finding?.what).toMatch(
      /different sites, and the refresh cookie is SameSite=Lax: the browser never sends it/,
    );
    expect(finding?.why).toMatch(/REFRESH_TOKEN_MISSING/);
    expect(finding?.fix).toMatch(/Serve the auth API on the app's site/);
    // Everything else about this deployment is right: CORS answers the app, the cookie flags are sound.
    expect(report.passed.join('\n')).toMatch(
      /CORS preflight from https:\/\/app\.other-site\.test .* is allowed/,
    );
    expect(report.findings.filter((f) => f.severity === 'danger').map((f) => f.id)).toEqual([
      'cookie-cross-site',
    ]);
  });

  it('33. the app origin is missing from --allowed-origins: CORS and login refuse it', async () => {
    const a = await node('origins.db');
    await signUp(a, { email: 'origins@example.test', password: PASSWORD });
    const app = 'http://127.0.0.1:5173';
    const report = await checkDeployment({
      server: a.url,
      origin: app,
      email: 'origins@example.test',
      password: PASSWORD,
      samples: 2,
      judgeIssuedToken: diagnoseIssuedToken,
    });
    const ids = report.findings.map((f) => f.id);
    expect(ids).toEqual(expect.arrayContaining(['cors-origin-refused', 'login-origin-refused']));
    expect(report.findings.find((f) => f.id === 'cors-origin-refused')?.fix).toBe(
      `Add ${app} to --allowed-origins (TESSERA_ALLOWED_ORIGINS).`,
    );
  });

  it('34. a node whose clock is 3 minutes ahead, beyond the 60 s leeway', async () => {
    const a = await node('clock.db', {}, 180_000);
    const report = await checkDeployment({
      server: a.url,
      samples: 3,
      judgeIssuedToken: diagnoseIssuedToken,
    });
    const finding = report.findings.find((f) => f.id === 'clock-offset');
    expect(finding).toMatchObject({ severity: 'danger', bucket: 'time' });
    expect(finding?.what).toMatch(
      /The server's clock is 3 min ahead of this machine's \(\+\/- \d+ ms over 3 samples via \/auth\/time\)/,
    );
    expect(report.clock.offsetMs).toBeGreaterThan(179_000);
    expect(report.clock.offsetMs).toBeLessThan(181_000);
  });

  it('a healthy same-site deployment passes every check, and says what it skipped without credentials', async () => {
    const app = 'http://127.0.0.1:5173';
    const a = await node('healthy.db', { 'allowed-origins': app });
    await signUp(a, { email: 'ok@example.test', password: PASSWORD });
    const full = await checkDeployment({
      server: a.url,
      origin: app,
      email: 'ok@example.test',
      password: PASSWORD,
      samples: 2,
      judgeIssuedToken: diagnoseIssuedToken,
    });
    expect(full.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    const passed = full.passed.join('\n');
    for (const expected of [
      /JWKS .*1 usable key/,
      /refresh cookie is HttpOnly/,
      /refresh cookie is Secure/,
      /Path=\/auth/,
      /Max-Age=/,
      /same site/,
      /without an Origin header is refused/,
      /rotates the refresh cookie/,
      /carry the published iss and aud/,
      /verifies with the published JWKS/,
      /refuses an unknown origin/,
    ]) {
      expect(passed).toMatch(expected);
    }
    const bare = await checkDeployment({
      server: a.url,
      samples: 2,
      judgeIssuedToken: diagnoseIssuedToken,
    });
    expect(bare.skipped.join('\n')).toMatch(/give --email and --password-env/);
  });

  it('judges cookie flags and sites offline', () => {
    const weak = checkRefreshCookie(
      parseSetCookie('rt=abc; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT'),
    );
    expect(weak.findings.map((f) => f.id)).toEqual([
      'cookie-not-httponly',
      'cookie-not-secure',
      'cookie-no-samesite',
      'cookie-no-prefix',
      'cookie-path',
      'cookie-max-age',
    ]);
    expect(siteOf('https://app.example.com')).toBe(siteOf('https://auth.example.com'));
    expect(siteOf('https://app.example.co.uk')).toBe('https://example.co.uk');
    expect(siteOf('http://example.com')).not.toBe(siteOf('https://example.com'));
  });
});
