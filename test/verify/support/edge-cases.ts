// Real Tessera tokens for the tessera-auth/verify suites: a real keyring per algorithm, signed by the real
// signer, its JWKS served by a real local HTTP server, and each attack built by hand from a real token.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Keyring,
  createAccessTokenSigner,
  generateKeyMaterial,
  type ErrorCode,
} from '../../../src/index.js';
import type { PublishableAlgorithm } from '../../../src/jwa/algorithms.js';
import { P256_N, b64u, p1363, segment, splitRS } from '../../support/forge.js';

export const EDGE_ISSUER = 'https://auth.edge.test';
export const EDGE_AUDIENCE = 'edge-api';
export const EDGE_ALGORITHMS: readonly PublishableAlgorithm[] = [
  'ES256',
  'EdDSA',
  'RS256',
  'PS256',
];

/** One request to send and the exact answer expected: 200 with the subject, or a status and code. */
export interface EdgeCase {
  readonly name: string;
  readonly alg: PublishableAlgorithm;
  /** Which guard answers: the one on the live JWKS, or the one whose JWKS server is down. */
  readonly jwks: 'live' | 'down';
  readonly token: string;
  readonly expect:
    | { readonly status: 200; readonly sub: string }
    | { readonly status: number; readonly code: ErrorCode };
}

/** The keyrings, their JWKS (one set holding every algorithm's key) and every case. */
export interface EdgeCorpus {
  readonly jwks: { keys: unknown[] };
  readonly cases: readonly EdgeCase[];
}

/** Builds the corpus on the real clock (edge runtimes have their own, unmockable). */
export async function buildEdgeCorpus(): Promise<EdgeCorpus> {
  const now = Date.now();
  const jwks: { keys: unknown[] } = { keys: [] };
  const cases: EdgeCase[] = [];
  for (const alg of EDGE_ALGORITHMS) {
    const key = await generateKeyMaterial({ alg });
    const stranger = await generateKeyMaterial({ alg });
    const keyring = new Keyring({
      entries: [{ key, createdAt: now - 60_000, activatesAt: now - 60_000 }],
    });
    jwks.keys.push(...keyring.jwks().keys);
    const base = { keys: keyring, issuer: EDGE_ISSUER, audience: EDGE_AUDIENCE };
    const claims = { sub: `user-${alg}`, sid: `sess-${alg}`, clientId: 'web' };
    const valid = createAccessTokenSigner(base)(claims).token;
    const expired = createAccessTokenSigner({ ...base, now: () => now - 3 * 3600_000 })(
      claims,
    ).token;
    const otherAudience = createAccessTokenSigner({ ...base, audience: 'another-api' })(
      claims,
    ).token;
    const strangerKeyring = new Keyring({
      entries: [{ key: stranger, createdAt: 0, activatesAt: 0 }],
    });
    const unknownKid = createAccessTokenSigner({ ...base, keys: strangerKeyring })(claims).token;
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const raised = segment({
      ...JSON.parse(Buffer.from(payload, 'base64url').toString()),
      sub: 'admin',
    });
    const add = (
      name: string,
      token: string,
      expect: EdgeCase['expect'],
      jwksSide: EdgeCase['jwks'] = 'live',
    ): void => {
      cases.push({ name: `${alg} ${name}`, alg, jwks: jwksSide, token, expect });
    };
    add('valid token', valid, { status: 200, sub: claims.sub });
    add('expired', expired, { status: 401, code: 'TOKEN_EXPIRED' });
    add('wrong audience', otherAudience, { status: 401, code: 'AUDIENCE_MISMATCH' });
    add('forged signature (payload swapped after signing)', `${header}.${raised}.${signature}`, {
      status: 401,
      code: 'SIGNATURE_INVALID',
    });
    add('alg none', `${segment({ alg: 'none', typ: 'at+jwt', kid: key.kid })}.${payload}.`, {
      status: 401,
      code: 'ALGORITHM_NOT_ALLOWED',
    });
    add('unknown kid', unknownKid, { status: 401, code: 'KEY_UNKNOWN' });
    add('JWKS down', valid, { status: 503, code: 'JWKS_UNAVAILABLE' }, 'down');
    if (alg === 'ES256') {
      const { r, s } = splitRS(Buffer.from(signature, 'base64url'));
      add(
        'high-S twin of a valid signature',
        `${header}.${payload}.${b64u(p1363(r, P256_N - s))}`,
        {
          status: 401,
          code: 'SIGNATURE_INVALID',
        },
      );
    }
  }
  return { jwks, cases };
}

/** A real HTTP server publishing `jwks` at /jwks, and a URL on a port where nothing listens. */
export interface JwksServers {
  readonly liveUrl: string;
  readonly downUrl: string;
  close(): Promise<void>;
}

export async function startJwksServers(jwks: unknown): Promise<JwksServers> {
  const body = JSON.stringify(jwks);
  const live = createServer((request, response) => {
    if (request.url !== '/jwks') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(body);
  });
  const closed = createServer();
  const port = async (server: Server): Promise<number> => {
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return (server.address() as AddressInfo).port;
  };
  const livePort = await port(live);
  // Take a free port, then free it again: nothing listens there for the test's lifetime.
  const downPort = await port(closed);
  await new Promise<void>((done) => closed.close(() => done()));
  return {
    liveUrl: `http://127.0.0.1:${livePort}/jwks`,
    downUrl: `http://127.0.0.1:${downPort}/jwks`,
    close: () => new Promise<void>((done) => live.close(() => done())),
  };
}
