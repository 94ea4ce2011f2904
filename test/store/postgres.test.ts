import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { isTesseraError } from '../../src/errors/tessera-error.js';
import { openPostgresStore } from '../../src/store/postgres/open-postgres-store.js';
import {
  LOCK_CLASS,
  type PgClient,
  type PgPool,
} from '../../src/store/postgres/postgres-driver.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/postgres-schema.js';
import type { NewSession, SessionStore } from '../../src/store/session-store.js';
import { runAccountStoreConformance, runStoreConformance } from '../../src/store/testing.js';

// No skip when the server is missing: every test fails in its setup instead.
const URL = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const admin = new pg.Pool({ connectionString: URL, max: 2 });
const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

function freshSchema(): string {
  const schema = `tessera_test_${randomBytes(6).toString('hex')}`;
  schemas.push(schema);
  return schema;
}

const openPool = (max = 8): pg.Pool =>
  new pg.Pool({ connectionString: URL, max, connectionTimeoutMillis: 10_000 });

runStoreConformance({
  name: 'postgres',
  createStore: async () => createPostgresStore({ pool: openPool(), schema: freshSchema() }),
});
runAccountStoreConformance({
  name: 'postgres',
  createStore: async () => createPostgresStore({ pool: openPool(), schema: freshSchema() }),
});

function sessionOf(userId = `u-${randomUUID()}`): NewSession {
  const at = 1_767_268_800_000;
  return {
    session: {
      id: `s-${randomUUID()}`,
      userId,
      clientId: 'web',
      transport: 'body',
      claims: '{}',
      createdAt: at,
      lastUsedAt: at,
      idleExpiresAt: at + 1e9,
      absoluteExpiresAt: at + 2e9,
      userAgent: null,
      ip: null,
    },
    token: { id: `t-${randomUUID()}`, secretHash: 'h', createdAt: at },
  };
}

/** A pool whose next COMMIT waits until released: a transaction that has inserted its feed record but not committed yet. */
function pausingPool(pool: pg.Pool): {
  pool: PgPool;
  arm: () => { reached: Promise<void>; release: () => void };
} {
  let pending: { reached: () => void; released: Promise<void> } | undefined;
  const wrapped: PgPool = {
    query: (text, values) => pool.query(text, values),
    end: () => pool.end(),
    async connect() {
      const client = await pool.connect();
      const proxy: PgClient = {
        async query(text, values) {
          const gate = pending;
          if (text === 'COMMIT' && gate !== undefined) {
            pending = undefined;
            gate.reached();
            await gate.released;
          }
          return client.query(text, values);
        },
        release: (error) => client.release(error),
        on: (event: 'notification' | 'error' | 'end', listener: (...args: never[]) => void) =>
          client.on(event as 'error', listener as () => void),
        removeListener: (event: string, listener: (...args: never[]) => void) =>
          client.removeListener(event, listener as () => void),
      };
      return proxy;
    },
  };
  return {
    pool: wrapped,
    arm() {
      let reached!: () => void;
      let release!: () => void;
      const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
      pending = { reached, released: new Promise<void>((resolve) => (release = resolve)) };
      return { reached: reachedPromise, release };
    },
  };
}

describe('postgres store, several nodes on one schema', () => {
  const stores: SessionStore[] = [];
  afterAll(async () => {
    for (const store of stores) await store.close();
  });
  const node = (schema: string, pool: PgPool = openPool()): SessionStore => {
    const store = createPostgresStore({ pool, schema });
    stores.push(store);
    return store;
  };

  it('migrates a fresh schema from four nodes at once', async () => {
    const schema = freshSchema();
    const nodes = [node(schema), node(schema), node(schema), node(schema)];
    await Promise.all(nodes.map((store) => store.migrate()));
    const { rows } = await admin.query(
      `SELECT version FROM "${schema}".schema_version ORDER BY version`,
    );
    // Each migration recorded exactly once, though four nodes raced to apply them.
    expect(rows).toEqual(POSTGRES_MIGRATIONS.map((_m, i) => ({ version: i + 1 })));
    const input = sessionOf();
    await nodes[0]?.createSession(input);
    expect((await nodes[3]?.findSession(input.session.id))?.id).toBe(input.session.id);
  });

  it('keeps seq in commit order: a poller never passes a record still being committed', async () => {
    const schema = freshSchema();
    const paused = pausingPool(openPool());
    const slow = node(schema, paused.pool);
    const fast = node(schema);
    await fast.migrate();
    const [x, y] = [sessionOf(), sessionOf()];
    await fast.createSession(x);
    await fast.createSession(y);

    const gate = paused.arm();
    const first = slow.revokeSession({ sessionId: x.session.id, at: 1, reason: 'logout' });
    await gate.reached;
    let secondSettled = false;
    const second = fast
      .revokeSession({ sessionId: y.session.id, at: 2, reason: 'logout' })
      .finally(() => (secondSettled = true));
    // Wait until the second revocation has either committed (the bug) or queued behind the feed lock (the fix).
    for (;;) {
      const { rows } = await admin.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = $1::int::oid AND objid = hashtext($2)::oid`,
        [LOCK_CLASS.feed, schema],
      );
      if (secondSettled || (rows[0]?.waiting ?? 0) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const seen = await fast.listRevocations({ afterSeq: 0, limit: 10 });
    gate.release();
    await Promise.all([first, second]);
    const cursor = seen[seen.length - 1]?.seq ?? 0;
    seen.push(...(await fast.listRevocations({ afterSeq: cursor, limit: 10 })));
    expect(seen.map((record) => record.kind === 'session' && record.sessionId)).toEqual([
      x.session.id,
      y.session.id,
    ]);
  });

  it('wakes onRevocation listeners of its own schema only, and unsubscribing returns the connection', async () => {
    const [mine, other] = [freshSchema(), freshSchema()];
    const listening = node(mine, openPool(1));
    const writer = node(mine);
    const elsewhere = node(other);
    await Promise.all([listening.migrate(), elsewhere.migrate()]);
    const [a, b] = [sessionOf(), sessionOf()];
    await writer.createSession(a);
    await elsewhere.createSession(b);
    let calls = 0;
    let woken!: () => void;
    const wake = new Promise<void>((resolve) => (woken = resolve));
    const unsubscribe = await (listening.onRevocation?.(() => {
      calls += 1;
      woken();
    }) ?? Promise.reject(new Error('the PostgreSQL store must support onRevocation')));
    // Notifications reach a listener in commit order, so when ours arrives the other schema's has been seen and ignored.
    await elsewhere.revokeSession({ sessionId: b.session.id, at: 1, reason: 'logout' });
    await writer.revokeSession({ sessionId: a.session.id, at: 2, reason: 'logout' });
    await wake;
    expect(calls).toBe(1);
    await unsubscribe();
    await unsubscribe();
    // The pool of `listening` has one connection: this query only runs if unsubscribing released it.
    expect(await listening.findSession(a.session.id)).toMatchObject({ revokedAt: 2 });
  });

  it('reports an unreachable server as STORE_UNAVAILABLE without the password', async () => {
    const error: unknown = await openPostgresStore({
      url: 'postgres://tessera:hunter2-secret@127.0.0.1:1/test',
    }).catch((caught: unknown) => caught);
    expect(isTesseraError(error, 'STORE_UNAVAILABLE')).toBe(true);
    expect(String((error as Error).message)).toContain('127.0.0.1:1/test');
    expect(String((error as Error).message)).not.toContain('hunter2');
  });

  it('opens, migrates and serves through openPostgresStore', async () => {
    const store = await openPostgresStore({ url: URL, schema: freshSchema(), max: 2 });
    stores.push(store);
    const input = sessionOf();
    await store.createSession(input);
    expect(await store.findRefreshToken(input.token.id)).toMatchObject({
      token: { generation: 0 },
      session: { id: input.session.id },
    });
  });
});
