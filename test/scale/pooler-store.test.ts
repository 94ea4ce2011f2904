import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { isTesseraError } from '../../src/errors/tessera-error.js';
import {
  forTransactionPooler,
  keepsSessionState,
} from '../../src/store/postgres/postgres-pooler.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { runAccountStoreConformance, runStoreConformance } from '../../src/store/testing.js';
import { newSession, T0 } from '../../src/store/testing/fixtures.js';
import { useScratch } from '../support/scratch.js';
import { startPgbouncer, type Pgbouncer } from './pgbouncer-harness.js';

// The PostgreSQL store through pgbouncer 1.18 in transaction mode (issue 16 item 5): the whole
// conformance suite unchanged, the statement guard, and the revocation wake by polling, since a
// LISTEN through a transaction pooler hears nothing once its server connection returns to the pool.

const scratch = useScratch('pooler');
// Fewer server connections than the store's pool has clients, so transactions really change hands.
let bouncer: Promise<Pgbouncer> | undefined;
const pooler = (): Promise<Pgbouncer> => (bouncer ??= startPgbouncer({ poolSize: 4 }));
const pools: pg.Pool[] = [];
afterAll(async () => {
  for (const pool of pools) await pool.end().catch(() => undefined);
  if (bouncer !== undefined) await (await bouncer).stop();
});

const openPool = async (): Promise<pg.Pool> => {
  const pool = new pg.Pool({
    connectionString: (await pooler()).url(),
    max: 8,
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', () => undefined);
  pools.push(pool);
  return pool;
};

const pooledStore = async (
  schema: string,
  revocationPollMs?: number,
): Promise<ReturnType<typeof createPostgresStore>> =>
  createPostgresStore({
    pool: await openPool(),
    schema,
    pooler: 'transaction',
    ...(revocationPollMs === undefined ? {} : { revocationPollMs }),
  });

runStoreConformance({
  name: 'postgres via pgbouncer (transaction mode)',
  createStore: () => pooledStore(scratch.schema('tessera_pooler')),
});
runAccountStoreConformance({
  name: 'postgres via pgbouncer (transaction mode)',
  createStore: () => pooledStore(scratch.schema('tessera_pooler')),
});

describe('the transaction-pooler guard', () => {
  it('tells statements that keep session state from those that end with their transaction', () => {
    for (const text of [
      'LISTEN tessera_revocations',
      'UNLISTEN *',
      ' set search_path = x',
      'SET SESSION statement_timeout = 1',
      'RESET ALL',
      'PREPARE p AS SELECT 1',
      'DISCARD ALL',
      'DECLARE c CURSOR WITH HOLD FOR SELECT 1',
      'SELECT pg_advisory_lock(1, 2)',
      'SELECT pg_try_advisory_lock(1)',
      'SELECT 1; SET search_path = x',
    ])
      expect(keepsSessionState(text), text).toBe(true);
    for (const text of [
      'SET LOCAL statement_timeout = 1',
      'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE',
      'UPDATE "s".sessions SET revoked_at = $1 WHERE id = $2',
      'SELECT pg_advisory_xact_lock($1, hashtext($2))',
      'BEGIN',
      'COMMIT',
      'SELECT pg_notify($1, $2)',
    ])
      expect(keepsSessionState(text), text).toBe(false);
  });

  it('refuses a session statement with CONFIG_INVALID before it reaches pgbouncer', async () => {
    const pool = forTransactionPooler(await openPool());
    const refused = await pool.query('LISTEN tessera_revocations').catch((error: unknown) => error);
    expect(isTesseraError(refused) && refused.code).toBe('CONFIG_INVALID');
    const client = await pool.connect();
    try {
      const onClient = await client.query('SET search_path = x').catch((error: unknown) => error);
      expect(isTesseraError(onClient) && onClient.code).toBe('CONFIG_INVALID');
    } finally {
      client.release();
    }
  });

  it('sends a named statement unnamed, so no connection needs to have seen its PREPARE', async () => {
    const pool = forTransactionPooler(await openPool());
    // One name with two texts: node-postgres itself refuses that for a named statement, so these
    // answers prove the name was dropped; many at once spread them over pgbouncer's 4 connections.
    const asks = Array.from({ length: 40 }, (_, i) =>
      (pool.query as unknown as (config: object) => Promise<pg.QueryResult>)({
        name: 'tessera_probe',
        text: i % 2 === 0 ? 'SELECT $1::int AS n' : 'SELECT $1::int + 0 AS n',
        values: [i],
      }),
    );
    const answers = await Promise.all(asks);
    expect(answers.map((answer) => (answer.rows[0] as { n: number }).n)).toEqual(
      Array.from({ length: 40 }, (_, i) => i),
    );
  });
});

describe('revocation wake through pgbouncer', () => {
  // The guard above refuses LISTEN in this mode, so the wake can only come from the poll.
  it('wakes a node that polls the feed when another node revokes', async () => {
    const schema = scratch.schema('tessera_pooler');
    const writer = await pooledStore(schema);
    const follower = await pooledStore(schema, 100);
    try {
      await writer.migrate();
      const input = newSession({ userId: `u-${randomUUID()}` });
      await writer.createSession(input);
      let wakes = 0;
      let woken!: () => void;
      const wakened = new Promise<void>((resolve) => (woken = resolve));
      const unsubscribe = await follower.onRevocation?.(() => {
        wakes++;
        woken();
      });
      expect(unsubscribe).toBeTypeOf('function');
      await writer.revokeSession({ sessionId: input.session.id, at: T0 + 1, reason: 'logout' });
      await wakened;
      await unsubscribe?.();
      expect(wakes).toBeGreaterThanOrEqual(1);
      // The follower read the record it was woken for from the feed.
      const records = await follower.listRevocations({ afterSeq: 0, limit: 10 });
      expect(records.map((record) => record.kind === 'session' && record.sessionId)).toEqual([
        input.session.id,
      ]);
    } finally {
      await writer.close();
      await follower.close();
    }
  });
});
