import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const WORKERS = 4;
const TARGET = 150;
const root = fileURLToPath(new URL('../../', import.meta.url));
// The children run dist/, as users do; test/support/global-setup.ts builds it before every run.
const directory = mkdtempSync(join(tmpdir(), 'tessera-sqlite-processes-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

type Outcome =
  | { type: 'done'; won: number[]; attempts: number; graceAnswers: number }
  | { type: 'error'; message: string };

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void =>
      reject(new Error(`worker exited with ${String(code)} before answering`));
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      resolve(message as T);
    });
  });
}

describe('sqlite store shared by several OS processes', () => {
  it(`gives every generation exactly one winner across ${WORKERS} processes rotating one session, without SQLITE_BUSY, after one initKeys winner`, async () => {
    const databasePath = join(directory, 'shared.db');
    const worker = join(root, 'test/fixtures/store/rotate-worker.mjs');
    // Every child migrates the fresh file at once: concurrent migrate() across processes is part of the test.
    const children = Array.from({ length: WORKERS }, (_, i) =>
      fork(worker, [databasePath, `w${i}`], {
        execArgv: [],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    try {
      const ready = await Promise.all(
        children.map((child) => nextMessage<{ type: 'ready'; kids: string[] }>(child)),
      );
      expect(ready[0]?.kids).toHaveLength(1);
      for (const worker of ready) expect(worker.kids).toEqual(ready[0]?.kids);
      const store = createSqliteStore({ database: new Database(databasePath) });
      const at = 1_767_268_800_000;
      await store.createSession({
        session: {
          id: 's-shared',
          userId: 'u-1',
          clientId: 'web',
          transport: 'cookie',
          claims: '{}',
          createdAt: at,
          lastUsedAt: at,
          idleExpiresAt: at + 1e9,
          absoluteExpiresAt: at + 2e9,
          userAgent: null,
          ip: null,
        },
        token: { id: 't-initial', secretHash: 'h', createdAt: at },
      });
      const outcomes = Promise.all(children.map((child) => nextMessage<Outcome>(child)));
      for (const child of children)
        child.send({ sessionId: 's-shared', target: TARGET, graceMax: 64, graceTries: 40 });
      const results = await outcomes;

      expect(results.filter((result) => result.type === 'error')).toEqual([]);
      const done = results.filter((result) => result.type === 'done');
      const wins = done.flatMap((result) => result.won).sort((a, b) => a - b);
      expect(wins).toEqual(Array.from({ length: TARGET }, (_, g) => g));
      expect(done.reduce((sum, result) => sum + result.graceAnswers, 0)).toBe(64);
      // Contention really happened: more attempts than generations means some rotations lost the swap.
      expect(done.reduce((sum, result) => sum + result.attempts, 0)).toBeGreaterThan(TARGET);
      const session = await store.findSession('s-shared');
      expect(session).toMatchObject({ generation: TARGET, graceCount: 64 });
      const winnerOf = (g: number): string | undefined =>
        done.map((result, i) => (result.won.includes(g) ? `w${i}` : undefined)).find(Boolean);
      for (const g of [0, TARGET - 1])
        expect(
          (await store.findRefreshToken(`t-${winnerOf(g) ?? ''}-${g}`))?.token.generation,
        ).toBe(g + 1);
      await store.close();
    } finally {
      for (const child of children) child.kill();
    }
  });
});
