import { randomUUID } from 'node:crypto';
import type { StoredKey } from '../../keys/key-store.js';
import type { UserRow } from '../account-store.js';
import type {
  NewSession,
  RevocationRecord,
  Rotation,
  SessionRow,
  SessionStore,
} from '../session-store.js';

/**
 * The instant every conformance case starts from (2026-01-01T12:00:00Z), so expiry arithmetic is readable.
 *
 * @example
 * ```ts
 * const input = newSession({ createdAt: T0 + MINUTE });
 * ```
 */
export const T0 = 1_767_268_800_000;

/**
 * One minute in epoch milliseconds.
 *
 * @example
 * ```ts
 * const later = rotationOf(sessionId, 0, T0 + 2 * MINUTE);
 * ```
 */
export const MINUTE = 60_000;

/**
 * One day in epoch milliseconds.
 *
 * @example
 * ```ts
 * const idle = newSession({ idleExpiresAt: T0 - DAY });
 * ```
 */
export const DAY = 86_400_000;

/**
 * Ids a store must answer with "not found" rather than a driver error: empty, NUL, SQL injection, very long,
 * a lone surrogate, non-ASCII and LIKE wildcards.
 *
 * @example
 * ```ts
 * for (const id of BAD_IDS) expect(await store.findSession(id)).toBeUndefined();
 * ```
 */
export const BAD_IDS: readonly string[] = [
  '',
  '\u0000',
  "x'; DROP TABLE sessions; --",
  'x'.repeat(10_000),
  '\uD800',
  'é🙂',
  '%',
  '1 OR 1=1',
];

/**
 * A fresh session with its first refresh token, unique ids and plausible fields; `overrides` replace session fields.
 *
 * @example
 * ```ts
 * await store.createSession(newSession({ userId: 'u-1', createdAt: T0 }, 3));
 * ```
 */
export function newSession(
  overrides: Partial<NewSession['session']> = {},
  maxSessionsPerUser?: number,
): NewSession {
  const createdAt = overrides.createdAt ?? T0;
  const session = {
    id: `s-${randomUUID()}`,
    userId: `u-${randomUUID()}`,
    clientId: 'web',
    transport: 'cookie' as const,
    claims: '{"roles":["reader"]}',
    createdAt,
    lastUsedAt: createdAt,
    idleExpiresAt: createdAt + 14 * DAY,
    absoluteExpiresAt: createdAt + 30 * DAY,
    userAgent: 'Mozilla/5.0 (X11) — ünïcode',
    ip: '203.0.113.7',
    ...overrides,
  };
  const token = { id: `t-${randomUUID()}`, secretHash: `h-${randomUUID()}`, createdAt };
  return maxSessionsPerUser === undefined
    ? { session, token }
    : { session, token, maxSessionsPerUser };
}

/**
 * A rotation of `sessionId` from `expectedGeneration`, at `at`, with a new unique token and sealed successor.
 *
 * @example
 * ```ts
 * expect(await store.rotate(rotationOf(input.session.id, 0))).toBe(true);
 * ```
 */
export function rotationOf(
  sessionId: string,
  expectedGeneration: number,
  at = T0 + MINUTE,
): Rotation {
  return {
    sessionId,
    expectedGeneration,
    token: { id: `t-${randomUUID()}`, secretHash: `h-${randomUUID()}`, createdAt: at },
    rotatedAt: at,
    successorSealed: `sealed-${randomUUID()}`,
    idleExpiresAt: at + 14 * DAY,
    claims: `{"generation":${expectedGeneration + 1}}`,
  };
}

/**
 * A stored signing key named `kid`, active from `T0 + DAY` and never retired.
 *
 * @example
 * ```ts
 * await store.saveKeys([storedKey('k1'), storedKey('k2')]);
 * ```
 */
export function storedKey(kid: string): StoredKey {
  return {
    kid,
    alg: 'ES256',
    createdAt: T0,
    activatesAt: T0 + DAY,
    retiresAt: null,
    sealedKey: `plain.${kid}`,
  };
}

/**
 * A copy of `keys` sorted by kid, since stores need not return keys in insertion order.
 *
 * @example
 * ```ts
 * expect(byKid(await store.loadKeys())).toEqual(byKid(saved));
 * ```
 */
export const byKid = (keys: StoredKey[]): StoredKey[] =>
  [...keys].sort((a, b) => a.kid.localeCompare(b.kid));

/** What every case file of the conformance suite works with. */
export interface ConformanceContext {
  /** The fresh, migrated store of the running test; read it inside a test, never when declaring one. */
  readonly store: SessionStore;
  /** Opens another fresh, unmigrated store; the caller closes it. */
  readonly createStore: () => Promise<SessionStore>;
  /** Creates a session built by {@link newSession} in the current store and returns its input. */
  readonly create: (
    overrides?: Partial<NewSession['session']>,
    max?: number,
  ) => Promise<NewSession>;
  /** Reads a session of the current store, failing the test when it is missing. */
  readonly session: (id: string) => Promise<SessionRow>;
  /** The whole revocation feed of the current store, oldest first. */
  readonly allRevocations: () => Promise<RevocationRecord[]>;
}

/** Options of {@link createConformanceContext}. */
export interface ConformanceContextOptions {
  /** The store of the running test; called on every use because each test gets a new one. */
  readonly currentStore: () => SessionStore;
  /** Opens a fresh, unmigrated store. */
  readonly createStore: () => Promise<SessionStore>;
}

/**
 * Builds the {@link ConformanceContext} the case files share; `store` is a getter so cases declared once
 * always reach the store that the `beforeEach` of the running test opened.
 *
 * @example
 * ```ts
 * let store: SessionStore;
 * beforeEach(async () => { store = await createStore(); await store.migrate(); });
 * const context = createConformanceContext({ currentStore: () => store, createStore });
 * ```
 */
export function createConformanceContext(options: ConformanceContextOptions): ConformanceContext {
  const { currentStore } = options;
  return {
    get store(): SessionStore {
      return currentStore();
    },
    createStore: options.createStore,
    async create(overrides = {}, max) {
      const input = newSession(overrides, max);
      await currentStore().createSession(input);
      return input;
    },
    async session(id) {
      const row = await currentStore().findSession(id);
      if (row === undefined) throw new Error(`session ${id} not found`);
      return row;
    },
    async allRevocations() {
      return currentStore().listRevocations({ afterSeq: 0, limit: 100_000 });
    },
  };
}

/**
 * A fresh account row with unique id and email, created at T0, unverified, password epoch 0.
 *
 * @example
 * ```ts
 * await store.createUser(newUser({ emailVerified: true }));
 * ```
 */
export function newUser(overrides: Partial<UserRow> = {}): UserRow {
  return {
    id: `u-${randomUUID()}`,
    email: `${randomUUID()}@example.com`,
    passwordHash: '$argon2id$stub',
    createdAt: T0,
    passwordChangedAt: T0,
    emailVerified: false,
    passwordEpoch: 0,
    ...overrides,
  };
}
