// Public-key legacy tokens (ES256 as jsonwebtoken signs them: often high-S, which Tessera's own strict
// verifier refuses and a legacy exchange must accept), the ECDSA re-spelling (r, n - s) named as the same
// token, RS256 and PS256, and the one-session rule under real concurrency on PostgreSQL.
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { isTesseraError } from '../../src/errors/tessera-error.js';
import { parseLegacyConfig } from '../../src/server/legacy-config.js';
import { createLegacyExchange, type LegacyExchange } from '../../src/sessions/legacy-exchange.js';
import { hasLegacyExchangeStore } from '../../src/store/legacy-exchange-store.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { SessionStore } from '../../src/store/session-store.js';
import { createAccessTokenSigner } from '../../src/jwt/sign-access-token.js';
import { AUDIENCE, ISSUER, createClock, createSessionStack } from '../support/session-stack.js';

const P256_ORDER = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');
const clock = createClock();
const nowS = (): number => Math.floor(clock() / 1000);

async function exchangeOver(
  publicKey: KeyObject,
  algorithms: string[],
  store?: SessionStore,
): Promise<{ legacy: LegacyExchange; store: SessionStore }> {
  const stack = await createSessionStack({ clock, ...(store === undefined ? {} : { store }) });
  if (!hasLegacyExchangeStore(stack.store)) throw new Error('store without legacy exchanges');
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const { options } = parseLegacyConfig({
    publicKey: pem,
    algorithms,
    windowEnds: '2099-01-01',
    userIdClaim: 'id',
    userIdType: 'number',
  });
  const legacy = createLegacyExchange({
    store: stack.store,
    signAccessToken: createAccessTokenSigner({
      keys: stack.keyring,
      issuer: ISSUER,
      audience: AUDIENCE,
      now: clock,
    }),
    revocations: stack.revocations,
    now: clock,
    legacy: options,
  });
  return { legacy, store: stack.store };
}

async function codeOf(work: Promise<unknown>): Promise<string> {
  const outcome = await work.then(
    () => 'accepted',
    (error: unknown) => (isTesseraError(error) ? error.code : String(error)),
  );
  return outcome;
}

/** Signs until jsonwebtoken happens to produce a high-S signature (about half of them are). */
function highSToken(privateKey: KeyObject, id: number): string {
  for (let i = 0; i < 200; i++) {
    const token = jwt.sign({ id, exp: nowS() + 3600, n: i }, privateKey, { algorithm: 'ES256' });
    const signature = Buffer.from(token.split('.')[2] as string, 'base64url');
    if (BigInt(`0x${signature.subarray(32).toString('hex')}`) > P256_ORDER / 2n) return token;
  }
  throw new Error('no high-S signature in 200 tries');
}

function flipS(token: string): string {
  const [header, payload, sig] = token.split('.') as [string, string, string];
  const signature = Buffer.from(sig, 'base64url');
  const s = BigInt(`0x${signature.subarray(32).toString('hex')}`);
  const low = Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex');
  return `${header}.${payload}.${Buffer.concat([signature.subarray(0, 32), low]).toString('base64url')}`;
}

describe('ES256 legacy tokens from jsonwebtoken', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it('accepts a high-S signature (no low-S rule for legacy tokens)', async () => {
    const { legacy } = await exchangeOver(publicKey, ['ES256']);
    const tokens = await legacy.exchange(highSToken(privateKey, 1), { transport: 'body' });
    expect(tokens.userId).toBe('1');
  });

  it('names (r, s) and (r, n - s) as the same token: the flipped spelling is a replay', async () => {
    const { legacy, store } = await exchangeOver(publicKey, ['ES256']);
    const token = highSToken(privateKey, 2);
    const first = await legacy.exchange(token, { transport: 'body' });
    expect(await codeOf(legacy.exchange(flipS(token), { transport: 'body' }))).toBe(
      'LEGACY_TOKEN_REPLAYED',
    );
    expect((await store.findSession(first.sessionId))?.revokedReason).toBe('legacy-replay');
  });

  it('refuses a token signed by another EC key, and an HS256 token signed with the public key as secret', async () => {
    const { legacy } = await exchangeOver(publicKey, ['ES256']);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const forged = jwt.sign({ id: 3, exp: nowS() + 60 }, other, { algorithm: 'ES256' });
    expect(await codeOf(legacy.exchange(forged))).toBe('LEGACY_SIGNATURE_INVALID');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const confused = jwt.sign({ id: 3, exp: nowS() + 60 }, pem, { algorithm: 'HS256' });
    expect(await codeOf(legacy.exchange(confused))).toBe('LEGACY_SIGNATURE_INVALID');
  });
});

describe('RSA legacy tokens', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it('accepts RS256 and PS256 as configured, and a string id where a number is expected is refused', async () => {
    const { legacy } = await exchangeOver(publicKey, ['RS256', 'PS256']);
    for (const algorithm of ['RS256', 'PS256'] as const) {
      const token = jwt.sign({ id: 10, exp: nowS() + 60, algorithm }, privateKey, { algorithm });
      expect((await legacy.exchange(token)).userId).toBe('10');
    }
    const stringId = jwt.sign({ id: '10', exp: nowS() + 60 }, privateKey, { algorithm: 'RS256' });
    expect(await codeOf(legacy.exchange(stringId))).toBe('LEGACY_SUBJECT_INVALID');
  });
});

describe('one session per token on PostgreSQL, under concurrency', () => {
  const URL = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `tessera_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Pool({ connectionString: URL, max: 1 });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('creates exactly one session from eight simultaneous exchanges of one token', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const store = createPostgresStore({
      pool: new pg.Pool({ connectionString: URL, max: 8 }),
      schema,
    });
    const { legacy } = await exchangeOver(publicKey, ['ES256'], store);
    try {
      const token = jwt.sign({ id: 99, exp: nowS() + 600 }, privateKey, { algorithm: 'ES256' });
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, () => codeOf(legacy.exchange(token, { transport: 'body' }))),
      );
      expect(outcomes.filter((outcome) => outcome === 'accepted')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === 'LEGACY_TOKEN_REPLAYED')).toHaveLength(7);
      const sessions = await store.listSessions('99');
      expect(sessions).toHaveLength(1);
      expect(sessions[0]?.revokedReason).toBe('legacy-replay');
    } finally {
      await store.close();
    }
  });
});
