// Real Tessera tokens through the JWT stacks teams already run (issue 13, item 1): one Tessera server
// per algorithm, a real signup, and the access token it answers verified by each stack configured as
// its README says. Every outcome is observed, none assumed; the README's verifier table is this
// matrix (UPDATE_README=1 rewrites it), and test/interop/verifier-matrix.json records it.
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toNodeListener } from '../../src/adapters/node.js';
import type { PublishableAlgorithm } from '../../src/jwa/algorithms.js';
import { resolveConfig } from '../../src/server/config.js';
import { createTesseraServer, type TesseraServer } from '../../src/server/create-server.js';
import {
  cellOf,
  normalizeTable,
  readmeSection,
  renderTable,
  withSection,
  type Cell,
} from './verifier-matrix.js';
import { STACKS, verifyWith, type Deployment, type Outcome } from './verifier-stacks.js';

const ALGS: readonly PublishableAlgorithm[] = ['ES256', 'EdDSA', 'RS256', 'PS256'];
const AUDIENCE = 'https://api.example.test';
const README = join(process.cwd(), 'README.md');
const ARTIFACT = join(process.cwd(), 'test/interop/verifier-matrix.json');

interface Running {
  readonly deployment: Deployment;
  readonly kid: string;
  readonly token: string;
  readonly sub: string;
  close(): Promise<void>;
}

// The listener starts first so the issuer can be the server's real origin: get-jwks fetches the JWKS
// from the token's iss, as its README shows.
async function startTessera(alg: PublishableAlgorithm): Promise<Running> {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-interop-'));
  const ready: { listener?: ReturnType<typeof toNodeListener> } = {};
  const http: Server = createServer((request, response) => {
    if (ready.listener === undefined) return void response.writeHead(503).end();
    ready.listener(request, response);
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const config = await resolveConfig({
    flags: { db: join(directory, 'tessera.db'), issuer, audience: AUDIENCE, alg },
    env: {},
    cwd: directory,
  });
  const tessera: TesseraServer = await createTesseraServer({
    config,
    logger: pino({ level: 'silent' }),
  });
  ready.listener = toNodeListener(tessera.handler);
  const signup = await fetch(`${issuer}/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'token-transport': 'body' },
    body: JSON.stringify({
      email: `interop-${alg}@example.com`,
      password: 'correct horse battery',
    }),
  });
  expect(signup.status, await signup.clone().text()).toBe(201);
  const { access_token: token } = (await signup.json()) as { access_token: string };
  const [header, payload] = token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(decode(part)) as unknown);
  expect(header).toMatchObject({ alg, typ: 'at+jwt' });
  return {
    deployment: { issuer, audience: AUDIENCE, alg },
    kid: (header as { kid: string }).kid,
    token,
    sub: (payload as { sub: string }).sub,
    async close() {
      http.closeAllConnections();
      http.close();
      await tessera.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

const decode = (part: string | undefined): string =>
  Buffer.from(part ?? '', 'base64url').toString('utf8');

// The same signature over another subject: a stack that accepted this would accept anything.
function withOtherSubject(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(decode(payload)) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString(
    'base64url',
  );
  return `${header}.${forged}.${signature}`;
}

const running = new Map<PublishableAlgorithm, Running>();
const observed = new Map<string, Outcome>();
const forgedOutcomes = new Map<string, Outcome>();
const at = (stack: string, alg: string): string => `${stack} / ${alg}`;
let cells: Cell[] = [];

beforeAll(async () => {
  for (const alg of ALGS) running.set(alg, await startTessera(alg));
  for (const alg of ALGS) {
    const server = running.get(alg)!;
    for (const stack of STACKS) {
      observed.set(at(stack, alg), await verifyWith(stack, server.token, server.deployment));
      forgedOutcomes.set(
        at(stack, alg),
        await verifyWith(stack, withOtherSubject(server.token), server.deployment),
      );
    }
  }
  cells = ALGS.flatMap((alg) =>
    STACKS.map((stack) =>
      cellOf(stack, alg, observed.get(at(stack, alg))!, {
        origin: running.get(alg)!.deployment.issuer,
        kid: running.get(alg)!.kid,
      }),
    ),
  );
  writeFileSync(ARTIFACT, `${JSON.stringify(cells, null, 2)}\n`);
}, 120_000);

afterAll(async () => {
  for (const server of running.values()) await server.close();
});

describe('the JWT stacks teams run, verifying real Tessera tokens', () => {
  it('all accept ES256 (the default) and RS256, with the subject Tessera signed', () => {
    for (const alg of ['ES256', 'RS256'] as const)
      for (const stack of STACKS)
        expect(observed.get(at(stack, alg)), at(stack, alg)).toEqual({
          accepted: true,
          sub: running.get(alg)!.sub,
        });
  });

  it('each refuses the same signature over another subject, for every algorithm', () => {
    // Without this control an "accepts" could be a stack configured to check nothing.
    for (const alg of ALGS)
      for (const stack of STACKS)
        expect(forgedOutcomes.get(at(stack, alg)), at(stack, alg)).toMatchObject({
          accepted: false,
        });
  });

  it('the default signing algorithm is one every stack accepts', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tessera-interop-'));
    try {
      const config = await resolveConfig({ flags: {}, env: {}, cwd: directory });
      for (const stack of STACKS)
        expect(observed.get(at(stack, config.alg))?.accepted, stack).toBe(true);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("README's verifier table is the matrix observed here (UPDATE_README=1 rewrites it)", () => {
    const table = renderTable(cells, STACKS, ALGS);
    const readme = readFileSync(README, 'utf8');
    if (process.env.UPDATE_README === '1') writeFileSync(README, withSection(readme, table));
    const section = readmeSection(readFileSync(README, 'utf8'));
    expect(section, 'README.md lacks the verifiers markers').toBeDefined();
    expect(normalizeTable(section ?? '')).toBe(normalizeTable(table));
  });
});
