import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { TesseraError } from '../errors/tessera-error.js';
import { detectMangling, MANGLING_WORDS } from '../jwt/mangling.js';

/**
 * The one refresh-token format: `tsr_<token id>.<secret>`, a 128-bit id and a 256-bit secret, both
 * base64url. Secret scanners can find leaked ones with this pattern.
 *
 * @example
 * ```ts
 * REFRESH_TOKEN_PATTERN.test(token); // true for a Tessera refresh token
 * ```
 */
export const REFRESH_TOKEN_PATTERN = /^tsr_([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/** A freshly minted refresh token: the value for the client, and what the store keeps. */
export interface MintedRefreshToken {
  readonly value: string;
  readonly id: string;
  readonly secretHash: string;
}

/**
 * Mints a refresh token. Only `id` and `secretHash` are ever stored.
 *
 * @example
 * ```ts
 * const { value, id, secretHash } = mintRefreshToken({ pepper });
 * ```
 */
export function mintRefreshToken(options: { pepper?: Buffer | undefined }): MintedRefreshToken {
  const id = randomBytes(16).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  return { value: `tsr_${id}.${secret}`, id, secretHash: hashSecret(secret, options.pepper) };
}

/**
 * Splits a presented refresh token into id and secret, or throws REFRESH_TOKEN_MISSING / _MALFORMED
 * naming how it was mangled.
 *
 * @example
 * ```ts
 * const { id, secret } = parseRefreshToken(cookieValue);
 * ```
 */
export function parseRefreshToken(value: unknown): { id: string; secret: string } {
  if (value === undefined || value === null || value === '')
    throw new TesseraError(
      'REFRESH_TOKEN_MISSING',
      'No refresh token was sent: the cookie is missing (blocked third-party cookie, wrong Path, or cleared) or the body has no refresh_token.',
    );
  if (typeof value !== 'string')
    throw new TesseraError(
      'REFRESH_TOKEN_MALFORMED',
      `The refresh token must be a string; got ${typeof value}.`,
    );
  const match = REFRESH_TOKEN_PATTERN.exec(value);
  if (match === null) {
    const mangling =
      value.startsWith('ey') && value.split('.').length === 3
        ? MANGLING_WORDS['access-token']
        : undefined;
    const found = detectMangling(value);
    const why =
      mangling ??
      (found !== undefined && found !== 'not-a-jwt' && found !== 'truncated'
        ? MANGLING_WORDS[found]
        : 'it is not tsr_<22 chars>.<43 chars>');
    throw new TesseraError('REFRESH_TOKEN_MALFORMED', `The refresh token is malformed: ${why}.`, {
      length: value.length,
    });
  }
  return { id: match[1] as string, secret: match[2] as string };
}

/**
 * Hashes a refresh-token secret for storage: SHA-256, or HMAC-SHA-256 with a server pepper. A slow
 * password hash would add nothing: the secret already has 256 random bits.
 *
 * @example
 * ```ts
 * const stored = hashSecret(secret, pepper);
 * ```
 */
export function hashSecret(secret: string, pepper: Buffer | undefined): string {
  const digest =
    pepper === undefined
      ? createHash('sha256').update(secret).digest()
      : createHmac('sha256', pepper).update(secret).digest();
  return digest.toString('base64url');
}

/**
 * Compares a presented secret with a stored hash in constant time.
 *
 * @example
 * ```ts
 * if (!secretMatches(secret, row.secretHash, pepper)) throw unknownToken();
 * ```
 */
export function secretMatches(
  secret: string,
  storedHash: string,
  pepper: Buffer | undefined,
): boolean {
  const presented = Buffer.from(hashSecret(secret, pepper), 'base64url');
  const stored = Buffer.from(storedHash, 'base64url');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

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
  if (raw.length < 29) return undefined;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      deriveSealKey(input.previousSecret, input.sessionId, input.generation),
      raw.subarray(0, 12),
    );
    decipher.setAAD(Buffer.from(`${input.sessionId}|${input.generation}`));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([
      decipher.update(raw.subarray(12, raw.length - 16)),
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
