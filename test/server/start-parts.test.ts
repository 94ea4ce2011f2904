// Two start-time parts of createTesseraServer: the warning that --alg did not change a stored keyring,
// and the store sweeper's policy and its survival of a failed sweep.
import { describe, expect, it } from 'vitest';
import { warnAboutKeptAlgorithm } from '../../src/server/kept-algorithm.js';
import { startStoreSweeper } from '../../src/server/store-sweeper.js';
import type { SweepPolicy, SweepResult } from '../../src/store/session-store.js';

function recordingLogger() {
  const lines: { level: string; fields: object; message: string }[] = [];
  const at = (level: string) => (fields: object, message: string) =>
    void lines.push({ level, fields, message });
  return { lines, logger: { info: at('info'), warn: at('warn') } };
}

describe('warnAboutKeptAlgorithm', () => {
  const keyring = (alg: string) => ({ signingKey: () => ({ alg }) as never });

  it('says nothing when the keyring signs with the configured algorithm', () => {
    const { lines, logger } = recordingLogger();
    warnAboutKeptAlgorithm({ alg: 'ES256', sources: {} } as never, keyring('ES256'), logger);
    expect(lines).toEqual([]);
  });

  it('informs when only the default differs, and warns when --alg was set, naming the command', () => {
    const { lines, logger } = recordingLogger();
    warnAboutKeptAlgorithm({ alg: 'ES256', sources: {} } as never, keyring('EdDSA'), logger);
    warnAboutKeptAlgorithm(
      { alg: 'ES256', sources: { alg: 'flag' } } as never,
      keyring('EdDSA'),
      logger,
    );
    expect(lines.map((line) => line.level)).toEqual(['info', 'warn']);
    expect(lines[1]?.fields).toEqual({ alg: 'EdDSA', configured: 'ES256' });
    expect(lines[1]?.message).toContain('tessera keys rotate --alg ES256');
  });

  it('says nothing when the keyring cannot sign yet (a clock behind the newest key)', () => {
    const { lines, logger } = recordingLogger();
    const early = {
      signingKey: () => {
        throw new Error('not active yet');
      },
    };
    warnAboutKeptAlgorithm({ alg: 'ES256', sources: {} } as never, early, logger);
    expect(lines).toEqual([]);
  });
});

describe('startStoreSweeper', () => {
  it('sweeps on its interval with the grace and retention cut-offs, and outlives a failed sweep', async () => {
    const policies: SweepPolicy[] = [];
    const store = {
      sweep: async (policy: SweepPolicy): Promise<SweepResult> => {
        policies.push(policy);
        if (policies.length === 1) throw new Error('database is locked');
        return {} as SweepResult;
      },
    };
    const { lines, logger } = recordingLogger();
    const stop = startStoreSweeper({
      store,
      graceSeconds: 30,
      retentionSeconds: 86_400,
      logger,
      now: () => 1_000_000_000,
      intervalMs: 5,
    });
    for (let waited = 0; policies.length < 3 && waited < 5000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    stop();
    const seen = policies.length;
    expect(seen).toBeGreaterThanOrEqual(3);
    expect(policies[0]).toEqual({
      now: 1_000_000_000,
      sealedBefore: 1_000_000_000 - 30_000,
      retainAfter: 1_000_000_000 - 86_400_000,
    });
    expect(lines).toEqual([
      { level: 'warn', fields: { err: 'Error: database is locked' }, message: 'sweep failed' },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(policies.length).toBe(seen);
  });
});
