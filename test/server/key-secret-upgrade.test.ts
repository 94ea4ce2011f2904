// Issue 15, end to end on a real server and SQLite file: a deployment sealed under 32 × 'a' keeps
// working after the upgrade (loud warning), changes its secret with TESSERA_KEY_SECRET_PREVIOUS with a
// session's refresh token still good afterwards, reports a failing keyring reload on /healthz until it
// recovers, and warns about a database file others can read.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyMaterial } from '../../src/keys/key-material.js';
import { sealFormatOf } from '../../src/keys/key-store.js';
import { resolveConfig } from '../../src/server/config.js';
import { createTesseraServer, type TesseraServer } from '../../src/server/create-server.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { sealV1 } from '../keys/v1-seal.js';

const WEAK = 'a'.repeat(32);
const directory = mkdtempSync(join(tmpdir(), 'tessera-key-upgrade-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

interface Started {
  readonly server: TesseraServer;
  readonly logs: { level: number; msg: string; [key: string]: unknown }[];
}

async function start(db: string, env: Record<string, string>): Promise<Started> {
  const logs: Started['logs'] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        logs.push(JSON.parse(line) as Started['logs'][number]);
      done();
    },
  });
  const config = await resolveConfig({
    flags: {
      db,
      issuer: 'https://auth.test',
      audience: 'api',
      'allowed-origins': 'https://app.test',
    },
    env: { TESSERA_PRODUCTION: 'true', ...env },
    cwd: directory,
  });
  const server = await createTesseraServer({ config, logger: pino({ level: 'info' }, sink) });
  return { server, logs };
}

/** The database as a pre-upgrade production server left it: one v1 key sealed under 32 × 'a'. */
async function legacyDatabase(name: string): Promise<string> {
  const db = join(directory, name);
  const store = await openSqliteStore({ path: db });
  const entry = { key: await generateKeyMaterial({ alg: 'EdDSA' }), createdAt: 0, activatesAt: 0 };
  await store.initKeys([sealV1(entry, WEAK)]);
  await store.close();
  return db;
}

const healthz = (server: TesseraServer): Promise<Response> =>
  server.handler.fetch(new Request('https://auth.test/healthz'));

describe('changing a weak TESSERA_KEY_SECRET on a running deployment', () => {
  it('warns at start, re-seals with PREVIOUS, and the session refreshes afterwards', async () => {
    const db = await legacyDatabase('upgrade.db');
    const before = await start(db, { TESSERA_KEY_SECRET: WEAK });
    const warning = before.logs.find((line) => line.code === 'KEY_SECRET_WEAK');
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toMatch(/repeated 32 times.*TESSERA_KEY_SECRET_PREVIOUS/);
    expect(JSON.stringify(before.logs)).not.toContain(WEAK);
    // Each reload finds the same weakness; the log says it once.
    await before.server.keyring.reload();
    expect(before.logs.filter((line) => line.code === 'KEY_SECRET_WEAK')).toHaveLength(1);
    const login = await before.server.sessions.issueSession('user-1', { transport: 'body' });
    const kid = JSON.parse(
      Buffer.from(login.accessToken.split('.')[0] as string, 'base64url').toString(),
    ).kid as string;
    await before.server.close();

    const secret = randomBytes(32).toString('base64url');
    const after = await start(db, {
      TESSERA_KEY_SECRET: secret,
      TESSERA_KEY_SECRET_PREVIOUS: WEAK,
    });
    expect(after.logs.find((line) => line.code === 'KEYS_RESEALED')?.msg).toMatch(
      /can now be removed/,
    );
    expect(JSON.stringify(after.logs)).not.toContain(secret);
    // Same key, so the access token issued before still verifies, and the session rotates on.
    expect(after.server.keyring.verificationKey(kid)).toBeDefined();
    const next = await after.server.sessions.refresh(login.refreshToken, { transport: 'body' });
    expect(next.sessionId).toBe(login.sessionId);
    await after.server.close();

    const check = await openSqliteStore({ path: db });
    expect((await check.loadKeys()).map(sealFormatOf)).toEqual(['v2']);
    await check.close();
    // The old secret alone no longer opens the keyring.
    await expect(start(db, { TESSERA_KEY_SECRET: WEAK })).rejects.toMatchObject({
      code: 'KEY_INVALID',
    });
  });

  it('refuses a new production deployment whose secret is 32 × "a"', async () => {
    await expect(
      start(join(directory, 'new.db'), { TESSERA_KEY_SECRET: WEAK }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/tessera keys secret/),
    });
  });
});

describe('a failing keyring reload', () => {
  it('is logged once, reported by /healthz, and clears when the store is fixed', async () => {
    const db = join(directory, 'reload.db');
    const { server, logs } = await start(db, {
      TESSERA_KEY_SECRET: randomBytes(32).toString('base64url'),
    });
    expect(await (await healthz(server)).json()).toEqual({ ok: true });
    const raw = new Database(db);
    const { kid, sealed } = raw
      .prepare('SELECT kid, sealed_key AS sealed FROM signing_keys')
      .get() as {
      kid: string;
      sealed: string;
    };
    // A damaged row: the tag cut to 4 bytes.
    raw
      .prepare('UPDATE signing_keys SET sealed_key = ? WHERE kid = ?')
      .run(sealed.slice(0, -16), kid);
    await expect(server.keyring.reload()).rejects.toMatchObject({ code: 'KEY_INVALID' });
    await expect(server.keyring.reload()).rejects.toMatchObject({ code: 'KEY_INVALID' });
    expect(logs.filter((line) => /keyring reload failed/.test(line.msg))).toHaveLength(1);
    const failing = await healthz(server);
    expect(failing.status).toBe(503);
    expect(await failing.json()).toMatchObject({
      ok: false,
      keyring: { status: 'reload-failing', code: 'KEY_INVALID', failures: 2 },
    });
    // Still serving with the keys it had.
    expect(server.keyring.verificationKey(kid)).toBeDefined();

    raw.prepare('UPDATE signing_keys SET sealed_key = ? WHERE kid = ?').run(sealed, kid);
    raw.close();
    await server.keyring.reload();
    expect((await healthz(server)).status).toBe(200);
    expect(logs.filter((line) => /keyring reload recovered/.test(line.msg))).toHaveLength(1);
    await server.close();
  });
});

describe('file modes', () => {
  it('warns at start about an existing database file that is 0644, naming the fix, and leaves it', async () => {
    const db = join(directory, 'wide.db');
    const store = await openSqliteStore({ path: db });
    await store.close();
    chmodSync(db, 0o644);
    const { server, logs } = await start(db, {
      TESSERA_KEY_SECRET: randomBytes(32).toString('base64url'),
    });
    const warning = logs.find((line) => line.path === db);
    expect(warning).toMatchObject({ level: 40, mode: '0644' });
    expect(warning?.msg).toContain(`chmod 600 ${db}`);
    expect(statSync(db).mode & 0o777).toBe(0o644);
    await server.close();
  });
});
