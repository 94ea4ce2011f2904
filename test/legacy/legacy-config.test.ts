// The legacy configuration: every refusal at start names its reason (CONFIG_INVALID), the config
// file's `legacy` object is read, and printing the configuration never shows the old secret.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTesseraError } from '../../src/errors/tessera-error.js';
import { resolveConfig } from '../../src/server/config.js';
import { parseLegacyConfig } from '../../src/server/legacy-config.js';
import { LEGACY_SECRET } from './legacy-support.js';

const base = { secret: LEGACY_SECRET, algorithms: ['HS256'], windowEnds: '2027-03-01' };

function reasonOf(input: unknown): string {
  try {
    parseLegacyConfig(input);
  } catch (error) {
    if (isTesseraError(error) && error.code === 'CONFIG_INVALID') return error.message;
    throw error;
  }
  throw new Error('accepted');
}

describe('parseLegacyConfig', () => {
  it('reads a good configuration with its defaults', () => {
    const { options, warnings } = parseLegacyConfig(base);
    expect(options).toMatchObject({
      algorithms: ['HS256'],
      userIdClaim: 'sub',
      userIdType: 'string',
      windowEndsAt: Date.parse('2027-03-01'),
      maxLifetimeSeconds: 30 * 86_400,
    });
    expect(warnings).toEqual([]);
  });

  it.each([
    [{ ...base, algorithms: ['none'] }, /not one of/],
    [{ ...base, algorithms: [] }, /algorithms must list/],
    [{ ...base, algorithms: ['RS256'] }, /secret verifies HS256/],
    [{ ...base, windowEnds: 'soon' }, /windowEnds/],
    [{ ...base, windowEnds: undefined }, /windowEnds/],
    [{ ...base, userIdType: 'uuid' }, /userIdType/],
    [{ ...base, checkLegacyToken: 'yes' }, /checkLegacyToken must be a function/],
    [{ ...base, secretKey: 'typo' }, /unknown settings secretKey/],
    [{ ...base, secret: undefined }, /set secret or publicKey/],
    [{ ...base, maxLifetime: '0d' }, /maxLifetime must be positive/],
    [{ ...base, secret: 'changeme' }, /weak/],
  ])('refuses %j with its reason', (input, reason) => {
    expect(reasonOf(input)).toMatch(reason);
  });

  it('refuses HS256 with a public key (the RS256-to-HS256 confusion) and a key of the wrong kind', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(reasonOf({ ...base, secret: undefined, publicKey: pem })).toMatch(/confusion/);
    expect(reasonOf({ ...base, secret: undefined, publicKey: pem, algorithms: ['ES256'] })).toMatch(
      /rsa public key cannot verify ES256/,
    );
    expect(
      reasonOf({ ...base, secret: undefined, publicKey: 'not a pem', algorithms: ['RS256'] }),
    ).toMatch(/not a PEM/);
    const ok = parseLegacyConfig({
      ...base,
      secret: undefined,
      publicKey: pem,
      algorithms: ['RS256', 'PS256'],
    });
    expect(ok.options.key.asymmetricKeyType).toBe('rsa');
  });
});

describe('the config file', () => {
  it('reads `legacy` from tessera.config.json and never prints the secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-legacy-config-'));
    try {
      writeFileSync(
        join(dir, 'tessera.config.json'),
        JSON.stringify({ legacy: { ...base, userIdClaim: 'id', userIdType: 'number' } }),
      );
      const config = await resolveConfig({ flags: {}, env: {}, cwd: dir });
      expect(config.legacy?.options).toMatchObject({ userIdClaim: 'id', userIdType: 'number' });
      expect(JSON.stringify(config)).not.toContain(LEGACY_SECRET);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
