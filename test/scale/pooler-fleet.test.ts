import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../support/scratch.js';
import { AUTH_ORIGIN, fleetKeySecret, startNode, type FleetNode } from '../fleet/fleet-harness.js';
import { startPgbouncer } from './pgbouncer-harness.js';

// Two `tessera serve` processes on one database through pgbouncer in transaction mode, started with
// --pg-pooler transaction. A logout on one node must reach the other, which never saw the request
// and cannot LISTEN through the pooler: it learns by polling the feed and then refuses the token.
// In that mode the store refuses LISTEN (CONFIG_INVALID), so a node that tried to LISTEN would not
// start: the refusal below can only come from the polled feed. The test asserts that mechanism
// (accepted before, TOKEN_REVOKED after, on the other node); the delay it prints is for reading, and
// the timeouts are generous on purpose.

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

// A native app: body transport, no Origin, so no CSRF header is needed.
const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
  'x-forwarded-host': new URL(AUTH_ORIGIN).host,
  'x-forwarded-for': '198.18.0.1',
  ...extra,
});

async function me(
  node: FleetNode,
  accessToken: string,
): Promise<{ status: number; code?: string }> {
  const response = await fetch(`${node.url}/auth/me`, {
    headers: headers({ authorization: `Bearer ${accessToken}` }),
  });
  const body = (await response.json()) as { code?: string };
  return { status: response.status, ...(body.code === undefined ? {} : { code: body.code }) };
}

describe('two Tessera processes through pgbouncer (transaction mode)', () => {
  it(
    'a logout on one node is refused on the other, which learned it by polling the feed',
    { timeout: 120_000 },
    async () => {
      const name = `tessera_pooler_${process.pid}_${Date.now()}`;
      const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
      await admin.query(`CREATE DATABASE "${name}"`);
      cleanups.push(async () => {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await admin.end();
      });
      const bouncer = await startPgbouncer({ poolSize: 6 });
      cleanups.push(() => bouncer.stop());
      const keySecret = fleetKeySecret();
      const store = ['--database-url', bouncer.url(name), '--pg-pooler', 'transaction'];
      // One after the other: the first migrates the fresh database.
      const first = await startNode({ store, keySecret, accessTtl: '15m' });
      cleanups.push(() => first.stop());
      const second = await startNode({ store, keySecret, accessTtl: '15m' });
      cleanups.push(() => second.stop());

      const signup = await fetch(`${first.url}/auth/signup`, {
        method: 'POST',
        headers: headers({ 'content-type': 'application/json', 'token-transport': 'body' }),
        body: JSON.stringify({ email: 'pooled@example.com', password: 'correct horse battery' }),
      });
      expect(signup.status).toBe(201);
      const tokens = (await signup.json()) as { access_token: string; refresh_token: string };
      // Both nodes accept the session while it is live.
      expect((await me(first, tokens.access_token)).status).toBe(200);
      expect((await me(second, tokens.access_token)).status).toBe(200);

      const logout = await fetch(`${first.url}/auth/logout`, {
        method: 'POST',
        headers: headers({ 'content-type': 'application/json' }),
        body: JSON.stringify({ refresh_token: tokens.refresh_token }),
      });
      expect(logout.status).toBe(204);
      const loggedOutAt = performance.now();
      // The node that logged out knows at once (its own sync after the commit).
      expect(await me(first, tokens.access_token)).toEqual({ status: 401, code: 'TOKEN_REVOKED' });
      // The other node refuses once its poll has pulled the record: wait for it, generously.
      let answer = await me(second, tokens.access_token);
      while (answer.status === 200 && performance.now() - loggedOutAt < 30_000) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        answer = await me(second, tokens.access_token);
      }
      console.log(
        `pooler fleet: the other node refused ${Math.round(performance.now() - loggedOutAt)} ms after the logout`,
      );
      expect(answer).toEqual({ status: 401, code: 'TOKEN_REVOKED' });
    },
  );
});
