// RS256 by recovery (jwa/rsa-pkcs1.ts) against crypto.verify, the reference it replaces on the node:crypto
// backend: the same answer for valid signatures, mutated ones, every wrong length, numbers at and past
// the modulus, other hashes and hand-made encodings that a lenient parser of the recovered message
// might accept.
import {
  constants,
  generateKeyPairSync,
  hash,
  privateEncrypt,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { verifyRs256ByRecovery } from '../../src/jwa/rsa-pkcs1.js';

const SHA256_INFO = '3031300d060960864801650304020105000420';

interface RsaPair {
  readonly bits: number;
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

/** Both verdicts on one signature; the reference never throws for bytes either. */
function verdicts(pair: RsaPair, data: Buffer, signature: Uint8Array): [boolean, boolean] {
  const reference = verify('sha256', data, pair.publicKey, signature);
  const recovered = verifyRs256ByRecovery(pair.publicKey, data, signature);
  return [recovered as boolean, reference];
}

/** A signature over a hand-made encoded message: raw RSA with the private key, no padding added. */
function rawSignature(pair: RsaPair, encoded: Buffer): Buffer {
  return privateEncrypt({ key: pair.privateKey, padding: constants.RSA_NO_PADDING }, encoded);
}

function encodedMessage(
  length: number,
  digestInfoHex: string,
  digest: Buffer,
  fill = 0xff,
): Buffer {
  const info = Buffer.from(digestInfoHex, 'hex');
  const padding = Buffer.alloc(length - 3 - info.length - digest.length, fill);
  return Buffer.concat([Buffer.from([0, 1]), padding, Buffer.from([0]), info, digest]);
}

function hashOf(name: string, data: Buffer): Buffer {
  return hash(name, data, 'buffer');
}

describe.each([2048, 3072])('RS256 by recovery, %i-bit key', (bits) => {
  let pair: RsaPair;
  let length: number;
  let modulus: bigint;

  beforeAll(() => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
    pair = { bits, publicKey, privateKey };
    length = bits / 8;
    const jwk = publicKey.export({ format: 'jwk' });
    modulus = BigInt(`0x${Buffer.from(jwk.n as string, 'base64url').toString('hex')}`);
  });

  const toBytes = (value: bigint): Buffer =>
    Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex');

  it('accepts exactly what crypto.verify accepts: valid signatures, and the same ones mutated', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (bytes, at, xor) => {
          const data = Buffer.from(bytes);
          const signature = sign('sha256', data, pair.privateKey);
          expect(verdicts(pair, data, signature)).toEqual([true, true]);
          const mutated = Buffer.from(signature);
          mutated[at % length] = (mutated[at % length] as number) ^ (xor || 1);
          const [recovered, reference] = verdicts(pair, data, mutated);
          expect(recovered).toBe(reference);
          expect(recovered).toBe(false);
          // Another message under the same signature.
          expect(verdicts(pair, Buffer.concat([data, Buffer.from('x')]), signature)).toEqual([
            false,
            false,
          ]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses every other length, as crypto.verify does', () => {
    const data = Buffer.from('header.payload');
    const signature = sign('sha256', data, pair.privateKey);
    const cases = [
      Buffer.alloc(0),
      signature.subarray(1),
      signature.subarray(0, length - 1),
      Buffer.concat([Buffer.from([0]), signature]),
      Buffer.concat([signature, Buffer.from([0])]),
    ];
    for (const candidate of cases) expect(verdicts(pair, data, candidate)).toEqual([false, false]);
  });

  it('refuses a valid signature with its leading zero byte dropped: the same number, the wrong length', () => {
    let data = Buffer.alloc(0);
    let signature = Buffer.alloc(0);
    for (let i = 0; signature[0] !== 0; i++) {
      data = Buffer.from(`header.payload-${i}`);
      signature = sign('sha256', data, pair.privateKey);
    }
    expect(verdicts(pair, data, signature)).toEqual([true, true]);
    expect(verdicts(pair, data, signature.subarray(1))).toEqual([false, false]);
  });

  it('refuses numbers at and past the modulus, and the trivial ones, without throwing', () => {
    const data = Buffer.from('header.payload');
    const numbers = [0n, 1n, 2n, modulus - 1n, modulus, modulus + 1n, (1n << BigInt(bits)) - 1n];
    for (const value of numbers)
      expect(verdicts(pair, data, toBytes(value))).toEqual([false, false]);
  });

  it('refuses another hash, a DigestInfo without NULL, short padding and garbage padding', () => {
    const data = Buffer.from('header.payload');
    const digest = hashOf('sha256', data);
    const sha512Info = '3051300d060960864801650304020305000440';
    const crafted = [
      sign('sha1', data, pair.privateKey),
      sign('sha512', data, pair.privateKey),
      rawSignature(pair, encodedMessage(length, sha512Info, hashOf('sha512', data))),
      rawSignature(pair, encodedMessage(length, '302f300b06096086480165030402010420', digest)),
      rawSignature(pair, encodedMessage(length, SHA256_INFO, digest, 0xfe)),
      rawSignature(
        pair,
        Buffer.concat([
          Buffer.from([0, 2]),
          encodedMessage(length, SHA256_INFO, digest).subarray(2),
        ]),
      ),
      // The hash in the right place, but extra bytes hidden in the padding.
      rawSignature(
        pair,
        (() => {
          const em = encodedMessage(length, SHA256_INFO, digest);
          em[10] = 0x00;
          return em;
        })(),
      ),
    ];
    for (const signature of crafted)
      expect(verdicts(pair, data, signature)).toEqual([false, false]);
    // Control: the hand-made encoding of the right hash is the real signature, byte for byte.
    const genuine = rawSignature(pair, encodedMessage(length, SHA256_INFO, digest));
    expect(genuine.equals(sign('sha256', data, pair.privateKey))).toBe(true);
    expect(verdicts(pair, data, genuine)).toEqual([true, true]);
  });
});

describe('RS256 by recovery: keys it leaves to crypto.verify', () => {
  it('answers undefined for an RSA-PSS key and a private key, so the caller uses crypto.verify', () => {
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const data = Buffer.from('header.payload');
    const signature = sign('sha256', data, rsa.privateKey);
    expect(verifyRs256ByRecovery(pss.publicKey, data, signature)).toBeUndefined();
    expect(verifyRs256ByRecovery(rsa.privateKey, data, signature)).toBeUndefined();
  });
});
