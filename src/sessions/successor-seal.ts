import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { drawRandomBytes } from './random-pool.js';

// GCM accepts 4- to 16-byte tags unless pinned; a short tag is a forgery found by trial.
const TAG_BYTES = 16;

// The grace window's sealed successor: the current refresh token, stored only under a key that the
// previous token's secret derives, so that a retry of the previous token can be answered with the
// same successor while a database dump opens nothing.

/**
 * Seals the successor of a rotation under a key only the previous token's secret derives (HKDF with its
 * own label, so the stored lookup hash opens nothing). Each secret is 256 fresh random bits, so the key
 * names one token of one session; the seal needs nothing the session row holds, so a rotation can seal
 * before it has read the session (the lookup and the swap in one store call).
 *
 * @example
 * ```ts
 * const sealed = sealSuccessor({ previousSecret, successor: next.value });
 * ```
 */
export function sealSuccessor(input: { previousSecret: string; successor: string }): string {
  const iv = drawRandomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveSealKey(input.previousSecret), iv, {
    authTagLength: TAG_BYTES,
  });
  cipher.setAAD(SEAL_AAD);
  const body = Buffer.concat([cipher.update(input.successor, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/**
 * Opens a sealed successor with the previous token's secret; undefined when it does not open. A seal
 * written before the secret-only key (label v1, bound to the session and the previous generation)
 * still opens, so a retry inside the grace window just after an upgrade gets its successor.
 *
 * @example
 * ```ts
 * const successor = openSuccessor({ previousSecret, sessionId, generation, sealed });
 * ```
 */
export function openSuccessor(input: {
  previousSecret: string;
  sessionId: string;
  generation: number;
  sealed: string;
}): string | undefined {
  const raw = Buffer.from(input.sealed, 'base64url');
  // Nonce, at least one byte, and a whole tag: anything shorter was cut (or forged) short.
  if (raw.length < 12 + 1 + TAG_BYTES) return undefined;
  const { previousSecret, sessionId, generation } = input;
  return (
    openWith(raw, deriveSealKey(previousSecret), SEAL_AAD) ??
    openWith(
      raw,
      deriveKey(previousSecret, 'tessera-grace-v1', `successor|${sessionId}|${generation}`),
      Buffer.from(`${sessionId}|${generation}`),
    )
  );
}

const SEAL_AAD = Buffer.from('tessera-successor');

function openWith(raw: Buffer, key: Buffer, aad: Buffer): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(raw.subarray(12, raw.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return undefined;
  }
}

// HKDF-Expand (RFC 5869, section 2.3) of one block, with the secret as the pseudorandom key: the secret
// is already 256 uniformly random bits, so the extract step adds nothing (section 3.3), and one HMAC
// costs a fifth of hkdfSync's extract, expand and key objects, on every rotation. Its own info, so a v2
// key never equals a v1 key whatever the session ids look like.
function deriveSealKey(secret: string): Buffer {
  return createHmac('sha256', Buffer.from(secret, 'base64url')).update(SEAL_INFO).digest();
}

// HKDF's info followed by the block counter 0x01.
const SEAL_INFO = Buffer.concat([Buffer.from('tessera-grace-v2|successor'), Buffer.from([1])]);

// The v1 key: HKDF-SHA-256 with a label as salt, bound to the session and generation.
function deriveKey(secret: string, label: string, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'base64url'), label, info, 32));
}
