// tessera-auth/verify inside workerd, Cloudflare's runtime, through miniflare 4.20260426.0 (the newest
// whose engines admit Node 20; wrangler needs Node 22 and is not used). No nodejs_compat flag: the
// Worker has no node:* modules and no Buffer. The app is bundled with the `workerd` condition, real
// Tessera tokens go in, and each answer must carry the exact status and code.
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEdgeApp } from './support/bundle.js';
import {
  EDGE_AUDIENCE,
  EDGE_ISSUER,
  buildEdgeCorpus,
  startJwksServers,
  type EdgeCorpus,
  type JwksServers,
} from './support/edge-cases.js';

let corpus: EdgeCorpus;
let servers: JwksServers;
let worker: Miniflare;
let bundle: { code: string; resolved: string };

beforeAll(async () => {
  corpus = await buildEdgeCorpus();
  servers = await startJwksServers(corpus.jwks);
  bundle = await bundleEdgeApp('worker.js', 'workerd', 'esm');
  worker = new Miniflare({
    modules: true,
    script: bundle.code,
    compatibilityDate: '2026-04-01',
    bindings: {
      ISSUER: EDGE_ISSUER,
      AUDIENCE: EDGE_AUDIENCE,
      JWKS_URL: servers.liveUrl,
      DOWN_URL: servers.downUrl,
    },
  });
  await worker.ready;
});

afterAll(async () => {
  await worker?.dispose();
  await servers?.close();
});

describe('tessera-auth/verify in workerd (miniflare, no nodejs_compat)', () => {
  it('resolves to the Web Crypto flavour and bundles no node: import', () => {
    expect(bundle.resolved).toBe('./dist/verify/web.js');
    expect(bundle.code).not.toMatch(/\bfrom\s*["']node:|\brequire\(/);
  });

  it('runs in workerd, where Buffer does not exist', async () => {
    const response = await worker.dispatchFetch('http://worker.test/probe');
    expect(await response.json()).toEqual({ buffer: 'undefined', userAgent: 'Cloudflare-Workers' });
  });

  it('answers every case with its exact status and code', async () => {
    const answers = [];
    for (const sample of corpus.cases) {
      const path = sample.jwks === 'down' ? '/down' : '/';
      const response = await worker.dispatchFetch(`http://worker.test${path}`, {
        headers: { authorization: `Bearer ${sample.token}` },
      });
      const body = (await response.json()) as { sub?: string; code?: string; backend?: string };
      answers.push({
        name: sample.name,
        status: response.status,
        ...('sub' in sample.expect
          ? { sub: body.sub, backend: body.backend }
          : { code: body.code }),
      });
    }
    expect(answers).toEqual(
      corpus.cases.map((sample) => ({
        name: sample.name,
        ...('sub' in sample.expect ? { ...sample.expect, backend: 'web' } : sample.expect),
      })),
    );
  });

  it('refuses a token in the URL, as on Node', async () => {
    const valid = corpus.cases.find((sample) => 'sub' in sample.expect)!;
    const response = await worker.dispatchFetch(`http://worker.test/?access_token=${valid.token}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('TOKEN_IN_URL');
  });
});
