import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/server/config.js';

// --pg-pooler / TESSERA_PG_POOLER: what --database-url points at, said by the operator, not guessed.
const cwd = mkdtempSync(join(tmpdir(), 'tessera-pooler-config-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('--pg-pooler', () => {
  it('defaults to none, and takes transaction from a flag or TESSERA_PG_POOLER', async () => {
    expect((await resolveConfig({ flags: {}, env: {}, cwd }))['pg-pooler']).toBe('none');
    const fromFlag = await resolveConfig({ flags: { 'pg-pooler': 'transaction' }, env: {}, cwd });
    expect(fromFlag['pg-pooler']).toBe('transaction');
    const fromEnv = await resolveConfig({
      flags: {},
      env: { TESSERA_PG_POOLER: 'transaction' },
      cwd,
    });
    expect(fromEnv['pg-pooler']).toBe('transaction');
    expect(fromEnv.sources['pg-pooler']).toBe('env');
  });

  it('refuses any other mode with CONFIG_INVALID naming the choices', async () => {
    await expect(
      resolveConfig({ flags: { 'pg-pooler': 'session' }, env: {}, cwd }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('none or transaction'),
    });
  });
});
