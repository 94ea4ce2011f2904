// The proxy guard of tessera-auth/next on the edge runtime: bundled with the `edge-light` condition as
// Next bundles an edge route, run in Vercel's edge runtime (edge-runtime 4.0.1: no Buffer, no node:*),
// verifying with tessera-auth/verify's Web Crypto verifier over the JWKS of a real in-process Tessera.
// Next 16 runs proxy.ts on Node only (next-guard.test.ts and next-app.test.ts); a route or page that
// chooses `runtime = 'edge'` runs this code.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { EdgeRuntime } from 'edge-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_COOKIE } from '../../src/next/access-cookie.js';
import { RUNTIME_CONDITIONS, resolveVerifyExport } from '../verify/support/bundle.js';
import {
  AUDIENCE,
  ISSUER,
  ORIGIN,
  forgedUnderRealKid,
  signUp,
  useBinding,
} from './binding-support.js';

const ROOT = new URL('../../', import.meta.url);
const binding = useBinding();
let jwks: Server;
let runtime: EdgeRuntime;

/** The guard function bundled as Next bundles an edge route: sources from src/, `edge-light` exports. */
async function bundleGuard(): Promise<string> {
  const { rolldown } = await import('rolldown');
  const verify = resolveVerifyExport(RUNTIME_CONDITIONS['edge-light']);
  const sources: Record<string, string> = {
    'tessera-auth/verify': verify.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'),
    'tessera-auth/next/proxy-guard': 'src/next/proxy-guard.ts',
    'tessera-auth/next/request-session': 'src/next/request-session.ts',
  };
  const bundle = await rolldown({
    input: fileURLToPath(new URL('test/next/edge/guard-function.js', ROOT)),
    platform: 'browser',
    logLevel: 'silent',
    plugins: [
      {
        name: 'tessera-auth-sources',
        resolveId: (id) => {
          const source = sources[id];
          return source === undefined ? null : fileURLToPath(new URL(source, ROOT));
        },
      },
    ],
  });
  const { output } = await bundle.generate({ format: 'iife' });
  await bundle.close();
  return output[0].code;
}

beforeAll(async () => {
  jwks = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(binding().server.keyring.jwks()));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const { port } = jwks.address() as AddressInfo;
  const config = {
    ISSUER,
    AUDIENCE,
    JWKS_URL: `http://localhost:${port}/.well-known/jwks.json`,
  };
  runtime = new EdgeRuntime({
    initialCode: `globalThis.EDGE_CONFIG = ${JSON.stringify(config)};\n${await bundleGuard()}`,
  });
});

afterAll(async () => {
  await new Promise((resolve) => jwks?.close(resolve));
});

const ask = (path: string, headers: Record<string, string>, method = 'GET'): Promise<Response> =>
  runtime.dispatchFetch(`${ORIGIN}${path}`, { method, headers });
const cookie = (token: string): string => `${ACCESS_COOKIE}=${token}`;
const codeOf = async (response: Response): Promise<string> =>
  ((await response.json()) as { code: string }).code;

describe('the tessera-auth/next proxy guard in the edge runtime', () => {
  it('runs without Buffer, on Web Crypto, and lets a valid access cookie through', async () => {
    expect(runtime.evaluate('typeof Buffer')).toBe('undefined');
    const { access, userId } = await signUp(binding());
    const answer = await ask('/dashboard', { cookie: cookie(access) });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ through: true, userId, backend: 'web' });
  });

  it('sends a navigation without a session through /auth/resume, and answers a script with 401', async () => {
    const navigation = await ask('/dashboard/a?b=1', { 'sec-fetch-mode': 'navigate' });
    expect(navigation.status).toBe(307);
    expect(navigation.headers.get('location')).toBe(
      `${ORIGIN}/auth/resume?to=%2Fdashboard%2Fa%3Fb%3D1`,
    );
    const script = await ask('/dashboard', { 'sec-fetch-mode': 'cors' });
    expect(script.status).toBe(401);
    expect(script.headers.get('content-type')).toBe('application/problem+json');
    expect(await codeOf(script)).toBe('TOKEN_MISSING');
  });

  it('refuses a cookie signed by another key under the real kid, as on Node', async () => {
    const { userId } = await signUp(binding());
    const forged = await forgedUnderRealKid(binding(), userId);
    const script = await ask('/dashboard', { cookie: cookie(forged), 'sec-fetch-mode': 'cors' });
    expect(script.status).toBe(401);
    expect(await codeOf(script)).toBe('SIGNATURE_INVALID');
    const navigation = await ask('/dashboard', {
      cookie: cookie(forged),
      'sec-fetch-mode': 'navigate',
    });
    expect(navigation.status).toBe(307);
  });

  it('applies the CSRF rules to a cookie-authenticated POST', async () => {
    const { access, userId } = await signUp(binding());
    const crossSite = await ask(
      '/dashboard',
      { cookie: cookie(access), origin: 'https://evil.example', 'tessera-csrf': '1' },
      'POST',
    );
    expect(crossSite.status).toBe(403);
    expect(await codeOf(crossSite)).toBe('CSRF_FAILED');
    const noHeader = await ask('/dashboard', { cookie: cookie(access), origin: ORIGIN }, 'POST');
    expect(await codeOf(noHeader)).toBe('CSRF_FAILED');
    const allowed = await ask(
      '/dashboard',
      { cookie: cookie(access), origin: ORIGIN, 'tessera-csrf': '1' },
      'POST',
    );
    expect(await allowed.json()).toEqual({ through: true, userId, backend: 'web' });
  });
});
