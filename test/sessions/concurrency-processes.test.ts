import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { POSTGRES_URL, useScratch } from '../support/scratch.js';
import { TesseraError } from '../../src/errors/tessera-error.js';
import { createSessionManager, type SessionManager } from '../../src/sessions/session-manager.js';
import { openPostgresStore } from '../../src/store/postgres/open-postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import type { SessionStore } from '../../src/store/session-store.js';

// Proof under concurrency (issue 3): real OS processes running the compiled session core on one store.
// Time is a file every process reads, so "inside" and "after" the grace window are exact, not raced.
// PostgreSQL being down fails these tests: there is no skip.
const WORKER = fileURLToPath(new URL('../fixtures/sessions/session-worker.mjs', import.meta.url));
const PROCESSES = 4;
const PER_PROCESS = 16;
const GRACE_SECONDS = 5;
const T0 = Date.UTC(2026, 0, 1, 12);

const { directory, admin, schema: freshSchema } = useScratch('concurrency');

interface Outcome {
  readonly ok: boolean;
  readonly refreshToken?: string;
  readonly grace?: boolean;
  readonly code?: string;
}

interface Backend {
  readonly name: string;
  /** Worker config for a fresh database of this backend. */
  fresh(): {
    worker: Record<string, unknown>;
    open: () => Promise<SessionStore>;
    generations: (sessionId: string) => Promise<number[]>;
  };
}

const backends: Backend[] = [
  {
    name: 'postgres',
    fresh() {
      const schema = freshSchema('tessera_conc');
      return {
        worker: { store: 'postgres', url: POSTGRES_URL, schema, poolMax: 8 },
        open: () => openPostgresStore({ url: POSTGRES_URL, schema, max: 4 }),
        generations: async (sessionId) =>
          (
            await admin.query<{ generation: number }>(
              `SELECT generation FROM "${schema}".refresh_tokens WHERE session_id = $1 ORDER BY generation`,
              [sessionId],
            )
          ).rows.map((row) => row.generation),
      };
    },
  },
  {
    name: 'sqlite',
    fresh() {
      const path = join(directory, `${randomBytes(6).toString('hex')}.db`);
      return {
        worker: { store: 'sqlite', path },
        open: () => openSqliteStore({ path }),
        generations: async (sessionId) => {
          const db = new Database(path, { readonly: true });
          try {
            return (
              db
                .prepare(
                  'SELECT generation FROM refresh_tokens WHERE session_id = ? ORDER BY generation',
                )
                .all(sessionId) as { generation: number }[]
            ).map((row) => row.generation);
          } finally {
            db.close();
          }
        },
      };
    },
  },
];

function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null, signal: string | null): void =>
      reject(new Error(`worker exited (${String(code ?? signal)}) before sending ${type}`));
    const onMessage = (message: { type: string }): void => {
      if (message.type !== type) return;
      child.off('exit', onExit);
      child.off('message', onMessage);
      resolve(message as T);
    };
    child.once('exit', onExit);
    child.on('message', onMessage);
  });
}

function exited(child: ChildProcess): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.signalCode);
    else child.once('exit', (_code, signal) => resolve(signal));
  });
}

async function startWorkers(
  count: number,
  config: Record<string, unknown>,
): Promise<ChildProcess[]> {
  const children = Array.from({ length: count }, () =>
    fork(WORKER, [JSON.stringify(config)], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  await Promise.all(children.map((child) => nextMessage(child, 'ready')));
  return children;
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.connected) {
        const closed = nextMessage(child, 'closed').catch(() => undefined);
        child.send({ op: 'close' });
        await closed;
      }
      child.kill();
    }),
  );
}

/** Every worker fires `perProcess` refreshes of `token` at one shared instant; results from all processes. */
async function burst(
  children: ChildProcess[],
  token: string,
  perProcess: number,
): Promise<Outcome[]> {
  const startAt = Date.now() + 300;
  const answers = children.map((child) => nextMessage<{ results: Outcome[] }>(child, 'burst'));
  for (const child of children) child.send({ op: 'burst', token, count: perProcess, startAt });
  return (await Promise.all(answers)).flatMap((answer) => answer.results);
}

function fileClock(): { file: string; set: (ms: number) => void; now: () => number } {
  const file = join(directory, `clock-${randomBytes(4).toString('hex')}`);
  let current = T0;
  const set = (ms: number): void => {
    current = ms;
    writeFileSync(file, String(ms));
  };
  set(T0);
  return { file, set, now: () => current };
}

const stubSigner = (): {
  token: string;
  jti: string;
  iat: number;
  exp: number;
  expiresIn: number;
} => ({ token: 'access', jti: 'j', iat: 0, exp: 0, expiresIn: 900 });

function managerOver(store: SessionStore, now: () => number): SessionManager {
  return createSessionManager({
    store,
    signAccessToken: stubSigner,
    now,
    graceSeconds: GRACE_SECONDS,
  });
}

const tokenId = (token: string): string => token.slice(4).split('.')[0] as string;

async function codeOf(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TesseraError);
  return (error as TesseraError).code;
}

describe.each(backends)(
  '$name: one refresh token raced by $name clients in separate OS processes',
  (backend) => {
    it(`${PROCESSES * PER_PROCESS} concurrent refreshes from ${PROCESSES} processes make one successor; every answer in the window is that successor; reuse after it revokes`, async () => {
      const db = backend.fresh();
      const clock = fileClock();
      const store = await db.open();
      const children = await startWorkers(PROCESSES, {
        ...db.worker,
        graceSeconds: GRACE_SECONDS,
        clockFile: clock.file,
      });
      try {
        const sessions = managerOver(store, clock.now);
        const login = await sessions.issueSession('user-race');
        clock.set(T0 + 1000);

        const first = await burst(children, login.refreshToken, PER_PROCESS);
        expect(first.filter((outcome) => !outcome.ok)).toEqual([]);
        expect(first.filter((outcome) => outcome.grace === false)).toHaveLength(1);
        const successors = new Set(first.map((outcome) => outcome.refreshToken));
        expect(successors.size).toBe(1);
        const [successor] = [...successors] as [string];
        expect(successor).not.toBe(login.refreshToken);

        // Exactly one chain: generation 1, one token row per generation, the successor is generation 1.
        expect(await db.generations(login.sessionId)).toEqual([0, 1]);
        expect((await store.findRefreshToken(tokenId(successor)))?.token.generation).toBe(1);
        expect(await store.findSession(login.sessionId)).toMatchObject({
          generation: 1,
          rotatedAt: T0 + 1000,
          graceCount: PROCESSES * PER_PROCESS - 1,
          revokedAt: null,
        });

        // The last instant of the window still answers every process with the same successor.
        clock.set(T0 + 1000 + GRACE_SECONDS * 1000);
        const edge = await burst(children, login.refreshToken, PER_PROCESS);
        expect(
          edge.every(
            (outcome) => outcome.ok && outcome.grace === true && outcome.refreshToken === successor,
          ),
        ).toBe(true);
        expect(await db.generations(login.sessionId)).toEqual([0, 1]);

        // One millisecond later the previous token is reuse: no process gets a token, the session is revoked.
        clock.set(T0 + 1000 + GRACE_SECONDS * 1000 + 1);
        const late = await burst(children, login.refreshToken, PER_PROCESS);
        expect(late.filter((outcome) => outcome.ok)).toEqual([]);
        expect(late.some((outcome) => outcome.code === 'REFRESH_TOKEN_REUSED')).toBe(true);
        for (const outcome of late)
          expect(['REFRESH_TOKEN_REUSED', 'REFRESH_TOKEN_REVOKED']).toContain(outcome.code);
        expect(await store.findSession(login.sessionId)).toMatchObject({
          revokedReason: 'reuse',
          successorSealed: null,
        });
        expect(await codeOf(sessions.refresh(successor))).toBe('REFRESH_TOKEN_REVOKED');
        expect(await db.generations(login.sessionId)).toEqual([0, 1]);
      } finally {
        await stopWorkers(children);
        await store.close();
      }
    });

    it('a refresh whose answer is lost after the commit is retried by another process inside the window and gets the same successor', async () => {
      const db = backend.fresh();
      const clock = fileClock();
      const store = await db.open();
      const [dying, retrying] = (await startWorkers(2, {
        ...db.worker,
        graceSeconds: GRACE_SECONDS,
        clockFile: clock.file,
      })) as [ChildProcess, ChildProcess];
      try {
        const sessions = managerOver(store, clock.now);
        const login = await sessions.issueSession('user-lost');
        clock.set(T0 + 2000);
        const death = exited(dying);
        dying.send({ op: 'refresh-then-die', token: login.refreshToken });
        expect(await death).toBe('SIGKILL');
        // The rotation the client never heard of is in the store.
        const rotated = await store.findSession(login.sessionId);
        expect(rotated).toMatchObject({ generation: 1, rotatedAt: T0 + 2000 });

        clock.set(T0 + 2000 + GRACE_SECONDS * 1000 - 1);
        const [retry, again] = await burst([retrying], login.refreshToken, 2);
        expect(retry).toMatchObject({ ok: true, grace: true });
        expect(again?.refreshToken).toBe(retry?.refreshToken);
        // It is the committed successor (generation 1), not a second chain, and the chain continues from it.
        expect(
          (await store.findRefreshToken(tokenId(retry?.refreshToken ?? '')))?.token.generation,
        ).toBe(1);
        const next = await sessions.refresh(retry?.refreshToken);
        expect(next.grace).toBe(false);
        expect(await db.generations(login.sessionId)).toEqual([0, 1, 2]);
      } finally {
        await stopWorkers([dying, retrying]);
        await store.close();
      }
    });

    it('a store whose rotate commits and then loses its answer: the client retry inside the window gets the committed successor', async () => {
      const db = backend.fresh();
      const clock = fileClock();
      const store = await db.open();
      try {
        // A connection reset after COMMIT: the rotation is durable, the caller sees an error. Both
        // ways a refresh swaps lose their answer: the two-call rotate and the one-trip rotateByToken.
        const lossy: SessionStore = {
          ...store,
          async rotate(rotation) {
            await store.rotate(rotation);
            throw new Error('connection reset after commit');
          },
          async rotateByToken(rotation) {
            await store.rotateByToken?.(rotation);
            throw new Error('connection reset after commit');
          },
        };
        const sessions = managerOver(lossy, clock.now);
        const login = await sessions.issueSession('user-reset');
        clock.set(T0 + 500);
        await expect(sessions.refresh(login.refreshToken)).rejects.toThrow(
          'connection reset after commit',
        );
        clock.set(T0 + 500 + GRACE_SECONDS * 1000);
        const retry = await managerOver(store, clock.now).refresh(login.refreshToken);
        expect(retry.grace).toBe(true);
        expect((await store.findRefreshToken(tokenId(retry.refreshToken)))?.token.generation).toBe(
          1,
        );
        expect(await db.generations(login.sessionId)).toEqual([0, 1]);
      } finally {
        await store.close();
      }
    });
  },
);
