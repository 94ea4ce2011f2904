import { pbkdf2, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { type HashSpec, readPasswordHash, scryptMemoryBytes } from './hash-format.js';

/**
 * Verifying and minting the imported schemes (bcrypt, scrypt, PBKDF2). bcrypt is bcryptjs, pure JS
 * and loaded on the first bcrypt hash only; scrypt and PBKDF2 are node:crypto, on the thread pool.
 * argon2id stays in password-hasher.ts: these functions never see it.
 */

/** A spec of one of the imported schemes. */
export type LegacySpec = Exclude<HashSpec, { scheme: 'argon2id' }>;

type Bcrypt = typeof import('bcryptjs');
let bcrypt: Promise<Bcrypt> | undefined;
const loadBcrypt = (): Promise<Bcrypt> => (bcrypt ??= import('bcryptjs'));

function derive(spec: LegacySpec, password: string, salt: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, key: Buffer): void => (error ? reject(error) : resolve(key));
    if (spec.scheme === 'scrypt')
      scrypt(
        password,
        salt,
        spec.hash.length,
        // maxmem must exceed what the parameters need; the cap in hash-format.ts bounds that.
        { N: 2 ** spec.logN, r: spec.r, p: spec.p, maxmem: scryptMemoryBytes(spec) + 1024 * 1024 },
        done,
      );
    else if (spec.scheme === 'pbkdf2')
      pbkdf2(password, salt, spec.iterations, spec.hash.length, spec.digest, done);
    else reject(new Error('bcrypt is not derived here'));
  });
}

/**
 * Verifies a password against a stored hash of an imported scheme; false for a wrong password and
 * for any hash {@link readPasswordHash} refuses (the login path refuses those with a code first).
 *
 * @example
 * ```ts
 * await verifyLegacyHash('$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy', 'password'); // boolean
 * ```
 */
export async function verifyLegacyHash(stored: string, password: string): Promise<boolean> {
  const reading = readPasswordHash(stored);
  if (!reading.ok || reading.spec.scheme === 'argon2id') return false;
  const spec = reading.spec;
  if (spec.scheme === 'bcrypt') return (await loadBcrypt()).compare(password, stored);
  const key = await derive(spec, password, spec.salt);
  return timingSafeEqual(key, spec.hash);
}

const b64 = (bytes: Uint8Array, alphabet: 'std' | 'ab64'): string => {
  const text = Buffer.from(bytes).toString('base64').replace(/=+$/, '');
  return alphabet === 'ab64' ? text.replaceAll('+', '.') : text;
};

/**
 * Encodes a legacy spec back into its stored form (the inverse of {@link readPasswordHash} for scrypt
 * and PBKDF2; bcrypt's salt and digest are bcryptjs's own and are not kept in the spec).
 *
 * @example
 * ```ts
 * encodeLegacyHash({ scheme: 'scrypt', logN: 15, r: 8, p: 1, salt, hash }); // '$scrypt$ln=15,r=8,p=1$…$…'
 * ```
 */
export function encodeLegacyHash(spec: Exclude<LegacySpec, { scheme: 'bcrypt' }>): string {
  if (spec.scheme === 'scrypt')
    return `$scrypt$ln=${spec.logN},r=${spec.r},p=${spec.p}$${b64(spec.salt, 'std')}$${b64(spec.hash, 'std')}`;
  const name = `pbkdf2-${spec.digest}`;
  if (spec.encoding === 'phc')
    return `$${name}$i=${spec.iterations},l=${spec.hash.length}$${b64(spec.salt, 'std')}$${b64(spec.hash, 'std')}`;
  if (spec.encoding === 'passlib')
    return `$${name}$${spec.iterations}$${b64(spec.salt, 'ab64')}$${b64(spec.hash, 'ab64')}`;
  return `pbkdf2_${spec.digest}$${spec.iterations}$${new TextDecoder().decode(spec.salt)}$${Buffer.from(spec.hash).toString('base64')}`;
}

/**
 * Hashes a password with the scheme and cost of `spec` and a fresh salt: the dummy an unknown email
 * is checked against, so it costs what a real account of that scheme costs.
 *
 * @example
 * ```ts
 * const dummy = await hashLikeLegacy({ scheme: 'bcrypt', variant: '2b', cost: 12 }, 'random');
 * ```
 */
export async function hashLikeLegacy(spec: LegacySpec, password: string): Promise<string> {
  if (spec.scheme === 'bcrypt') {
    const hashed = await (await loadBcrypt()).hash(password, spec.cost);
    return `$${spec.variant}${hashed.slice(3)}`;
  }
  // Django's salt is text: a fresh alphanumeric one of the same length.
  const salt =
    spec.scheme === 'pbkdf2' && spec.encoding === 'django'
      ? new TextEncoder().encode(
          randomBytes(spec.salt.length * 2)
            .toString('base64')
            .replace(/[^A-Za-z0-9]/g, '')
            .slice(0, spec.salt.length)
            .padEnd(spec.salt.length, 'a'),
        )
      : new Uint8Array(randomBytes(spec.salt.length));
  const hash = new Uint8Array(await derive(spec, password, salt));
  return encodeLegacyHash({ ...spec, salt, hash });
}
