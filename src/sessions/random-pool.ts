import { randomFillSync } from 'node:crypto';

// Each randomBytes call crosses into OpenSSL for a few bytes and costs about 2.5 us; a rotation needs
// three draws (token id, token secret, seal nonce). One 4 KiB fill serves about seventy rotations, the
// way Node's own randomUUID caches its entropy. The bytes are CSPRNG output either way, and each byte
// is handed out once: a draw is copied out of the pool, never shared.

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/**
 * Returns `size` fresh random bytes (at most 4096) in a buffer of their own.
 *
 * @example
 * ```ts
 * const iv = drawRandomBytes(12);
 * ```
 */
export function drawRandomBytes(size: number): Buffer {
  if (size > POOL_BYTES)
    throw new RangeError(`drawRandomBytes serves at most ${POOL_BYTES} bytes.`);
  if (offset + size > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + size));
  // Spent bytes are overwritten at once, so the pool never holds a value already handed out.
  pool.fill(0, offset, offset + size);
  offset += size;
  return bytes;
}
