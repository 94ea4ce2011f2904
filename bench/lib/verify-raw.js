// The verify section's floors: what any verifier minimally does per token (raw), and raw plus reading
// the claims (raw+JSON.parse).
import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual, verify as cryptoVerify } from 'node:crypto';

// raw: what any verifier minimally does per token, and nothing more: find the last dot, Buffer.from the
// signing input (latin1), base64url-decode the signature with Node's lenient decoder, then one
// crypto.verify with a prepared KeyObject (ES256: dsaEncoding ieee-p1363, so no DER conversion; options
// object built once) or, for HS256, createHmac(...).update(input).digest() + length check + timingSafeEqual.
// No header parsing, no kid lookup, no JSON, no claims, no clock.
/** The physical limit for `alg` with the prepared KeyObject `key`: (token) => boolean. */
export function rawVerifier(alg, key) {
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

/** `verifySignature` plus decoding and JSON.parse of the payload: the floor for a verifier that reads claims. */
export function withPayloadParse(verifySignature) {
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
