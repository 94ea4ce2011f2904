// Real Tessera nodes for the doctor's catalogue: each on its own port, SQLite file and (skewable) clock.
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import type { Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect } from 'vitest';
import { listen } from '../../src/adapters/node.js';
import { resolveConfig } from '../../src/server/config.js';
import { createTesseraServer, type TesseraServer } from '../../src/server/create-server.js';

export interface TestNode {
  readonly url: string;
  readonly server: TesseraServer;
  /** Moves this node's clock (milliseconds added to the real clock). */
  setSkew(ms: number): void;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const probe: NetServer = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tessera-doctor-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Starts a node. Nodes given the same `db` share a keyring and sessions: one deployment. */
export async function startNode(options: {
  db: string;
  skewMs?: number;
  issuer?: string;
  flags?: Record<string, string>;
  cwd: string;
  now?: () => number;
}): Promise<TestNode> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let skew = options.skewMs ?? 0;
  const config = await resolveConfig({
    flags: {
      port: String(port),
      db: options.db,
      issuer: options.issuer ?? url,
      audience: 'api',
      ...options.flags,
    },
    env: {},
    cwd: options.cwd,
  });
  const base = options.now ?? Date.now;
  const server = await createTesseraServer({
    config,
    now: () => base() + skew,
    logger: pino({ level: 'silent' }),
  });
  const { server: http } = await listen(server.handler, { port, host: '127.0.0.1' });
  return {
    url,
    server,
    setSkew: (ms) => {
      skew = ms;
    },
    close: async () => {
      await closeHttp(http);
      await server.close();
    },
  };
}

async function closeHttp(http: Server): Promise<void> {
  http.closeAllConnections();
  await new Promise<void>((resolve) => http.close(() => resolve()));
}

export interface SignedIn {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly setCookie: string;
}

/** Signs up a fresh account on a node (cookie transport unless `body`), returning its tokens. */
export async function signUp(
  node: TestNode,
  options: { email?: string; password?: string; transport?: 'cookie' | 'body' } = {},
): Promise<SignedIn> {
  const email = options.email ?? `user-${Math.random().toString(36).slice(2)}@example.test`;
  const response = await fetch(`${node.url}/auth/signup`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.transport === 'body' ? { 'token-transport': 'body' } : {}),
    },
    body: JSON.stringify({ email, password: options.password ?? 'correct horse battery staple' }),
  });
  if (response.status !== 201)
    throw new Error(`signup failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { access_token: string; refresh_token?: string };
  const setCookie = response.headers.getSetCookie()[0] ?? '';
  const refreshToken =
    body.refresh_token ?? (setCookie.split(';')[0] ?? '').split('=').slice(1).join('=');
  return { accessToken: body.access_token, refreshToken, setCookie };
}

/** What the node's own API answers for an Authorization header: status, code and detail of its problem+json. */
export async function askNode(
  node: TestNode,
  authorization: string,
  pathname = '/auth/me',
): Promise<{ status: number; code: string | null; detail: string | null; bucket: string | null }> {
  const response = await fetch(`${node.url}${pathname}`, { headers: { authorization } });
  if (response.ok) {
    await response.body?.cancel();
    return { status: response.status, code: null, detail: null, bucket: null };
  }
  const body = (await response.json()) as {
    code?: string;
    detail?: string;
    bucket?: string | null;
  };
  return {
    status: response.status,
    code: body.code ?? null,
    detail: body.detail ?? null,
    bucket: body.bucket ?? null,
  };
}

export interface Expected {
  readonly code: string | null;
  readonly bucket: string | null;
  /** Must appear in the verdict's explanation or in a finding's or warning's "what". */
  readonly cause: RegExp;
  /** Must appear in the verdict's fix or in a finding's or warning's fix. */
  readonly fix: RegExp;
  /** Only for state the doctor cannot see (revocation): the verdict may come from the server's own answer. */
  readonly fromServer?: boolean;
}

interface DiagnosisLike {
  readonly verdict: {
    code: string | null;
    bucket: string | null;
    explanation: string;
    fix: string;
  };
  readonly findings: readonly { id: string; what: string; why: string; fix: string }[];
  readonly warnings: readonly { what: string; why: string; fix: string }[];
}

/** The words a person reads: verdict, findings and warnings. */
export function wordsOf(diagnosis: DiagnosisLike): { causes: string; fixes: string } {
  const notes = [...diagnosis.findings, ...diagnosis.warnings];
  return {
    causes: [diagnosis.verdict.explanation, ...notes.map((n) => `${n.what} ${n.why}`)].join('\n'),
    fixes: [diagnosis.verdict.fix, ...notes.map((n) => n.fix)].join('\n'),
  };
}

/** Asserts the verdict code and bucket, and that the words name the cause and the fix. */
export function expectVerdict(diagnosis: DiagnosisLike, expected: Expected): void {
  expect({ code: diagnosis.verdict.code, bucket: diagnosis.verdict.bucket }).toEqual({
    code: expected.code,
    bucket: expected.bucket,
  });
  const { causes, fixes } = wordsOf(diagnosis);
  expect(causes).toMatch(expected.cause);
  expect(fixes).toMatch(expected.fix);
  // The doctor's own judgement must reach the verdict, not merely repeat what the server answered.
  if (expected.fromServer !== true)
    expect(diagnosis.findings.map((f) => f.id)).not.toContain('server-disagrees');
}

/** Nodes for one catalogue file: each in its own SQLite file under one temp dir, all closed after the file. */
export interface Catalogue {
  readonly dir: string;
  node(options: {
    db: string;
    skewMs?: number;
    issuer?: string;
    flags?: Record<string, string>;
  }): Promise<TestNode>;
  /** Closes something the file started itself (an extra API server) along with the nodes. */
  onClose(close: () => Promise<void>): void;
}

export function useCatalogue(): Catalogue {
  let dir: string | undefined;
  let remove: (() => Promise<void>) | undefined;
  const nodes: TestNode[] = [];
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    ({ dir, remove } = await tempDir());
  });
  afterAll(async () => {
    for (const close of closers) await close();
    for (const started of nodes) await started.close();
    await remove?.();
  });
  const directory = (): string => {
    if (dir === undefined) throw new Error('the catalogue directory is made in beforeAll');
    return dir;
  };
  return {
    get dir(): string {
      return directory();
    },
    async node(options) {
      const started = await startNode({
        ...options,
        db: path.join(directory(), options.db),
        cwd: directory(),
      });
      nodes.push(started);
      return started;
    },
    onClose: (close) => closers.push(close),
  };
}
