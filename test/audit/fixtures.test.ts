import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTextReport } from '../../src/audit/report.js';
import { runAudit } from '../../src/audit/run-audit.js';

// One small project per trap the corpus showed the audit missing (or over-reporting): each asserts
// the exact findings, so a rule that starts firing elsewhere or stops firing here fails the test.
const FIXTURES = path.join(import.meta.dirname, '../fixtures/audit');

const EXPECTED: Record<string, string[]> = {
  // setItem('user', JSON.stringify(response.data)), where another module reads user.accessToken.
  'storage-object': ['auth.service.js:6 tessera/secure-token-storage'],
  // A config module's literal, .env.example and config.json values, a config.ts.example template;
  // not the empty REFRESH_TOKEN_SECRET= nor .env.test.
  'config-secret': [
    '.env.example:2 tessera/no-hardcoded-secret',
    // JWT_ACCESS_EXPIRATION_MINUTES=1440 is 24 h; not the 30 d refresh, the reset token, a bare 3600.
    '.env.example:5 tessera/max-token-lifetime',
    'config.json:3 tessera/no-hardcoded-secret',
    'config.ts.example:1 tessera/no-hardcoded-secret',
    'config/auth.config.js:2 tessera/no-hardcoded-secret',
  ],
  // @nestjs/jwt: JwtModule.register with a literal secret and a 60 d lifetime.
  nestjs: [
    'auth.module.ts:6 tessera/max-token-lifetime',
    'auth.module.ts:6 tessera/no-hardcoded-secret',
  ],
  // passport-jwt through Nest's super({...}) and through require('passport-jwt').Strategy.
  'passport-spellings': [
    'nest.strategy.ts:11 tessera/require-expiry',
    'nest.strategy.ts:12 tessera/no-hardcoded-secret',
    'passport.js:5 tessera/no-hardcoded-secret',
  ],
  // Answers refreshToken.token, the token it was given; the destroy() is only on the expired branch.
  'refresh-same-token': ['auth.controller.js:4 tessera/rotate-refresh-tokens'],
  // res.cookie('jwt', '') is the whole logout; the overwrite itself is not a storage finding.
  'logout-cookie': ['userController.js:3 tessera/logout-revokes'],
  'interceptor-403': ['apiSlice.js:7 tessera/safe-refresh-interceptor'],
  'client-clock': ['auth-verify.js:5 tessera/no-client-clock-expiry'],
  'decode-as-auth': ['middleware.js:8 tessera/no-decode-without-verify'],
  // A token read from the query for authentication; not the e-mailed reset-password link.
  'query-token': ['server.js:7 tessera/no-token-exposure'],
  // localStorage.clear() when the refresh fails, in an otherwise well-guarded interceptor.
  'clear-on-refresh': ['api.js:18 tessera/safe-refresh-interceptor'],
  // An HMAC verify is left alone; a public-key verify without algorithms, audience, issuer is not.
  'hmac-verify': [
    'middleware.js:12 tessera/require-algorithms',
    'middleware.js:12 tessera/require-audience-issuer',
  ],
};

describe('audit fixtures for the traps the corpus found', () => {
  for (const [fixture, expected] of Object.entries(EXPECTED)) {
    it(fixture, async () => {
      const result = await runAudit(path.join(FIXTURES, fixture));
      expect(result.unparsed).toEqual([]);
      const found = result.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`).sort();
      expect(found).toEqual([...expected].sort());
    });
  }

  it('never prints a committed secret value', async () => {
    const result = await runAudit(path.join(FIXTURES, 'config-secret'));
    const text = JSON.stringify(result.findings);
    for (const secret of ['abc123', 'bezkoder-secret-key', 'THIS IS USED', 'secret-key'])
      expect(text.includes(secret), secret).toBe(false);
  });

  it('lists huge, minified and unparsable files instead of auditing them, and audits the rest', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tessera-audit-bad-input-'));
    try {
      const huge = `export const blob = '${'a'.repeat(2 * 1024 * 1024)}';\n`;
      await writeFile(path.join(dir, 'bundle.js'), huge);
      await writeFile(path.join(dir, 'vendor.js'), `var a=1;${'a+=1;'.repeat(1200)}\n`);
      await writeFile(path.join(dir, 'broken.ts'), 'export const = ;\n');
      await writeFile(
        path.join(dir, 'auth.js'),
        "import jwt from 'jsonwebtoken';\nexport const t = jwt.sign({ sub: 1 }, 'shhhhh');\n",
      );
      const result = await runAudit(dir);
      expect(result.unparsed.map((u) => u.file).sort()).toEqual([
        'broken.ts',
        'bundle.js',
        'vendor.js',
      ]);
      expect(result.unparsed.find((u) => u.file === 'bundle.js')?.message).toMatch(
        /over the 2 MiB/,
      );
      expect(result.unparsed.find((u) => u.file === 'vendor.js')?.message).toMatch(/minified/);
      expect(result.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`).sort()).toEqual([
        'auth.js:2 tessera/no-hardcoded-secret',
        'auth.js:2 tessera/require-expiry',
      ]);
      const text = formatTextReport(result, { color: false });
      expect(text).toContain('not parsed: bundle.js');
      expect(text).not.toContain('shhhhh');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
