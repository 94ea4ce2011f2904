import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

// GCM accepts 4- to 16-byte tags unless pinned; a short tag is a forgery found by trial.
const TAG_BYTES = 16;

// The grace window's sealed successor: the current refresh token, stored only under a key that the
// previous token's secret derives, so that a retry of the previous token can be answered with the
// same successor while a database dump opens nothing.

/**
 * Seals the successor of a rotation under a key only the previous token's secret derives (HKDF with its
 * own label, so the stored lookup hash opens nothing), bound to the session and generation.
 *
 * @example
 * ```ts
 * const sealed = sealSuccessor({ previousSecret, sessionId, generation, successor: next.value });
 * ```
 */
export function sealSuccessor(input: {
  previousSecret: string;
  sessionId: string;
  generation: number;
  successor: string;
}): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv(
    'aes-256-gcm',
    deriveSealKey(input.previousSecret, input.sessionId, input.generation),
    iv,
    { authTagLength: TAG_BYTES },
  );
  cipher.setAAD(Buffer.from(`${input.sessionId}|${input.generation}`));
  const body = Buffer.concat([cipher.update(input.successor, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/**
 * Opens a sealed successor with the previous token's secret; undefined when it does not open.
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
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      deriveSealKey(input.previousSecret, input.sessionId, input.generation),
      raw.subarray(0, 12),
      { authTagLength: TAG_BYTES },
    );
    decipher.setAAD(Buffer.from(`${input.sessionId}|${input.generation}`));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(raw.subarray(12, raw.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return undefined;
  }
}

function deriveSealKey(secret: string, sessionId: string, generation: number): Buffer {
  return Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.from(secret, 'base64url'),
      'tessera-grace-v1',
      `successor|${sessionId}|${generation}`,
      32,
    ),
  );
}
