import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/server/config.js';

const emptyDir = (): string => mkdtempSync(join(tmpdir(), 'tessera-config-'));

describe('configuration', () => {
  it('applies development defaults and says where each value came from', async () => {
    const config = await resolveConfig({
      flags: { 'access-ttl': '5m' },
      env: { TESSERA_LEEWAY: '30s', PORT: '9000' },
      cwd: emptyDir(),
    });
    expect(config).toMatchObject({
      port: 9000,
      issuer: 'http://localhost:9000',
      audience: 'tessera',
      'access-ttl': 300,
      leeway: 30,
      'refresh-grace': 30,
      'allowed-origins': ['http://localhost:9000'],
    });
    expect(config.sources).toMatchObject({ 'access-ttl': 'flag', leeway: 'env', port: 'env' });
  });

  it('takes flags over environment over the config file', async () => {
    const cwd = emptyDir();
    writeFileSync(
      join(cwd, 'tessera.config.json'),
      JSON.stringify({ 'access-ttl': '1m', leeway: '10s', audience: 'from-file' }),
    );
    const config = await resolveConfig({
      flags: { 'access-ttl': '2m' },
      env: { TESSERA_LEEWAY: '20s' },
      cwd,
    });
    expect(config).toMatchObject({ 'access-ttl': 120, leeway: 20, audience: 'from-file' });
    expect(config.sources).toMatchObject({ 'access-ttl': 'flag', leeway: 'env', audience: 'file' });
  });

  it('refuses leeway above 300 s, a grace window above 600 s, bad durations and unknown file settings', async () => {
    const cwd = emptyDir();
    await expect(resolveConfig({ flags: { leeway: '301s' }, env: {}, cwd })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    await expect(
      resolveConfig({ flags: { 'refresh-grace': '11m' }, env: {}, cwd }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(
      resolveConfig({ flags: { 'access-ttl': 'fifteen minutes' }, env: {}, cwd }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    writeFileSync(join(cwd, 'tessera.config.json'), JSON.stringify({ acess_ttl: '1m' }));
    await expect(resolveConfig({ flags: {}, env: {}, cwd })).rejects.toThrow(
      /unknown settings: acess_ttl/,
    );
  });

  it('accepts a 1 s access lifetime outside production so demos can watch expiry', async () => {
    expect(
      (await resolveConfig({ flags: { 'access-ttl': '1s' }, env: {}, cwd: emptyDir() }))[
        'access-ttl'
      ],
    ).toBe(1);
  });

  it('in production refuses to start without issuer, audience, origins and key secret, and names each', async () => {
    const error = await resolveConfig({
      flags: {},
      env: { NODE_ENV: 'production' },
      cwd: emptyDir(),
    }).catch((caught: unknown) => caught as Error);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    for (const words of ['--issuer', '--audience', 'TESSERA_KEY_SECRET', '--allowed-origins'])
      expect((error as Error).message).toContain(words);
  });

  it('in production refuses an access lifetime over 1 h unless explicitly allowed', async () => {
    const env = {
      TESSERA_KEY_SECRET: 'k'.repeat(16) + 'Zq8#xL2!vR7@pW4$',
      TESSERA_PRODUCTION: 'true',
    };
    const flags = {
      issuer: 'https://auth.example.com',
      audience: 'api',
      'allowed-origins': 'https://app.example.com',
      'access-ttl': '2h',
    };
    await expect(resolveConfig({ flags, env, cwd: emptyDir() })).rejects.toThrow(/over 1h/);
    const allowed = await resolveConfig({
      flags: { ...flags, 'allow-long-access-ttl': 'true' },
      env,
      cwd: emptyDir(),
    });
    expect(allowed['access-ttl']).toBe(7200);
  });

  it('listens on loopback in development and on every interface in production, unless --host says', async () => {
    const dev = await resolveConfig({ flags: {}, env: {}, cwd: emptyDir() });
    expect(dev.host).toBe('127.0.0.1');
    const production = {
      issuer: 'https://auth.example.com',
      audience: 'api',
      'allowed-origins': 'https://app.example.com',
    };
    const env = { TESSERA_KEY_SECRET: 'k'.repeat(16) + 'Zq8#xL2!vR7@pW4$', NODE_ENV: 'production' };
    expect((await resolveConfig({ flags: production, env, cwd: emptyDir() })).host).toBe('0.0.0.0');
    const chosen = await resolveConfig({
      flags: {},
      env: { TESSERA_HOST: '::1' },
      cwd: emptyDir(),
    });
    expect(chosen).toMatchObject({ host: '::1', sources: { host: 'env' } });
    await expect(
      resolveConfig({ flags: { host: '   ' }, env: {}, cwd: emptyDir() }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('signs the first key with ES256 by default; --alg, TESSERA_ALG or the file choose another', async () => {
    expect((await resolveConfig({ flags: {}, env: {}, cwd: emptyDir() })).alg).toBe('ES256');
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'tessera.config.json'), JSON.stringify({ alg: 'RS256' }));
    expect(await resolveConfig({ flags: {}, env: {}, cwd })).toMatchObject({
      alg: 'RS256',
      sources: { alg: 'file' },
    });
    expect(await resolveConfig({ flags: {}, env: { TESSERA_ALG: 'EdDSA' }, cwd })).toMatchObject({
      alg: 'EdDSA',
      sources: { alg: 'env' },
    });
    expect(
      await resolveConfig({ flags: { alg: 'PS256' }, env: { TESSERA_ALG: 'EdDSA' }, cwd }),
    ).toMatchObject({ alg: 'PS256', sources: { alg: 'flag' } });
  });

  it('refuses HS256 for a server (nothing to publish in its JWKS) and unknown or miscased names', async () => {
    await expect(
      resolveConfig({ flags: { alg: 'HS256' }, env: {}, cwd: emptyDir() }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/^Setting --alg is invalid: HS256 cannot be published/),
    });
    for (const alg of ['none', 'es256', 'ES384', ''])
      await expect(
        resolveConfig({ flags: { alg }, env: {}, cwd: emptyDir() }),
      ).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: 'Setting --alg is invalid: must be ES256, EdDSA, RS256 or PS256.',
      });
  });
});
