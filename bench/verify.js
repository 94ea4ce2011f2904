// Access-token verification next to its physical limit and its peers (issue 2).
// For each algorithm, one set of distinct tokens (many users: distinct sub, sid and jti) is verified by:
//   raw          the physical limit, see rawVerifier in lib/verify-raw.js
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
import {
  formatRate,
  formatTable,
  collectGarbage,
  measureInterleaved,
  pairedRatio,
  roundRatio,
} from './lib/stats.js';
import { measureCache } from './lib/verify-cache.js';
import { prepareAlgorithm } from './lib/verify-contenders.js';
import { judgeTargets } from './lib/verify-targets.js';

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

/**
 * Runs the section. Returns { algorithms, cache, targets } with ops/s medians, spreads and ratios.
 */
export async function run({ quick, log }) {
  const settings = quick
    ? { tokens: 1000, rounds: 3, cacheTokens: 5000, cacheRounds: 3 }
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
  const targets = judgeTargets(algorithms, cache, ALGORITHMS);

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
  const { tokens, verifiers } = await prepareAlgorithm(alg, settings.tokens, {
    issuer: ISSUER,
    audience: AUDIENCE,
  });
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
