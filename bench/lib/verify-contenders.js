// The verify section's contenders for one algorithm: distinct tokens (many users: distinct sub, sid and
// jti) and a verifier per contender, each set up the way its documentation advises.
import { webcrypto } from 'node:crypto';
import { jwtVerify, importSPKI } from 'jose';
import { createVerifier } from 'fast-jwt';
import jsonwebtoken from 'jsonwebtoken';
import {
  Keyring,
  createAccessTokenSigner,
  createAccessTokenVerifier,
  generateKeyMaterial,
} from '../../dist/index.js';
import { rawVerifier, withPayloadParse } from './verify-raw.js';

/**
 * Mints `count` tokens for `alg` and builds the verifiers; settings: { issuer, audience }.
 * Returns { tokens, verifiers }, verifiers keyed by contender name (no jsonwebtoken for EdDSA).
 */
export async function prepareAlgorithm(alg, count, { issuer: ISSUER, audience: AUDIENCE }) {
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
