// The default change logs nobody out: a keyring stored before ES256 was the default keeps its EdDSA
// key, its tokens keep verifying, and the server says at start how to switch for real.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/server/config.js';
import { createTesseraServer, type TesseraServer } from '../../src/server/create-server.js';

const directory = mkdtempSync(join(tmpdir(), 'tessera-kept-alg-'));
const db = join(directory, 'tessera.db');
const open: TesseraServer[] = [];

afterEach(async () => {
  for (const server of open.splice(0)) await server.close();
});

async function start(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv = {},
): Promise<{ server: TesseraServer; lines: { level: number; msg: string }[] }> {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  const config = await resolveConfig({
    flags: { db, issuer: 'https://auth.test', audience: 'api', ...flags },
    env,
    cwd: directory,
  });
  const server = await createTesseraServer({ config, logger: pino({ level: 'info' }, sink) });
  open.push(server);
  return { server, lines };
}

const signup = async (server: TesseraServer, email: string): Promise<string> => {
  const response = await server.handler.fetch(
    new Request('https://auth.test/auth/signup', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'token-transport': 'body' },
      body: JSON.stringify({ email, password: 'correct horse battery' }),
    }),
  );
  expect(response.status).toBe(201);
  return ((await response.json()) as { access_token: string }).access_token;
};

describe('a stored keyring keeps its algorithm', () => {
  it('keeps an EdDSA key under the ES256 default, and says so without alarm', async () => {
    const before = await start({ alg: 'EdDSA' });
    expect(before.lines.some((line) => line.msg.includes('tessera keys rotate'))).toBe(false);
    const kid = before.server.keyring.signingKey().kid;
    const token = await signup(before.server, 'kept@example.com');
    await before.server.close();
    open.splice(0);

    const after = await start({});
    expect(after.server.keyring.signingKey()).toMatchObject({ kid, alg: 'EdDSA' });
    const me = await after.server.handler.fetch(
      new Request('https://auth.test/auth/me', { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(me.status).toBe(200);
    const note = after.lines.find((line) => line.msg.includes('tessera keys rotate --alg ES256'));
    expect(note).toMatchObject({ level: 30, alg: 'EdDSA' });
    expect(note?.msg).toContain('signs with EdDSA, not ES256');
  });

  it('warns when --alg (or TESSERA_ALG) asks for another algorithm than the stored key has', async () => {
    const own = join(directory, 'own.db');
    await (await start({ db: own, alg: 'EdDSA' })).server.close();
    open.splice(0);
    const { server, lines } = await start({ db: own }, { TESSERA_ALG: 'PS256' });
    expect(server.keyring.signingKey().alg).toBe('EdDSA');
    expect(lines.find((line) => line.msg.includes('--alg PS256'))).toMatchObject({
      level: 40,
      alg: 'EdDSA',
      configured: 'PS256',
    });
  });

  afterAll(() => rmSync(directory, { recursive: true, force: true }));
});
