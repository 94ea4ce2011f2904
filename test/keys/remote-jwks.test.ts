// A hostile or broken JWKS, served by a real HTTP server: every published key gets the fit check of a
// local key, every fetch failure its own code, and none of it turns into "unknown key" or a 500.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResourceGuard, createRemoteJwks, type ErrorCode } from '../../src/index.js';
import {
  AUDIENCE,
  ISSUER,
  P256_N,
  claimsAt,
  forge,
  p1363,
  rawSign,
  segment,
  splitRS,
} from '../support/forge.js';
import type { Algorithm } from '../../src/index.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;
const routes = new Map<string, Handler>();
const requested: string[] = [];
let base = '';
const server = createServer((request, response) => {
  requested.push(request.url ?? '');
  const handler = routes.get(request.url ?? '');
  if (handler === undefined) response.writeHead(404).end();
  else handler(request, response);
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function serveJson(path: string, body: unknown): string {
  routes.set(path, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  return `${base}${path}`;
}

function publicJwk(key: KeyObject, extra: Record<string, unknown>): Record<string, unknown> {
  return { ...(key.export({ format: 'jwk' }) as Record<string, unknown>), ...extra };
}

function tokenFor(alg: Algorithm, privateKey: KeyObject, kid: string): string {
  const nowS = Math.floor(Date.now() / 1000);
  return forge(segment({ alg, typ: 'at+jwt', kid }), segment(claimsAt(nowS)), (input) => {
    const signature = rawSign(alg, privateKey, input);
    if (alg !== 'ES256') return signature;
    // Tessera's verifier takes the canonical (low-S) form only, as its signer writes.
    const { r, s } = splitRS(signature);
    return s > P256_N / 2n ? p1363(r, P256_N - s) : signature;
  });
}

async function outcome(
  url: string,
  token: string,
  extra: { jwks?: { timeoutSeconds: number } } = {},
): Promise<{ status: number; code: ErrorCode | undefined; message: string }> {
  const guard = createResourceGuard({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: url, ...extra });
  const result = await guard.check({ url: 'https://api.test/', authorization: `Bearer ${token}` });
  if (result.ok) return { status: 200, code: undefined, message: '' };
  expect(result.error.message).not.toContain(token.split('.')[2]);
  return { status: result.problem.status, code: result.error.code, message: result.error.message };
}

const es256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const goodJwk = publicJwk(es256.publicKey, { kid: 'good', alg: 'ES256', use: 'sig' });

describe('keys a JWKS publishes are checked like local keys', () => {
  it('accepts a fit key published beside unfit ones', async () => {
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const url = serveJson('/mixed', {
      keys: [goodJwk, publicJwk(rsa1024.publicKey, { kid: 'weak', alg: 'RS256' })],
    });
    expect(await outcome(url, tokenFor('ES256', es256.privateKey, 'good'))).toMatchObject({
      status: 200,
    });
  });

  it('refuses a 1024-bit RSA key published as RS256, and its tokens with KEY_UNFIT', async () => {
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const url = serveJson('/rsa1024', {
      keys: [publicJwk(rsa1024.publicKey, { kid: 'weak', alg: 'RS256' })],
    });
    const result = await outcome(url, tokenFor('RS256', rsa1024.privateKey, 'weak'));
    expect(result).toMatchObject({ status: 401, code: 'KEY_UNFIT' });
    expect(result.message).toContain('2048');
  });

  it('refuses an Ed25519 key labelled RS256 with KEY_UNFIT, not a crypto error and a 500', async () => {
    const ed = generateKeyPairSync('ed25519');
    const url = serveJson('/mislabelled', {
      keys: [publicJwk(ed.publicKey, { kid: 'ed', alg: 'RS256' })],
    });
    const result = await outcome(
      url,
      tokenFor('EdDSA', ed.privateKey, 'ed').replace(
        /^[^.]+/,
        segment({ alg: 'RS256', typ: 'at+jwt', kid: 'ed' }),
      ),
    );
    expect(result).toMatchObject({ status: 401, code: 'KEY_UNFIT' });
    expect(result.message).toContain('kty "RSA"');
  });

  const unfit: [string, Record<string, unknown>, string][] = [
    ['use "enc"', { ...goodJwk, use: 'enc' }, '"use"'],
    ['private members', publicJwk(es256.privateKey, { kid: 'good', alg: 'ES256' }), 'private'],
    ['key_ops without verify', { ...goodJwk, key_ops: ['encrypt'] }, 'key_ops'],
    ['no alg', { ...goodJwk, alg: undefined }, '"alg"'],
    ['alg HS256', { ...goodJwk, alg: 'HS256' }, '"alg"'],
    ['wrong curve', { ...goodJwk, crv: 'P-384' }, 'crv'],
    ['a number where x belongs', { ...goodJwk, x: 12345 }, '"x"'],
    ['a point off the curve', { ...goodJwk, x: goodJwk.y }, 'not a valid'],
  ];
  for (const [name, jwk, words] of unfit) {
    it(`refuses a key with ${name}`, async () => {
      const url = serveJson(`/unfit-${name.replace(/\W+/g, '-')}`, { keys: [jwk] });
      const result = await outcome(url, tokenFor('ES256', es256.privateKey, 'good'));
      expect(result).toMatchObject({ status: 401, code: 'KEY_UNFIT' });
      expect(result.message).toContain(words);
    });
  }

  it('refuses a kid published twice, even when one of the two is the signing key', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const url = serveJson('/duplicate', {
      keys: [goodJwk, publicJwk(other.publicKey, { kid: 'good', alg: 'ES256' })],
    });
    const result = await outcome(url, tokenFor('ES256', es256.privateKey, 'good'));
    expect(result).toMatchObject({ status: 401, code: 'KEY_UNFIT' });
    expect(result.message).toContain('twice');
  });

  it('still answers KEY_UNKNOWN for a kid the set does not publish', async () => {
    const url = serveJson('/unknown', { keys: [goodJwk] });
    const result = await outcome(url, tokenFor('ES256', es256.privateKey, 'someone-else'));
    expect(result).toMatchObject({ status: 401, code: 'KEY_UNKNOWN' });
  });
});

describe('a JWKS that cannot be read says so, with its own code', () => {
  const token = tokenFor('ES256', es256.privateKey, 'good');

  it('a redirect is refused and never followed', async () => {
    serveJson('/moved-here', { keys: [goodJwk] });
    routes.set('/moved', (_request, response) =>
      response.writeHead(302, { location: `${base}/moved-here` }).end(),
    );
    requested.length = 0;
    const result = await outcome(`${base}/moved`, token);
    expect(result).toMatchObject({ status: 503, code: 'JWKS_UNAVAILABLE' });
    expect(result.message).toContain('HTTP 302');
    expect(requested).toEqual(['/moved']);
  });

  it('an error status', async () => {
    routes.set('/error', (_request, response) => response.writeHead(500).end('oops'));
    expect(await outcome(`${base}/error`, token)).toMatchObject({
      status: 503,
      code: 'JWKS_UNAVAILABLE',
      message: expect.stringContaining('HTTP 500'),
    });
  });

  it('a server that never answers, within the timeout', async () => {
    routes.set('/stall', () => undefined);
    expect(await outcome(`${base}/stall`, token, { jwks: { timeoutSeconds: 0.2 } })).toMatchObject({
      status: 503,
      code: 'JWKS_UNAVAILABLE',
      message: expect.stringContaining('did not answer within 0.2 s'),
    });
  });

  it('a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await outcome(`http://127.0.0.1:${port}/jwks`, token)).toMatchObject({
      status: 503,
      code: 'JWKS_UNAVAILABLE',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('a body that is not JSON', async () => {
    routes.set('/html', (_request, response) => response.writeHead(200).end('<html>login</html>'));
    expect(await outcome(`${base}/html`, token)).toMatchObject({
      status: 503,
      code: 'JWKS_INVALID',
      message: expect.stringContaining('not JSON'),
    });
  });

  it('an oversized body, declared or streamed without a length', async () => {
    const huge = JSON.stringify({ keys: [goodJwk], padding: 'x'.repeat(300 * 1024) });
    routes.set('/huge', (_request, response) => response.writeHead(200).end(huge));
    routes.set('/huge-chunked', (_request, response) => {
      response.writeHead(200, { 'transfer-encoding': 'chunked' });
      for (let i = 0; i < 40; i += 1) response.write('x'.repeat(16 * 1024));
      response.end();
    });
    for (const path of ['/huge', '/huge-chunked'])
      expect(await outcome(`${base}${path}`, token)).toMatchObject({
        status: 503,
        code: 'JWKS_INVALID',
        message: expect.stringContaining('larger than'),
      });
  });

  it('a set without a keys array, or with too many keys', async () => {
    expect(await outcome(serveJson('/no-keys', { keys: 'none' }), token)).toMatchObject({
      status: 503,
      code: 'JWKS_INVALID',
    });
    const many = Array.from({ length: 101 }, (_, i) => ({ ...goodJwk, kid: `k${i}` }));
    expect(await outcome(serveJson('/many', { keys: many }), token)).toMatchObject({
      status: 503,
      code: 'JWKS_INVALID',
      message: expect.stringContaining('101 keys'),
    });
  });
});

describe('a fetch failure after a good fetch', () => {
  it('keeps the known keys, so a blip at the auth server logs nobody out', async () => {
    let healthy = true;
    routes.set('/flaky', (_request, response) => {
      if (healthy)
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ keys: [goodJwk] }));
      else response.writeHead(503).end();
    });
    let clock = Date.now();
    const guard = createResourceGuard({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUrl: `${base}/flaky`,
      now: () => clock,
    });
    const token = tokenFor('ES256', es256.privateKey, 'good');
    const check = () => guard.check({ url: 'https://api.test/', authorization: `Bearer ${token}` });
    expect((await check()).ok).toBe(true);
    healthy = false;
    clock += 10 * 60_000; // past maxAge: a background re-fetch runs and fails
    expect((await check()).ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await check()).ok).toBe(true);
  });

  it('tells a token with an unseen kid about the outage, not an unknown key', async () => {
    routes.set('/down', (_request, response) => response.writeHead(503).end());
    const jwks = createRemoteJwks({ url: `${base}/down` });
    await expect(jwks.refresh()).rejects.toMatchObject({ code: 'JWKS_UNAVAILABLE' });
    await expect(jwks.learn('new-kid')).rejects.toMatchObject({ code: 'JWKS_UNAVAILABLE' });
  });
});

describe('configuration', () => {
  for (const jwksUrl of ['not a url', 'http://auth.example.com/jwks', 'ftp://auth.example.com/'])
    it(`refuses jwksUrl ${JSON.stringify(jwksUrl)} when the guard is built`, () => {
      expect(() => createResourceGuard({ issuer: ISSUER, audience: AUDIENCE, jwksUrl })).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
    });
});
