// tessera-auth/verify inside Vercel's edge runtime (edge-runtime 4.0.1, the VM Next.js and Vercel run edge
// functions in: no Buffer, no node:*). The app is bundled with the `edge-light` condition, real Tessera
// tokens go in, and each answer must carry the exact status and code.
import { EdgeRuntime } from 'edge-runtime';
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
let runtime: EdgeRuntime;
let resolved: string;

beforeAll(async () => {
  corpus = await buildEdgeCorpus();
  servers = await startJwksServers(corpus.jwks);
  const bundle = await bundleEdgeApp('edge-function.js', 'edge-light', 'iife');
  resolved = bundle.resolved;
  const config = {
    ISSUER: EDGE_ISSUER,
    AUDIENCE: EDGE_AUDIENCE,
    JWKS_URL: servers.liveUrl,
    DOWN_URL: servers.downUrl,
  };
  runtime = new EdgeRuntime({
    initialCode: `globalThis.EDGE_CONFIG = ${JSON.stringify(config)};\n${bundle.code}`,
  });
});

afterAll(async () => {
  await servers?.close();
});

describe('tessera-auth/verify in the edge runtime (edge-light)', () => {
  it('resolves to the Web Crypto flavour, and the runtime really has no Buffer', () => {
    expect(resolved).toBe('./dist/verify/web.js');
    expect(runtime.evaluate('typeof Buffer')).toBe('undefined');
  });

  it('answers every case with its exact status and code', async () => {
    const answers = [];
    for (const sample of corpus.cases) {
      const path = sample.jwks === 'down' ? '/down' : '/';
      const response = await runtime.dispatchFetch(`http://edge.test${path}`, {
        headers: { authorization: `Bearer ${sample.token}` },
      });
      const body = (await response.json()) as { sub?: string; code?: string; backend?: string };
      answers.push({
        name: sample.name,
        status: response.status,
        ...(sample.expect.status === 200
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
    const response = await runtime.dispatchFetch(`http://edge.test/?access_token=${valid.token}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('TOKEN_IN_URL');
  });
});
