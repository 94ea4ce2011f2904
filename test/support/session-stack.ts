import Database from 'better-sqlite3';
import {
  Keyring,
  createAccessTokenSigner,
  createAccessTokenVerifier,
  generateKeyMaterial,
} from '../../src/index.js';
import { createRevocationView } from '../../src/sessions/revocation-view.js';
import { createSessionManager } from '../../src/sessions/session-manager.js';
import type { SessionManagerOptions } from '../../src/sessions/session-options.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { SessionStore } from '../../src/store/session-store.js';

/** A settable clock for tests: no fake timers, just a number that moves when the test says so. */
export interface TestClock {
  (): number;
  set(ms: number): void;
  advance(ms: number): void;
}

export function createClock(start = Date.UTC(2026, 0, 1, 12)): TestClock {
  let current = start;
  const clock = (() => current) as TestClock;
  clock.set = (ms) => {
    current = ms;
  };
  clock.advance = (ms) => {
    current += ms;
  };
  return clock;
}

export const ISSUER = 'https://auth.test';
export const AUDIENCE = 'api';

/** The session core on a real SQLite store (in memory unless a store is given), one clock for everything. */
export async function createSessionStack(
  options: {
    store?: SessionStore;
    clock?: TestClock;
    sessions?: Partial<SessionManagerOptions>;
  } = {},
) {
  const clock = options.clock ?? createClock();
  const store = options.store ?? createSqliteStore({ database: new Database(':memory:') });
  await store.migrate();
  const keyring = new Keyring({
    entries: [{ key: await generateKeyMaterial({ alg: 'EdDSA' }), createdAt: 0, activatesAt: 0 }],
    now: clock,
  });
  const revocations = createRevocationView({
    store,
    horizonSeconds: 960,
    now: clock,
    maxStalenessSeconds: 10 ** 9,
  });
  await revocations.sync();
  const signAccessToken = createAccessTokenSigner({
    keys: keyring,
    issuer: ISSUER,
    audience: AUDIENCE,
    now: clock,
  });
  const verifier = createAccessTokenVerifier({
    keys: keyring,
    issuer: ISSUER,
    audience: AUDIENCE,
    now: clock,
    revocations,
  });
  const sessions = createSessionManager({
    store,
    signAccessToken,
    revocations,
    now: clock,
    ...options.sessions,
  });
  return { clock, store, keyring, revocations, verifier, sessions };
}
