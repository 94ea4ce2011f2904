// The verify section's cache bench: Tessera's verified-token cache against a bare Map lookup, both fed
// freshly built token strings.
import { Buffer } from 'node:buffer';
import {
  Keyring,
  createAccessTokenSigner,
  createAccessTokenVerifier,
  generateKeyMaterial,
} from '../../dist/index.js';
import { collectGarbage, measureInterleaved, pairedRatio, roundRatio } from './stats.js';

// The cache is keyed by the whole token. An HTTP server hands the verifier a new string per request, built
// from the socket's bytes, so V8 has no cached hash for it: each lookup hashes and compares the full token.
// Both the limit and Tessera get such a string, built the same way (latin1 decode after "Bearer ").
/** Measures Tessera's warm verified-token cache against a bare Map.get; settings: { cacheTokens, cacheRounds, issuer, audience }. */
export async function measureCache(settings) {
  const { issuer: ISSUER, audience: AUDIENCE } = settings;
  const now = Date.now();
  const key = await generateKeyMaterial({ alg: 'EdDSA' });
  const keyring = new Keyring({
    entries: [{ key, createdAt: now - 60_000, activatesAt: now - 60_000 }],
  });
  const sign = createAccessTokenSigner({ keys: keyring, issuer: ISSUER, audience: AUDIENCE });
  const tokens = [];
  for (let i = 0; i < settings.cacheTokens; i++) {
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
  const headers = tokens.map((token) => Buffer.from(`Bearer ${token}`, 'latin1'));
  const freshToken = (i) => headers[i].toString('latin1', 7);

  const cacheSize = settings.cacheTokens * 2;
  const cached = createAccessTokenVerifier({
    keys: keyring,
    issuer: ISSUER,
    audience: AUDIENCE,
    cacheSize,
  });
  const revokedSids = new Set(['sess-revoked']);
  const revocations = {
    assertNotRevoked(claims) {
      if (revokedSids.has(claims.sid)) throw new Error('revoked');
    },
  };
  const cachedWithRevocation = createAccessTokenVerifier({
    keys: keyring,
    issuer: ISSUER,
    audience: AUDIENCE,
    cacheSize,
    revocations,
  });
  const map = new Map();
  for (const token of tokens) {
    // Warm: each token verified once before timing, and the limit's Map holds the same tokens.
    map.set(token, cached.verify(token));
    cachedWithRevocation.verify(token);
  }

  const n = tokens.length;
  const contenders = [
    {
      name: 'limit',
      label: 'Map.get, fresh key (limit)',
      pass: (from, to) => {
        let hits = 0;
        for (let i = from; i < to; i++) if (map.get(freshToken(i)) !== undefined) hits++;
        if (hits !== to - from) throw new Error('limit missed');
      },
    },
    {
      name: 'tessera',
      label: 'tessera, warm cache',
      pass: (from, to) => {
        let hits = 0;
        for (let i = from; i < to; i++) if (cached.verify(freshToken(i)).sub !== undefined) hits++;
        if (hits !== to - from) throw new Error('tessera missed');
      },
    },
    {
      name: 'tesseraRevocation',
      label: 'tessera, warm cache + Set revocation check',
      pass: (from, to) => {
        let hits = 0;
        for (let i = from; i < to; i++)
          if (cachedWithRevocation.verify(freshToken(i)).sub !== undefined) hits++;
        if (hits !== to - from) throw new Error('tessera missed');
      },
    },
    {
      name: 'freshStringOnly',
      label: 'fresh string only (no lookup)',
      pass: (from, to) => {
        let length = 0;
        for (let i = from; i < to; i++) length += freshToken(i).length;
        if (length === 0) throw new Error('empty');
      },
    },
  ];

  collectGarbage();
  // Slices of 1000: a hit costs about a microsecond, so the two clock reads per slice stay below 1%.
  const figures = await measureInterleaved({
    contenders,
    items: n,
    rounds: settings.cacheRounds,
    sliceSize: 1000,
  });
  const result = { tokens: n, contenders: {} };
  for (const contender of contenders) {
    const describe = (own, limit) => ({
      opsPerSec: Math.round(own.median),
      spreadPct: own.spreadPct,
      ratioToLimit: contender.name === 'limit' ? undefined : roundRatio(pairedRatio(own, limit)),
    });
    const figure = figures[contender.name];
    result.contenders[contender.label] = {
      ...describe(figure, figures.limit),
      cpu: describe(figure.cpu, figures.limit.cpu),
    };
  }
  result.tesseraRatioToLimit = roundRatio(pairedRatio(figures.tessera, figures.limit));
  result.tesseraRatioToLimitCpu = roundRatio(pairedRatio(figures.tessera.cpu, figures.limit.cpu));
  result.tesseraRevocationRatioToLimit = roundRatio(
    pairedRatio(figures.tesseraRevocation, figures.limit),
  );
  return result;
}
