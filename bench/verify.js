// Access-token verification next to its physical limit and its peers (issue 2).
// For each algorithm, one set of distinct tokens (many users: distinct sub, sid and jti) is verified by:
//   raw          the physical limit, see rawVerifier below
//   raw+JSON.parse  raw plus decoding and JSON.parse of the payload: the floor for any verifier that reads
//                claims (the "x floor" columns), so a ratio near it shows what is left to win; HS256 is
//                judged against it, since its MAC costs less than reading the claims
//   tessera      createAccessTokenVerifier with cacheSize 0, so this measures verification, not the cache
//   jose         jwtVerify awaited one at a time, and with 64 in flight (WebCrypto; work may run on the libuv pool)
//   fast-jwt     createVerifier, cache off
//   jsonwebtoken jwt.verify (no EdDSA support in jsonwebtoken 9, so n/a there)
// Every peer checks alg, signature, iss, aud, exp and nbf; jose and fast-jwt also check typ at+jwt as Tessera does.
// Tessera checks more (strict base64url and JSON, claim types, lifetime), so it is not given an easier job.
// Then the verified-token cache: Tessera with its cache warm, fed freshly built token strings as HTTP parsing
// produces them, against a bare Map.get with equally fresh keys.
import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual, verify as cryptoVerify, webcrypto } from 'node:crypto';
import { jwtVerify, importSPKI } from 'jose';
import { createVerifier } from 'fast-jwt';
import jsonwebtoken from 'jsonwebtoken';
import {
  Keyring,
  createAccessTokenSigner,
  createAccessTokenVerifier,
  generateKeyMaterial,
} from '../dist/index.js';
import {
  collectGarbage,
  formatRate,
  formatTable,
  measureInterleaved,
  pairedRatio,
  roundRatio,
} from './lib/stats.js';
import { measureCache } from './lib/verify-cache.js';

const ISSUER = 'https://auth.example.com';
const AUDIENCE = 'https://api.example.com';
const ALGORITHMS = ['EdDSA', 'ES256', 'RS256', 'HS256'];
const JOSE_IN_FLIGHT = 64;
const CONTENDERS = [
  'raw',
  'rawParse',
  'tessera',
  'joseSerial',
  'jose64',
  'fastJwt',
  'jsonwebtoken',
];
const LABELS = {
  raw: 'raw',
  rawParse: 'raw+JSON.parse',
  tessera: 'tessera',
  joseSerial: 'jose await',
  jose64: `jose x${JOSE_IN_FLIGHT}`,
  fastJwt: 'fast-jwt',
  jsonwebtoken: 'jsonwebtoken',
};
const TARGET_RATIO_TO_RAW = 0.9;
// HS256's floor is raw+JSON.parse: the MAC is so cheap that decoding and parsing the claims, which any
// verifier that reads claims must do, is a large share of the work.
const TARGET_HS256_RATIO_TO_FLOOR = 0.8;
const TARGET_CACHE_RATIO = 0.8;

/**
 * Runs the section. Returns { algorithms, cache, targets } with ops/s medians, spreads and ratios.
 */
export async function run({ quick, log }) {
  const settings = quick
    ? { tokens: 1000, rounds: 3, cacheTokens: 5000, cacheRounds: 5 }
    : { tokens: 3000, rounds: 9, cacheTokens: 20000, cacheRounds: 15 };
  log(
    `${settings.tokens} distinct tokens per algorithm, ${settings.rounds} rounds interleaved in slices of 128 tokens.`,
  );
  log(
    'ops/s: median over rounds, spread (max-min)/median. Ratios: median of per-slice ratios (same tokens, moments apart), spread = IQR.',
  );

  const algorithms = {};
  for (const alg of ALGORITHMS) algorithms[alg] = await measureAlgorithm(alg, settings);
  const cache = await measureCache({ ...settings, issuer: ISSUER, audience: AUDIENCE });
  const targets = judgeTargets(algorithms, cache);

  log(
    'wall = wall-clock ops/s (the figures the targets judge); cpu = ops per CPU-second of this process, steadier',
  );
  log(
    'when the shared machine preempts us (it counts libuv pool threads too, so jose x64 shows cost, not parallelism).',
  );
  const rows = [
    [
      'alg',
      'contender',
      'wall ops/s',
      'spread',
      'x raw',
      'x floor',
      'x fast-jwt',
      'cpu ops/s',
      'cpu x raw',
      'cpu x floor',
      'cpu x fast-jwt',
    ],
  ];
  for (const alg of ALGORITHMS) {
    for (const name of CONTENDERS) {
      const figure = algorithms[alg][name];
      if (figure === null) {
        rows.push([alg, LABELS[name], 'n/a']);
        continue;
      }
      const { cpu } = figure;
      rows.push([
        alg,
        LABELS[name],
        formatRate(figure.opsPerSec),
        `±${figure.spreadPct}%`,
        ratioText(figure.ratioToRaw),
        ratioText(figure.ratioToFloor),
        ratioText(figure.ratioToFastJwt),
        `${formatRate(cpu.opsPerSec)} ±${cpu.spreadPct}%`,
        ratioText(cpu.ratioToRaw),
        ratioText(cpu.ratioToFloor),
        ratioText(cpu.ratioToFastJwt),
      ]);
    }
  }
  for (const line of formatTable(rows)) log(line);
  log('');
  const cacheRows = [
    [
      `cache, ${cache.tokens} fresh token strings`,
      'wall ops/s',
      'spread',
      'x limit',
      'cpu ops/s',
      'cpu x limit',
    ],
  ];
  for (const [name, figure] of Object.entries(cache.contenders)) {
    const { cpu } = figure;
    cacheRows.push([
      name,
      formatRate(figure.opsPerSec),
      `±${figure.spreadPct}%`,
      ratioText(figure.ratioToLimit),
      `${formatRate(cpu.opsPerSec)} ±${cpu.spreadPct}%`,
      ratioText(cpu.ratioToLimit),
    ]);
  }
  for (const line of formatTable(cacheRows)) log(line);
  log('');
  log(
    'floor = raw+JSON.parse. Each target line ends with fast-jwt on the same measure, for scale.',
  );
  for (const [name, target] of Object.entries(targets)) {
    const peer =
      target.fastJwt === undefined
        ? ''
        : `; fast-jwt wall ${ratioText(target.fastJwt.value)} (cpu ${ratioText(target.fastJwt.cpuValue)})`;
    log(
      `${target.met ? 'met   ' : 'MISSED'}  ${name}: wall ${ratioText(target.value)} (cpu ${ratioText(target.cpuValue)}, ${target.cpuMet ? 'met' : 'missed'})${peer}`,
    );
  }
  return { tokens: settings.tokens, rounds: settings.rounds, algorithms, cache, targets };
}

function ratioText(ratio) {
  return ratio === undefined || ratio === null
    ? ''
    : `${ratio.median.toFixed(2)}x ±${ratio.spreadPct}%`;
}

async function measureAlgorithm(alg, settings) {
  const { tokens, verifiers } = await prepareAlgorithm(alg, settings.tokens);
  const contenders = [];
  for (const name of CONTENDERS) {
    const verifier = verifiers[name];
    if (verifier === undefined) continue;
    await assertAccepts(`${alg} ${LABELS[name]}`, verifier, tokens);
    contenders.push({ name, pass: makePass(name, verifier, tokens) });
  }
  collectGarbage();
  const figures = await measureInterleaved({
    contenders,
    items: tokens.length,
    rounds: settings.rounds,
  });
  const result = {};
  for (const name of CONTENDERS) {
    const figure = figures[name];
    if (figure === undefined) {
      result[name] = null;
      continue;
    }
    const describe = (own, raw, floor, fastJwt) => ({
      opsPerSec: Math.round(own.median),
      spreadPct: own.spreadPct,
      ratioToRaw: name === 'raw' ? undefined : roundRatio(pairedRatio(own, raw)),
      ratioToFloor:
        name === 'raw' || name === 'rawParse' ? undefined : roundRatio(pairedRatio(own, floor)),
      ratioToFastJwt: name === 'fastJwt' ? undefined : roundRatio(pairedRatio(own, fastJwt)),
    });
    result[name] = {
      ...describe(figure, figures.raw, figures.rawParse, figures.fastJwt),
      cpu: describe(figure.cpu, figures.raw.cpu, figures.rawParse.cpu, figures.fastJwt.cpu),
    };
  }
  return result;
}

// A peer that throws is not fast: every contender must accept every token before anything is timed.
async function assertAccepts(label, verifier, tokens) {
  for (const token of tokens) {
    let ok;
    try {
      ok = await verifier(token);
    } catch (error) {
      throw new Error(
        `${label} rejected a valid bench token: ${error?.code ?? ''} ${error?.message ?? error}`,
        { cause: error },
      );
    }
    if (!ok) throw new Error(`${label} rejected a valid bench token (returned ${String(ok)})`);
  }
}

function makePass(name, verifier, tokens) {
  if (name === 'joseSerial') {
    return async (from, to) => {
      for (let i = from; i < to; i++) await verifier(tokens[i]);
    };
  }
  if (name === 'jose64') return (from, to) => runPool(tokens, from, to, JOSE_IN_FLIGHT, verifier);
  // Results are counted so the engine cannot drop the call; a wrong count means a contender stopped accepting.
  return (from, to) => {
    let accepted = 0;
    for (let i = from; i < to; i++) if (verifier(tokens[i])) accepted++;
    if (accepted !== to - from)
      throw new Error(`${name} accepted ${accepted} of ${to - from} tokens`);
  };
}

async function runPool(items, from, to, inFlight, work) {
  let next = from;
  const worker = async () => {
    while (next < to) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, to - from) }, worker));
}

async function prepareAlgorithm(alg, count) {
  const now = Date.now();
  const key = await generateKeyMaterial({ alg });
  const keyring = new Keyring({
    entries: [{ key, createdAt: now - 60_000, activatesAt: now - 60_000 }],
  });
  const sign = createAccessTokenSigner({ keys: keyring, issuer: ISSUER, audience: AUDIENCE });
  const tokens = [];
  for (let i = 0; i < count; i++) {
    tokens.push(
      sign({
        sub: `user-${i}`,
        sid: `sess-${i}-${now}`,
        clientId: 'web',
        scope: 'read write',
        claims: { roles: ['member'] },
      }).token,
    );
  }

  const tessera = createAccessTokenVerifier({
    keys: keyring,
    issuer: ISSUER,
    audience: AUDIENCE,
    cacheSize: 0,
  });
  const secret = alg === 'HS256' ? key.publicKey.export() : undefined;
  const pem = alg === 'HS256' ? undefined : key.publicKey.export({ type: 'spki', format: 'pem' });
  // jose gets a prepared CryptoKey, so it does not re-import the key on every call.
  const joseKey =
    alg === 'HS256'
      ? await webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, [
          'verify',
        ])
      : await importSPKI(pem, alg);
  const joseOptions = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt' };
  const fastJwt = createVerifier({
    key: alg === 'HS256' ? secret : pem,
    algorithms: [alg],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
    checkTyp: 'at+jwt',
    cache: false,
  });
  const jwtOptions = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE };

  const verifiers = {
    raw: rawVerifier(alg, key.publicKey),
    rawParse: withPayloadParse(rawVerifier(alg, key.publicKey)),
    tessera: (token) => tessera.verify(token),
    joseSerial: (token) => jwtVerify(token, joseKey, joseOptions),
    jose64: (token) => jwtVerify(token, joseKey, joseOptions),
    fastJwt: (token) => fastJwt(token),
  };
  if (alg !== 'EdDSA')
    verifiers.jsonwebtoken = (token) => jsonwebtoken.verify(token, key.publicKey, jwtOptions);
  return { tokens, verifiers };
}

// raw: what any verifier minimally does per token, and nothing more: find the last dot, Buffer.from the
// signing input (latin1), base64url-decode the signature with Node's lenient decoder, then one
// crypto.verify with a prepared KeyObject (ES256: dsaEncoding ieee-p1363, so no DER conversion; options
// object built once) or, for HS256, createHmac(...).update(input).digest() + length check + timingSafeEqual.
// No header parsing, no kid lookup, no JSON, no claims, no clock.
function rawVerifier(alg, key) {
  const split = (token) => {
    const dot = token.lastIndexOf('.');
    return [
      Buffer.from(token.slice(0, dot), 'latin1'),
      Buffer.from(token.slice(dot + 1), 'base64url'),
    ];
  };
  switch (alg) {
    case 'EdDSA':
      return (token) => {
        const [data, signature] = split(token);
        return cryptoVerify(null, data, key, signature);
      };
    case 'ES256': {
      const options = { key, dsaEncoding: 'ieee-p1363' };
      return (token) => {
        const [data, signature] = split(token);
        return cryptoVerify('sha256', data, options, signature);
      };
    }
    case 'RS256':
      return (token) => {
        const [data, signature] = split(token);
        return cryptoVerify('sha256', data, key, signature);
      };
    case 'HS256':
      return (token) => {
        const [data, signature] = split(token);
        const mac = createHmac('sha256', key).update(data).digest();
        return signature.length === mac.length && timingSafeEqual(mac, signature);
      };
    default:
      throw new Error(`no raw verifier for ${alg}`);
  }
}

function withPayloadParse(verifySignature) {
  return (token) => {
    if (!verifySignature(token)) return false;
    const first = token.indexOf('.');
    const claims = JSON.parse(
      Buffer.from(token.slice(first + 1, token.indexOf('.', first + 1)), 'base64url').toString(
        'utf8',
      ),
    );
    return claims.exp > 0;
  };
}

// Targets are judged on the wall-clock medians, as the issue states them; the CPU-time verdict is reported
// next to each so a run on a loaded machine can be read for what it is.
function judgeTargets(algorithms, cache) {
  const targets = {};
  const judge = (value, cpuValue, minimum) => ({
    value,
    met: value.median >= minimum,
    cpuValue,
    cpuMet: cpuValue.median >= minimum,
  });
  // fast-jwt on the same measure, reported beside each target (never judged).
  const peer = (figure, measure) => ({ value: figure[measure], cpuValue: figure.cpu[measure] });
  for (const alg of ['EdDSA', 'ES256', 'RS256']) {
    const { tessera, fastJwt } = algorithms[alg];
    targets[`${alg} tessera >= ${TARGET_RATIO_TO_RAW}x raw`] = {
      ...judge(tessera.ratioToRaw, tessera.cpu.ratioToRaw, TARGET_RATIO_TO_RAW),
      fastJwt: peer(fastJwt, 'ratioToRaw'),
    };
  }
  const hs256 = algorithms.HS256;
  targets[`HS256 tessera >= ${TARGET_HS256_RATIO_TO_FLOOR}x raw+JSON.parse floor`] = {
    ...judge(
      hs256.tessera.ratioToFloor,
      hs256.tessera.cpu.ratioToFloor,
      TARGET_HS256_RATIO_TO_FLOOR,
    ),
    fastJwt: peer(hs256.fastJwt, 'ratioToFloor'),
  };
  for (const alg of ALGORITHMS) {
    const { tessera } = algorithms[alg];
    // "Ahead" means strictly faster: a ratio of exactly 1 is a tie, not a win.
    const ahead = judge(tessera.ratioToFastJwt, tessera.cpu.ratioToFastJwt, 1);
    targets[`${alg} tessera ahead of fast-jwt`] = {
      ...ahead,
      met: ahead.value.median > 1,
      cpuMet: ahead.cpuValue.median > 1,
    };
  }
  targets[`cache hit >= ${TARGET_CACHE_RATIO}x Map.get limit`] = judge(
    cache.tesseraRatioToLimit,
    cache.tesseraRatioToLimitCpu,
    TARGET_CACHE_RATIO,
  );
  return targets;
}
