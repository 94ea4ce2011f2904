// tessera-auth/verify's Web Crypto backend (the flavour workerd, Vercel's edge runtime, Deno and browsers
// load) next to jose on the same runtime: Node's Web Crypto (globalThis.crypto.subtle). Both get the same
// distinct tokens (many users), a prepared key, and are awaited one at a time and with 64 in flight.
//   web          createVerifier from dist/verify/web.js, JWKS fetched once from a local server, cache off
//   jose         jwtVerify with the same CryptoKey type jose imports itself (importJWK), typ at+jwt
//   node flavour createVerifier from dist/verify/node.js (node:crypto, synchronous), for scale
// Tessera checks more than jose (strict base64url and JSON, claim types, lifetime, low-S), so it is not
// given an easier job. The Node backend's own speed is the `verify` section (compare its tessera rows).
import { createServer } from 'node:http';
import { importJWK, jwtVerify } from 'jose';
import { Keyring, createAccessTokenSigner, generateKeyMaterial } from '../dist/index.js';
import * as webFlavour from '../dist/verify/web.js';
import * as nodeFlavour from '../dist/verify/node.js';
import {
  collectGarbage,
  formatRate,
  formatTable,
  measureInterleaved,
  pairedRatio,
  roundRatio,
} from './lib/stats.js';

const ISSUER = 'https://auth.example.com';
const AUDIENCE = 'https://api.example.com';
const ALGORITHMS = ['ES256', 'EdDSA', 'RS256', 'PS256'];
const IN_FLIGHT = 64;
const CONTENDERS = ['webSerial', 'web64', 'joseSerial', 'jose64', 'nodeFlavour'];
const LABELS = {
  webSerial: 'tessera web await',
  web64: `tessera web x${IN_FLIGHT}`,
  joseSerial: 'jose await',
  jose64: `jose x${IN_FLIGHT}`,
  nodeFlavour: 'tessera node flavour',
};

/** Runs the section. Returns per algorithm ops/s and the web-to-jose ratios (await and x64). */
export async function run({ quick, log }) {
  const settings = quick ? { tokens: 1000, rounds: 3 } : { tokens: 3000, rounds: 9 };
  log(
    `${settings.tokens} distinct tokens per algorithm, ${settings.rounds} rounds interleaved; Web Crypto is Node ${process.version}'s.`,
  );
  const algorithms = {};
  for (const alg of ALGORITHMS) algorithms[alg] = await measureAlgorithm(alg, settings);
  const rows = [['alg', 'contender', 'wall ops/s', 'spread', 'x jose (same mode)', 'cpu ops/s']];
  for (const alg of ALGORITHMS) {
    for (const name of CONTENDERS) {
      const figure = algorithms[alg][name];
      rows.push([
        alg,
        LABELS[name],
        formatRate(figure.opsPerSec),
        `±${figure.spreadPct}%`,
        figure.ratioToJose
          ? `${figure.ratioToJose.median.toFixed(2)}x ±${figure.ratioToJose.spreadPct}%`
          : '',
        formatRate(figure.cpuOpsPerSec),
      ]);
    }
  }
  for (const line of formatTable(rows)) log(line);
  return { tokens: settings.tokens, rounds: settings.rounds, algorithms };
}

async function measureAlgorithm(alg, settings) {
  const { tokens, verifiers, close } = await prepare(alg, settings.tokens);
  try {
    const contenders = [];
    for (const name of CONTENDERS) {
      for (const token of tokens.slice(0, 16)) await verifiers[name](token);
      contenders.push({ name, pass: makePass(name, verifiers[name], tokens) });
    }
    collectGarbage();
    const figures = await measureInterleaved({
      contenders,
      items: tokens.length,
      rounds: settings.rounds,
    });
    const peer = { webSerial: 'joseSerial', web64: 'jose64' };
    const result = {};
    for (const name of CONTENDERS) {
      const figure = figures[name];
      result[name] = {
        opsPerSec: Math.round(figure.median),
        spreadPct: figure.spreadPct,
        cpuOpsPerSec: Math.round(figure.cpu.median),
        ratioToJose: peer[name] ? roundRatio(pairedRatio(figure, figures[peer[name]])) : undefined,
      };
    }
    return result;
  } finally {
    await close();
  }
}

function makePass(name, verify, tokens) {
  if (name.endsWith('64')) {
    return async (from, to) => {
      let next = from;
      const worker = async () => {
        while (next < to) await verify(tokens[next++]);
      };
      await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, to - from) }, worker));
    };
  }
  if (name === 'nodeFlavour') {
    // Synchronous: no await per token, as an app on Node runs it.
    return (from, to) => {
      let accepted = 0;
      for (let i = from; i < to; i++) if (verify(tokens[i]).sub) accepted++;
      if (accepted !== to - from) throw new Error(`${name} accepted ${accepted} of ${to - from}`);
    };
  }
  return async (from, to) => {
    for (let i = from; i < to; i++) await verify(tokens[i]);
  };
}

async function prepare(alg, count) {
  const now = Date.now();
  const key = await generateKeyMaterial({ alg });
  const keyring = new Keyring({
    entries: [{ key, createdAt: now - 60_000, activatesAt: now - 60_000 }],
  });
  const sign = createAccessTokenSigner({ keys: keyring, issuer: ISSUER, audience: AUDIENCE });
  const tokens = [];
  for (let i = 0; i < count; i++)
    tokens.push(
      sign({ sub: `user-${i}`, sid: `sess-${i}-${now}`, clientId: 'web', scope: 'read write' })
        .token,
    );

  const body = JSON.stringify(keyring.jwks());
  const server = createServer((_request, response) =>
    response.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(body),
  );
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${server.address().port}/jwks`;
  const options = { issuer: ISSUER, audience: AUDIENCE, jwksUrl, cacheSize: 0 };
  const web = webFlavour.createVerifier(options);
  const node = nodeFlavour.createVerifier(options);
  await Promise.all([web.refresh(), node.refresh()]);
  const joseKey = await importJWK(keyring.jwks().keys[0], alg);
  const joseOptions = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt' };
  const jose = (token) => jwtVerify(token, joseKey, joseOptions);
  return {
    tokens,
    verifiers: {
      webSerial: (token) => web.verify(token),
      web64: (token) => web.verify(token),
      joseSerial: jose,
      jose64: jose,
      nodeFlavour: (token) => node.verify(token),
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
