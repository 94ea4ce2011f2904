import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Keyring,
  TesseraError,
  createAccessTokenSigner,
  createAccessTokenVerifier,
  generateKeyMaterial,
  type AccessTokenVerifier,
} from '../../src/index.js';
import {
  createRevocationView,
  type RevocationView,
  type RevocationViewOptions,
} from '../../src/sessions/revocation-view.js';
import { createSessionManager, type SessionManager } from '../../src/sessions/session-manager.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { SessionStore } from '../../src/store/session-store.js';
import { createClock } from '../support/session-stack.js';

// Revocation across nodes on one PostgreSQL schema (issue 3): node A revokes, node B's view must reject the
// access token; B survives a dropped LISTEN connection by polling; a B that cannot reach the feed fails closed.
// Each node has its own pool with its own application_name, so the test terminates only its own backends.
const POSTGRES_URL =
  process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ISSUER = 'https://auth.test';
const AUDIENCE = 'api';
const SAMPLES = 20;
const schema = `tessera_revoke_${randomBytes(6).toString('hex')}`;
const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
const pools: pg.Pool[] = [];
const views: RevocationView[] = [];

function nodeStore(name: string): SessionStore {
  const pool = new pg.Pool({
    connectionString: POSTGRES_URL,
    max: 4,
    application_name: `${schema}_${name}`,
  });
  pool.on('error', () => undefined);
  pools.push(pool);
  return createPostgresStore({ pool, schema });
}

let storeA: SessionStore;
let sessionsA: SessionManager;
let keyring: Keyring;
beforeAll(async () => {
  storeA = nodeStore('a');
  await storeA.migrate();
  keyring = new Keyring({
    entries: [{ key: await generateKeyMaterial({ alg: 'EdDSA' }), createdAt: 0, activatesAt: 0 }],
  });
  const viewA = createRevocationView({ store: storeA, horizonSeconds: 960 });
  views.push(viewA);
  await viewA.start();
  sessionsA = createSessionManager({
    store: storeA,
    revocations: viewA,
    signAccessToken: createAccessTokenSigner({ keys: keyring, issuer: ISSUER, audience: AUDIENCE }),
  });
});
afterAll(async () => {
  for (const view of views) await view.stop();
  for (const pool of pools) await pool.end();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

async function startNode(
  name: string,
  options: {
    pollIntervalMs: number;
    maxStalenessSeconds?: number;
    store?: RevocationViewOptions['store'];
    now?: () => number;
  },
): Promise<{ view: RevocationView; verifier: AccessTokenVerifier }> {
  const view = createRevocationView({
    store: options.store ?? nodeStore(name),
    horizonSeconds: 960,
    pollIntervalMs: options.pollIntervalMs,
    maxStalenessSeconds: options.maxStalenessSeconds ?? 600,
    ...(options.now ? { now: options.now } : {}),
  });
  views.push(view);
  await view.start();
  const verifier = createAccessTokenVerifier({
    keys: keyring,
    issuer: ISSUER,
    audience: AUDIENCE,
    revocations: view,
    ...(options.now ? { now: options.now } : {}),
  });
  return { view, verifier };
}

function rejectionCode(verifier: AccessTokenVerifier, token: string): string | undefined {
  try {
    verifier.verify(token);
    return undefined;
  } catch (error) {
    if (error instanceof TesseraError) return error.code;
    throw error;
  }
}

/** Milliseconds from `since` until the verifier rejects the token as revoked, or undefined after `limitMs`. */
async function waitForRejection(
  verifier: AccessTokenVerifier,
  token: string,
  since: number,
  limitMs: number,
): Promise<number | undefined> {
  while (performance.now() - since < limitMs) {
    if (rejectionCode(verifier, token) === 'TOKEN_REVOKED') return performance.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return undefined;
}

async function terminateListen(name: string): Promise<number> {
  const result = await admin.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND query ILIKE 'LISTEN%'`,
    [`${schema}_${name}`],
  );
  return result.rowCount ?? 0;
}

const percentile = (values: number[], q: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ??
  Number.NaN;

describe('postgres: revocation reaching a second node', () => {
  it(`reaches node B by LISTEN/NOTIFY alone (polling off), ${SAMPLES} session revocations and a password change`, async () => {
    const b = await startNode('b-notify', { pollIntervalMs: 3_600_000 });
    const fromCall: number[] = [];
    const fromCommit: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const login = await sessionsA.issueSession(`user-lag-${i}`);
      expect(b.verifier.verify(login.accessToken).sid).toBe(login.sessionId);
      const called = performance.now();
      expect(
        await storeA.revokeSession({
          sessionId: login.sessionId,
          at: Date.now(),
          reason: 'logout',
        }),
      ).toBeDefined();
      const committed = performance.now();
      const lag = await waitForRejection(b.verifier, login.accessToken, called, 10_000);
      expect(lag).toBeDefined();
      fromCall.push(lag ?? Number.NaN);
      fromCommit.push((lag ?? Number.NaN) - (committed - called));
    }
    const user = await sessionsA.issueSession('user-password');
    const other = await sessionsA.issueSession('user-bystander');
    await sessionsA.revokeUserSessions('user-password', { reason: 'password-change' });
    expect(
      await waitForRejection(b.verifier, user.accessToken, performance.now(), 10_000),
    ).toBeDefined();
    expect(b.verifier.verify(other.accessToken).sub).toBe('user-bystander');
    const figures = (values: number[]): string =>
      `p50 ${percentile(values, 0.5).toFixed(1)} ms, p95 ${percentile(values, 0.95).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms`;
    console.info(
      `[revocation lag A->B over NOTIFY, ${SAMPLES} samples] from the revoke call: ${figures(fromCall)}; from its commit: ${figures(fromCommit)}`,
    );
  });

  it('after its LISTEN connection is terminated, node B still receives revocations, by polling and by re-LISTEN', async () => {
    const polling = await startNode('b-poll', { pollIntervalMs: 200 });
    const notifyOnly = await startNode('b-listen-only', { pollIntervalMs: 3_600_000 });
    expect(await terminateListen('b-poll')).toBe(1);
    expect(await terminateListen('b-listen-only')).toBe(1);
    const login = await sessionsA.issueSession('user-after-drop');
    expect(polling.verifier.verify(login.accessToken).sid).toBe(login.sessionId);
    const called = performance.now();
    await sessionsA.revokeSession(login.sessionId, { reason: 'logout' });
    expect(
      await waitForRejection(polling.verifier, login.accessToken, called, 10_000),
    ).toBeDefined();
    // The store re-LISTENs on a new connection (with backoff): a node that never polls is still woken.
    const relisten = await waitForRejection(notifyOnly.verifier, login.accessToken, called, 10_000);
    expect(relisten).toBeDefined();
    console.info(
      `[revocation after LISTEN drop] NOTIFY-only node woken after ${relisten?.toFixed(1)} ms`,
    );
  });

  it('a node that cannot reach the feed serves within maxStalenessSeconds, then fails closed with REVOCATION_STALE, and recovers when it catches up', async () => {
    const clock = createClock(Date.now());
    let reachable = true;
    const inner = nodeStore('b-cut');
    const cut: RevocationViewOptions['store'] = {
      listRevocations: async (input) => {
        if (!reachable) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return inner.listRevocations(input);
      },
    };
    const b = await startNode('b-cut', {
      store: cut,
      pollIntervalMs: 3_600_000,
      maxStalenessSeconds: 5,
      now: clock,
    });
    const kept = await sessionsA.issueSession('user-kept');
    const revoked = await sessionsA.issueSession('user-revoked-while-cut');
    expect(b.verifier.verify(kept.accessToken).sub).toBe('user-kept');

    reachable = false;
    await sessionsA.revokeSession(revoked.sessionId, { reason: 'logout' });
    await expect(b.view.sync()).rejects.toThrow('ECONNREFUSED');
    clock.advance(5_000);
    // Within the bound the node still answers from what it has (the revocation it missed is the accepted risk).
    expect(rejectionCode(b.verifier, kept.accessToken)).toBeUndefined();
    clock.advance(1);
    expect(rejectionCode(b.verifier, kept.accessToken)).toBe('REVOCATION_STALE');
    expect(rejectionCode(b.verifier, revoked.accessToken)).toBe('REVOCATION_STALE');

    reachable = true;
    await b.view.sync();
    expect(rejectionCode(b.verifier, kept.accessToken)).toBeUndefined();
    expect(rejectionCode(b.verifier, revoked.accessToken)).toBe('TOKEN_REVOKED');
  });
});
