// tessera-auth/verify on Node, both flavours side by side: the node:crypto one (the `node` condition) and
// the Web Crypto one (every edge condition), against a hostile or broken JWKS served by a real HTTP
// server. The same key is refused for the same reason with the same code on both, configuration
// mistakes fail when the guard is built, and a revocation view that refreshes on demand is awaited.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Algorithm, ErrorCode } from '../../src/index.js';
import * as nodeFlavour from '../../src/verify/node.js';
import * as webFlavour from '../../src/verify/web.js';
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

const FLAVOURS = [
  ['node', nodeFlavour],
  ['web', webFlavour],
] as const;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;
const routes = new Map<string, Handler>();
let base = '';
const server = createServer((request, response) => {
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

function serve(
  path: string,
  body: string,
  status = 200,
  headers: Record<string, string> = {},
): string {
  routes.set(path, (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
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
    const { r, s } = splitRS(signature);
    return s > P256_N / 2n ? p1363(r, P256_N - s) : signature;
  });
}

const es256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
const ed25519 = generateKeyPairSync('ed25519');
const goodJwk = publicJwk(es256.publicKey, { kid: 'good', alg: 'ES256', use: 'sig' });
const good = tokenFor('ES256', es256.privateKey, 'good');

/** Hostile sets: each publishes `kid` unfit, beside the good key; the token names `kid`. */
const UNFIT: readonly (readonly [string, Record<string, unknown>, string, KeyObject, Algorithm])[] =
  [
    [
      'a 1024-bit RSA key as RS256',
      publicJwk(rsa1024.publicKey, { alg: 'RS256' }),
      '2048',
      rsa1024.privateKey,
      'RS256',
    ],
    [
      'an Ed25519 key labelled RS256',
      publicJwk(ed25519.publicKey, { alg: 'RS256' }),
      'kty "RSA"',
      ed25519.privateKey,
      'EdDSA',
    ],
    [
      'a P-384 key labelled ES256',
      publicJwk(p384.publicKey, { alg: 'ES256' }),
      'crv "P-256"',
      es256.privateKey,
      'ES256',
    ],
    [
      'a key with its private member d',
      { ...(es256.privateKey.export({ format: 'jwk' }) as object), alg: 'ES256' },
      'private key members (d)',
      es256.privateKey,
      'ES256',
    ],
    [
      'a key for encryption (use: enc)',
      publicJwk(es256.publicKey, { alg: 'ES256', use: 'enc' }),
      '"enc"',
      es256.privateKey,
      'ES256',
    ],
    ['a key without alg', publicJwk(es256.publicKey, {}), 'no "alg"', es256.privateKey, 'ES256'],
    [
      'x as a number',
      { ...publicJwk(es256.publicKey, { alg: 'ES256' }), x: 1 },
      '"x" is missing or not a string',
      es256.privateKey,
      'ES256',
    ],
    [
      'a point that is not on the curve',
      { ...publicJwk(es256.publicKey, { alg: 'ES256' }), y: 'A'.repeat(43) },
      'not a valid EC public key',
      es256.privateKey,
      'ES256',
    ],
  ];

const big = JSON.stringify({ keys: [goodJwk], pad: 'x'.repeat(300 * 1024) });

/** Broken sets and servers: the good token is told about the outage, with its own code, never KEY_UNKNOWN. */
const BROKEN: readonly (readonly [string, () => string, ErrorCode, string])[] = [
  ['not JSON', () => serve('/html', '<html>'), 'JWKS_INVALID', 'not JSON'],
  ['no keys array', () => serve('/no-keys', '{"keys":"none"}'), 'JWKS_INVALID', '"keys" array'],
  [
    '101 keys',
    () => serve('/many', JSON.stringify({ keys: Array.from({ length: 101 }, () => goodJwk) })),
    'JWKS_INVALID',
    '101 keys',
  ],
  ['a body over the size cap', () => serve('/big', big), 'JWKS_INVALID', 'larger than'],
  [
    'a redirect',
    () => serve('/moved', '', 302, { location: '/elsewhere' }),
    'JWKS_UNAVAILABLE',
    'HTTP 302',
  ],
  ['HTTP 500', () => serve('/error', '', 500), 'JWKS_UNAVAILABLE', 'HTTP 500'],
  [
    'a refused connection',
    () => 'http://127.0.0.1:1/jwks',
    'JWKS_UNAVAILABLE',
    'could not be reached',
  ],
];

describe.each(FLAVOURS)('tessera-auth/verify, %s flavour', (name, flavour) => {
  const guardFor = (jwksUrl: string): ReturnType<typeof flavour.createGuard> =>
    flavour.createGuard({ issuer: ISSUER, audience: AUDIENCE, jwksUrl });
  const answer = async (
    jwksUrl: string,
    token: string,
  ): Promise<{ status: number; code?: string; detail?: string }> => {
    const result = await guardFor(jwksUrl).authenticate(
      new Request('https://api.test/', { headers: { authorization: `Bearer ${token}` } }),
    );
    if (result.ok) return { status: 200 };
    expect(result.error.message).not.toContain(token.split('.')[2]);
    const body = (await result.response.json()) as { code: string; detail: string };
    expect(body.code).toBe(result.error.code);
    return { status: result.response.status, code: body.code, detail: body.detail };
  };

  it('reports its backend', () => {
    expect(guardFor(serve('/named', '{"keys":[]}')).verifier.backend).toBe(name);
  });

  it('accepts a fit key published beside unfit ones', async () => {
    const url = serve(
      '/mixed',
      JSON.stringify({
        keys: [goodJwk, ...UNFIT.map(([, jwk], i) => ({ ...jwk, kid: `bad-${i}` }))],
      }),
    );
    expect(await answer(url, good)).toEqual({ status: 200 });
  });

  it.each(UNFIT)(
    'refuses %s, and its tokens, with KEY_UNFIT',
    async (_label, jwk, words, privateKey, alg) => {
      const url = serve(
        `/unfit-${encodeURIComponent(words)}`,
        JSON.stringify({ keys: [goodJwk, { ...jwk, kid: 'bad' }] }),
      );
      const result = await answer(url, tokenFor(alg, privateKey, 'bad'));
      expect(result).toMatchObject({ status: 401, code: 'KEY_UNFIT' });
      expect(result.detail).toContain(words);
    },
  );

  it('refuses a kid published twice with KEY_UNFIT', async () => {
    const url = serve('/twice', JSON.stringify({ keys: [goodJwk, goodJwk] }));
    expect(await answer(url, good)).toMatchObject({ status: 401, code: 'KEY_UNFIT' });
  });

  it.each(BROKEN)('answers %s with its own code', async (_label, route, code, words) => {
    const result = await answer(route(), good);
    expect(result).toMatchObject({ status: 503, code });
    expect(result.detail).toContain(words);
  });

  it('answers a JWKS that stalls past the timeout with JWKS_UNAVAILABLE', async () => {
    routes.set('/stall', () => undefined);
    const guard = flavour.createGuard({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUrl: `${base}/stall`,
      jwks: { timeoutSeconds: 0.2 },
    });
    const result = await guard.authenticate(
      new Request('https://api.test/', { headers: { authorization: `Bearer ${good}` } }),
    );
    expect(result.ok ? 'accepted' : [result.error.code, result.error.message]).toEqual([
      'JWKS_UNAVAILABLE',
      expect.stringContaining('did not answer within 0.2 s'),
    ]);
  });

  it('refuses a token in the URL and a missing one, as the server does', async () => {
    const guard = guardFor(serve('/plain', JSON.stringify({ keys: [goodJwk] })));
    const inUrl = await guard.authenticate(new Request(`https://api.test/?access_token=${good}`));
    const missing = await guard.authenticate(new Request('https://api.test/'));
    expect([inUrl.ok || inUrl.error.code, missing.ok || missing.error.code]).toEqual([
      'TOKEN_IN_URL',
      'TOKEN_MISSING',
    ]);
    expect(missing.ok || missing.response.headers.get('www-authenticate')).toBe(
      'Bearer realm="tessera"',
    );
  });

  it.each([
    ['no issuer', { issuer: '', audience: AUDIENCE, jwksUrl: 'https://auth.test/jwks' }],
    ['no audience', { issuer: ISSUER, audience: '', jwksUrl: 'https://auth.test/jwks' }],
    ['no jwksUrl', { issuer: ISSUER, audience: AUDIENCE }],
    [
      'a plain-HTTP jwksUrl off loopback',
      { issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'http://auth.example.com/jwks' },
    ],
    ['a jwksUrl that is not a URL', { issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'not a url' }],
  ])('refuses %s when the guard is built, with CONFIG_INVALID', (_label, options) => {
    expect(() => flavour.createGuard(options as Parameters<typeof flavour.createGuard>[0])).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('awaits a revocation view that refreshes on demand, then lets it refuse the session', async () => {
    const events: string[] = [];
    let revoked = false;
    const guard = flavour.createGuard({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUrl: serve('/revocable', JSON.stringify({ keys: [goodJwk] })),
      revocations: {
        async refresh() {
          await new Promise((resolve) => setTimeout(resolve, 10));
          events.push('refreshed');
          revoked = true;
        },
        assertNotRevoked(claims) {
          events.push(`checked ${claims.sid}`);
          if (revoked)
            throw new nodeFlavour.TesseraError('TOKEN_REVOKED', 'The session was revoked.');
        },
      },
    });
    const result = await guard.authenticate(
      new Request('https://api.test/', { headers: { authorization: `Bearer ${good}` } }),
    );
    expect(result.ok || [result.error.code, result.response.status]).toEqual([
      'TOKEN_REVOKED',
      401,
    ]);
    expect(events).toEqual(['refreshed', 'checked sess-1']);
    expect(guard.followsRevocations).toBe(true);
  });

  it('a failed on-demand refresh is not the answer: the view itself decides', async () => {
    const guard = flavour.createGuard({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUrl: serve('/refresh-fails', JSON.stringify({ keys: [goodJwk] })),
      revocations: {
        refresh: () => Promise.reject(new Error('feed unreachable')),
        assertNotRevoked: () => undefined,
      },
    });
    const result = await guard.authenticate(
      new Request('https://api.test/', { headers: { authorization: `Bearer ${good}` } }),
    );
    expect(result.ok).toBe(true);
  });
});

describe('the shape of the answer', () => {
  it('node:crypto answers synchronously once the key is known; Web Crypto with a Promise', async () => {
    const url = serve('/shape', JSON.stringify({ keys: [goodJwk] }));
    const shapes: Record<string, string> = {};
    for (const [name, flavour] of FLAVOURS) {
      const verifier = flavour.createVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        jwksUrl: url,
        cacheSize: 0,
      });
      await verifier.refresh();
      const answer = verifier.verify(good);
      shapes[name] =
        typeof (answer as { then?: unknown }).then === 'function' ? 'promise' : 'claims';
      expect((await answer).sub).toBe('user-1');
    }
    expect(shapes).toEqual({ node: 'claims', web: 'promise' });
  });
});
