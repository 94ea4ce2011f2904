// `--production` used to serve the demo page and leave open sign-up on: anyone who found the server
// could create accounts on it. Production now serves neither unless asked (`--demo`, `--signup`, their
// TESSERA_* variables or config-file keys), while development keeps both so `npm start` shows the demo.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { expandSwitches, exposureNotice } from '../../src/cli/serve-command.js';
import { resolveConfig, type ServerConfig } from '../../src/server/config.js';
import { createTesseraServer } from '../../src/server/create-server.js';
import { renderHomePage } from '../../src/server/home-page.js';

const emptyDir = (): string => mkdtempSync(join(tmpdir(), 'tessera-exposure-'));
const PRODUCTION = {
  production: true,
  issuer: 'https://auth.example.com',
  audience: 'api',
  'allowed-origins': 'https://app.example.com',
};
const PRODUCTION_ENV = { TESSERA_KEY_SECRET: randomBytes(32).toString('base64url') };

async function configOf(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv = {},
  cwd = emptyDir(),
): Promise<ServerConfig> {
  return resolveConfig({ flags, env, cwd });
}

describe('demo and open sign-up settings', () => {
  it('are on in development and off in production', async () => {
    expect(await configOf({})).toMatchObject({ demo: true, signup: true });
    expect(await configOf(PRODUCTION, PRODUCTION_ENV)).toMatchObject({
      demo: false,
      signup: false,
    });
    expect(
      await configOf(
        { ...PRODUCTION, production: undefined },
        { ...PRODUCTION_ENV, NODE_ENV: 'production' },
      ),
    ).toMatchObject({ production: true, demo: false, signup: false });
  });

  it('turn on in production only when set, by flag, environment or config file', async () => {
    expect(await configOf({ ...PRODUCTION, demo: 'true' }, PRODUCTION_ENV)).toMatchObject({
      demo: true,
      signup: false,
    });
    expect(await configOf(PRODUCTION, { ...PRODUCTION_ENV, TESSERA_SIGNUP: 'true' })).toMatchObject(
      { demo: false, signup: true },
    );
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'tessera.config.json'), JSON.stringify({ demo: true, signup: true }));
    const fromFile = await configOf(PRODUCTION, PRODUCTION_ENV, cwd);
    expect(fromFile).toMatchObject({ demo: true, signup: true });
    expect(fromFile.sources).toMatchObject({ demo: 'file', signup: 'file' });
  });

  it('turn off in development when set false', async () => {
    expect(await configOf({ demo: 'false', signup: 'false' })).toMatchObject({
      demo: false,
      signup: false,
    });
    expect(await configOf({}, { TESSERA_DEMO: '0' })).toMatchObject({ demo: false, signup: true });
  });

  it('read a bare --demo or --signup as true and leave an explicit value alone', () => {
    expect(expandSwitches(['--production', '--demo', '--port', '80', '--signup'])).toEqual([
      '--production',
      '--demo=true',
      '--port',
      '80',
      '--signup=true',
    ]);
    expect(expandSwitches(['--demo', 'false', '--signup=false'])).toEqual([
      '--demo',
      'false',
      '--signup=false',
    ]);
  });

  it('are said at start, with how to change them', () => {
    expect(exposureNotice({ demo: false, signup: false })).toBe(
      'demo page off (enable with --demo), open sign-up off (enable with --signup)',
    );
    expect(exposureNotice({ demo: true, signup: true })).toBe(
      'demo page on at / (turn off with --demo false), open sign-up on (turn off with --signup false)',
    );
  });
});

describe('what a server built from them serves', () => {
  async function serve(config: ServerConfig): Promise<{
    fetch: (path: string, init?: RequestInit) => Promise<Response>;
    close: () => Promise<void>;
  }> {
    const directory = emptyDir();
    const server = await createTesseraServer({
      config: { ...config, db: join(directory, 'tessera.db') },
      logger: pino({ level: 'silent' }),
      homePage: () => renderHomePage({ issuer: config.issuer }),
    });
    return {
      fetch: (path, init) => server.handler.fetch(new Request(`${config.issuer}${path}`, init)),
      close: async () => {
        await server.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  }
  const signupInit = (): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', 'token-transport': 'body' },
    body: JSON.stringify({
      email: `p-${process.pid}-${Math.random()}@example.test`,
      password: 'correct horse battery',
    }),
  });
  const codeOf = async (response: Response): Promise<unknown> =>
    ((await response.json()) as { code?: unknown }).code;

  it('in production: no page at /, no demo routes, and sign-up answers SIGNUP_DISABLED', async () => {
    const server = await serve(await configOf(PRODUCTION, PRODUCTION_ENV));
    try {
      const home = await server.fetch('/');
      expect(home.status).toBe(404);
      expect(await codeOf(home)).toBe('NOT_FOUND');
      for (const path of ['/demo/api/hello', '/demo/client/auth-client.js']) {
        const response = await server.fetch(path);
        expect(response.status, path).toBe(404);
        expect(await codeOf(response)).toBe('NOT_FOUND');
      }
      const signup = await server.fetch('/auth/signup', signupInit());
      expect(signup.status).toBe(403);
      expect(await codeOf(signup)).toBe('SIGNUP_DISABLED');
      expect((await server.fetch('/healthz')).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('in production with --demo and --signup: the page, the demo API and sign-up', async () => {
    const server = await serve(
      await configOf({ ...PRODUCTION, demo: 'true', signup: 'true' }, PRODUCTION_ENV),
    );
    try {
      const home = await server.fetch('/');
      expect(home.status).toBe(200);
      expect(home.headers.get('content-type')).toMatch(/^text\/html/);
      expect((await server.fetch('/demo/api/hello')).status).toBe(401);
      expect((await server.fetch('/auth/signup', signupInit())).status).toBe(201);
    } finally {
      await server.close();
    }
  });

  it('in development, as `npm start` runs it: the page at / and open sign-up', async () => {
    const server = await serve(await configOf({}));
    try {
      expect((await server.fetch('/')).status).toBe(200);
      expect((await server.fetch('/auth/signup', signupInit())).status).toBe(201);
    } finally {
      await server.close();
    }
  });
});
