// Issue 13, item 6: an app that installs Tessera for its client installs no native binary and no server
// package. The client package is built by packages/client/build.js, packed with `npm pack`, and
// installed into a fresh app with `npm install --offline` and an empty npm cache, so the install
// proves it needs nothing from the registry. The installed copy then signs up, calls an API, refreshes
// and logs out against a real Tessera server. The full package is measured beside it from the lockfile
// (npm's cache here has no registry metadata, so an offline install of it cannot run). The README's
// install figures are these measurements (UPDATE_README=1 rewrites them).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/adapters/node.js';
import { createTestServer, freshEmail, type TestServer } from '../http/support/server-kit.js';
import { normalizeTable } from '../interop/verifier-matrix.js';
import {
  measureFromLockfile,
  measureInstalledTree,
  type InstallFigures,
} from './install-measure.js';
import {
  installSection,
  renderInstallTable,
  withInstallSection,
  type InstallRow,
} from './install-table.js';

const run = promisify(execFile);
const ROOT = process.cwd();
const README = join(ROOT, 'README.md');
// What a client-only app must not get: the server's runtime dependencies and its database drivers.
const SERVER_PACKAGES = [
  'hono',
  '@hono/node-server',
  'pino',
  'pino-pretty',
  'zod',
  '@node-rs/argon2',
  'bcryptjs',
  'nodemailer',
  'jose',
  'better-sqlite3',
  'pg',
  'ioredis',
];
const SUBPATHS = ['', '/ticket', '/file-storage', '/axios', '/react'];

const work = mkdtempSync(join(tmpdir(), 'tessera-install-'));
const app = join(work, 'app');
let client: InstallFigures;
let full: InstallFigures;
let fullTarball: { unpackedSize: number; version: string };

// npm's own settings from `npm test` (npm_config_*) would leak into the child npm: only PATH and HOME.
const npmEnv = { PATH: process.env.PATH ?? '', HOME: work };
const npm = (args: string[], cwd: string): Promise<{ stdout: string }> =>
  run('npm', args, { cwd, env: npmEnv, maxBuffer: 16 * 1024 * 1024 });

beforeAll(async () => {
  const pkg = join(work, 'tessera-auth-client');
  await run(process.execPath, [join(ROOT, 'packages/client/build.js'), pkg]);
  const [packed] = JSON.parse(
    (await npm(['pack', '--json', '--pack-destination', work], pkg)).stdout,
  ) as { filename: string }[];
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'client-only-app', private: true, type: 'module' }),
  );
  await npm(
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--cache',
      join(work, 'empty-npm-cache'),
      join(work, packed!.filename),
    ],
    app,
  );
  client = measureInstalledTree(join(app, 'node_modules'));

  // The full package: its own files as `npm pack` would publish them (dist/ is built by the global
  // setup), and its production dependencies as the lockfile resolves them on this platform.
  const [self] = JSON.parse(
    (await npm(['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT)).stdout,
  ) as { unpackedSize: number; version: string }[];
  fullTarball = self!;
  full = measureFromLockfile(ROOT);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const serverPackagesIn = (figures: InstallFigures): string[] =>
  SERVER_PACKAGES.filter((name) => figures.packages.some((p) => p.name === name));

describe('a client-only install (tessera-auth-client)', () => {
  it('is one package with no dependencies, at the version of tessera-auth', () => {
    const main = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(client.packages.map((p) => `${p.name}@${p.version}`)).toEqual([
      `tessera-auth-client@${main.version}`,
    ]);
    const manifest = JSON.parse(
      readFileSync(join(app, 'node_modules/tessera-auth-client/package.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.peerDependencies).toBeUndefined();
  });

  it('installs no native binary and no server package', () => {
    expect(client.nativeBinaries).toEqual([]);
    expect(serverPackagesIn(client)).toEqual([]);
    // The detector is real: the same scan finds argon2's binary in the full package's closure.
    expect(full.nativeBinaries.some((file) => /argon2/.test(file))).toBe(true);
    expect(serverPackagesIn(full)).toEqual(expect.arrayContaining(['hono', 'pino', 'zod']));
  });

  it('ships compiled client files only: no source maps, no server folder', () => {
    const files = readdirRecursive(join(app, 'node_modules/tessera-auth-client/dist'));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    const folders = new Set(files.map((f) => f.split('/')[0]));
    expect([...folders].sort()).toEqual(['client', 'errors', 'wire']);
  });
  it('type-checks in a TypeScript app with no @types/node (its declarations are complete)', async () => {
    writeFileSync(
      join(app, 'check-types.ts'),
      `${SUBPATHS.map((s, i) => `import * as m${i} from 'tessera-auth-client${s}';`).join('\n')}
const auth: m0.AuthClient = m0.createAuthClient({ baseUrl: 'https://auth.example.com' });
// @ts-expect-error: a typed package refuses this; one typed "any" would accept it and fail here.
m0.createAuthClient({ baseUrl: 1 });
void [auth, m1.ticketUrl, m2.createFileStorage, m3.attachAxios, m4.createAuthHooks];
`,
    );
    const options = {
      noEmit: true,
      strict: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      lib: ['es2022', 'dom'],
      types: [],
    };
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: options, files: ['check-types.ts'] }),
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const checked = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app }).then(
      () => 'clean',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(checked).toBe('clean');
  });
});

describe('the installed client against a real Tessera server', () => {
  let test: TestServer;
  let http: Server;
  let base: string;
  beforeAll(async () => {
    test = await createTestServer();
    const started = await listen(test.server.handler, { port: 0, host: '127.0.0.1' });
    http = started.server;
    base = `http://127.0.0.1:${started.port}`;
  });
  afterAll(async () => {
    await new Promise<void>((done) => http.close(() => done()));
    await test.server.close();
    test.cleanup();
  });

  it('loads every subpath and signs up, calls /auth/me, refreshes and logs out', async () => {
    // The script runs in the app, so `tessera-auth-client` resolves to the installed tarball only.
    writeFileSync(
      join(app, 'check.mjs'),
      `${SUBPATHS.map((s, i) => `import * as m${i} from 'tessera-auth-client${s}';`).join('\n')}
const [base, email] = process.argv.slice(2);
const exported = [${SUBPATHS.map((_, i) => `Object.keys(m${i}).sort()`).join(', ')}];
const auth = m0.createAuthClient({ baseUrl: base, transport: 'body', tabs: null, lifecycle: null });
await auth.signup(email, 'correct horse battery staple');
const first = await auth.getAccessToken();
const refreshed = await auth.refresh();
const me = await auth.fetch(base + '/auth/me');
const body = await me.json();
await auth.logout();
const after = await auth.fetch(base + '/auth/me');
console.log(JSON.stringify({ exported, me: me.status, body, rotated: first !== refreshed && typeof refreshed === 'string', after: after.status, state: auth.getState().status }));
process.exit(0);
`,
    );
    const email = freshEmail('client-pkg');
    const { stdout } = await run(process.execPath, ['check.mjs', base, email], { cwd: app });
    const result = JSON.parse(stdout) as {
      exported: string[][];
      me: number;
      body: { email?: string };
      rotated: boolean;
      after: number;
      state: string;
    };
    expect(result.exported[0]).toEqual(expect.arrayContaining(['createAuthClient']));
    expect(result.exported[1]).toEqual(['ticketUrl']);
    expect(result.exported[2]).toEqual(['createFileStorage']);
    expect(result.exported[3]).toEqual(expect.arrayContaining(['attachAxios']));
    expect(result.exported[4]).toEqual(['createAuthHooks']);
    expect(result.rotated).toBe(true);
    expect(result.me).toBe(200);
    expect(JSON.stringify(result.body)).toContain(email);
    expect(result.after).toBe(401);
    expect(result.state).toBe('signed-out');
  });
});

describe('install figures', () => {
  it("README's install table is what was measured here (UPDATE_README=1 rewrites it)", () => {
    const rows: InstallRow[] = [
      {
        install: 'npm install tessera-auth-client',
        how: 'offline, from the packed tarball, empty npm cache',
        packages: client.packages.length,
        bytes: client.bytes,
        nativeBinaries: client.nativeBinaries.length,
        serverPackages: serverPackagesIn(client),
      },
      {
        install: 'npm install tessera-auth',
        how: `package-lock.json's production closure, files on disk (${process.platform}-${process.arch})`,
        packages: 1 + full.packages.length,
        bytes: fullTarball.unpackedSize + full.bytes,
        nativeBinaries: full.nativeBinaries.length,
        serverPackages: serverPackagesIn(full),
      },
    ];
    const table = renderInstallTable(rows);
    process.stdout.write(`install figures:\n${table}\n`);
    const readme = readFileSync(README, 'utf8');
    if (process.env.UPDATE_README === '1') writeFileSync(README, withInstallSection(readme, table));
    const section = installSection(readFileSync(README, 'utf8'));
    expect(section, 'README.md lacks the install-size markers').toBeDefined();
    expect(normalizeTable(section ?? '')).toBe(normalizeTable(table));
  });
});

function readdirRecursive(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? readdirRecursive(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}
