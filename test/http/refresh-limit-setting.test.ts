// The refresh-rate-limit setting: its default follows the access lifetime, it comes from a flag, the
// environment or the config file like every setting, it is validated (a budget the shipped client
// would run into is refused), and `tessera config` shows it.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/server/config.js';
import {
  clientRotationsPerMinute,
  defaultRotationsPerMinute,
  rotationRetryAfterSeconds,
} from '../../src/sessions/rotation-limit.js';

const run = promisify(execFile);
const BIN = join(process.cwd(), 'bin/tessera.js');
const emptyDir = (): string => mkdtempSync(join(tmpdir(), 'tessera-rate-setting-'));
const resolve = (flags: Record<string, unknown>, env: NodeJS.ProcessEnv = {}, cwd = emptyDir()) =>
  resolveConfig({ flags, env, cwd });

describe('--refresh-rate-limit', () => {
  it('defaults to max(30, 4 x 60 / access-ttl) a minute', async () => {
    expect((await resolve({}))['refresh-rate-limit']).toBe(30);
    expect((await resolve({ 'access-ttl': '2m' }))['refresh-rate-limit']).toBe(30);
    expect((await resolve({ 'access-ttl': '5s' }))['refresh-rate-limit']).toBe(48);
    expect((await resolve({ 'access-ttl': '1s' }))['refresh-rate-limit']).toBe(240);
    expect((await resolve({})).sources['refresh-rate-limit']).toBeUndefined();
  });

  it('leaves every accepted lifetime at least twice the refreshes the shipped client makes', () => {
    for (let ttl = 1; ttl <= 7200; ttl++) {
      // The client refreshes when a fifth of the lifetime is left, so at least 0.8 lifetimes apart:
      // a fixed 60 s window holds at most floor(60 / 0.8 ttl) + 1 of them.
      const clientInWindow = Math.floor(75 / ttl) + 1;
      expect(clientRotationsPerMinute(ttl)).toBeGreaterThanOrEqual(clientInWindow);
      expect(defaultRotationsPerMinute(ttl)).toBeGreaterThanOrEqual(2 * clientInWindow);
    }
  });

  it('takes a flag over the environment over the config file, and says where it came from', async () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'tessera.config.json'), JSON.stringify({ 'refresh-rate-limit': 50 }));
    const fromFile = await resolve({}, {}, cwd);
    expect(fromFile['refresh-rate-limit']).toBe(50);
    expect(fromFile.sources['refresh-rate-limit']).toBe('file');
    const fromEnv = await resolve({}, { TESSERA_REFRESH_RATE_LIMIT: '60' }, cwd);
    expect(fromEnv['refresh-rate-limit']).toBe(60);
    expect(fromEnv.sources['refresh-rate-limit']).toBe('env');
    const fromFlag = await resolve(
      { 'refresh-rate-limit': '70' },
      { TESSERA_REFRESH_RATE_LIMIT: '60' },
      cwd,
    );
    expect(fromFlag['refresh-rate-limit']).toBe(70);
    expect(fromFlag.sources['refresh-rate-limit']).toBe('flag');
  });

  it.each(['abc', '', '0', '-3', '2.5', '10001'])('refuses %j', async (value) => {
    await expect(resolve({ 'refresh-rate-limit': value })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('--refresh-rate-limit') as unknown,
    });
  });

  it('refuses a budget the shipped client would reach at the configured lifetime, and names both', async () => {
    await expect(resolve({ 'access-ttl': '1s', 'refresh-rate-limit': '100' })).rejects.toThrow(
      /refresh-rate-limit.*100.*120.*--access-ttl 1s/,
    );
    expect(
      (await resolve({ 'access-ttl': '1s', 'refresh-rate-limit': '120' }))['refresh-rate-limit'],
    ).toBe(120);
    expect((await resolve({ 'refresh-rate-limit': '1' }))['refresh-rate-limit']).toBe(1);
  });

  it('is shown by tessera config, derived or given', async () => {
    const cwd = emptyDir();
    const env = { PATH: process.env.PATH ?? '' };
    const shown = async (...args: string[]) =>
      JSON.parse((await run(process.execPath, [BIN, 'config', ...args], { cwd, env })).stdout) as {
        'refresh-rate-limit': number;
        sources: Record<string, string>;
      };
    expect(await shown('--access-ttl', '2s')).toMatchObject({ 'refresh-rate-limit': 120 });
    expect(await shown('--refresh-rate-limit', '90')).toMatchObject({
      'refresh-rate-limit': 90,
      sources: { 'refresh-rate-limit': 'flag' },
    });
  });
});

describe('the Retry-After of a refused rotation', () => {
  it('is the window left, at most half the grace window, at least 1 s: shorter than the window from 2 s up', () => {
    for (let grace = 0; grace <= 600; grace++)
      for (const left of [0, 0.2, 1, 7, 59.5, 60]) {
        const seconds = rotationRetryAfterSeconds(left, grace);
        expect(Number.isInteger(seconds)).toBe(true);
        expect(seconds).toBeGreaterThanOrEqual(1);
        expect(seconds).toBeLessThanOrEqual(Math.max(1, Math.ceil(left)));
        expect(seconds).toBeLessThanOrEqual(Math.max(1, grace / 2));
        if (grace >= 2) expect(seconds).toBeLessThan(grace);
      }
  });
});
