/**
 * The password-hash encodings Tessera reads, as pure functions: an imported app's bcrypt, scrypt and
 * PBKDF2 hashes and Tessera's own argon2id. Reading checks the encoding strictly (the exact alphabet,
 * no padding where the format has none, canonical trailing bits) and the cost against a cap, so a
 * hostile import, or a row edited in the database, can never make one login run for minutes.
 */

/** The schemes a stored hash may use. */
export type HashScheme = 'argon2id' | 'bcrypt' | 'scrypt' | 'pbkdf2';

/** Why a hash is not usable: an encoding Tessera does not know, a known one spelled wrong, or too slow. */
export type HashRefusal = 'format-unknown' | 'encoding-invalid' | 'cost-too-high';

/** How a PBKDF2 hash is written: the PHC string, passlib's variant of it, or Django's. */
export type Pbkdf2Encoding = 'phc' | 'passlib' | 'django';

/** A readable hash: the scheme, its cost parameters and (for those Tessera derives itself) salt and digest. */
export type HashSpec =
  | {
      readonly scheme: 'argon2id';
      readonly memoryKiB: number;
      readonly passes: number;
      readonly lanes: number;
    }
  | { readonly scheme: 'bcrypt'; readonly variant: '2a' | '2b' | '2y'; readonly cost: number }
  | {
      readonly scheme: 'scrypt';
      readonly logN: number;
      readonly r: number;
      readonly p: number;
      readonly salt: Uint8Array;
      readonly hash: Uint8Array;
    }
  | {
      readonly scheme: 'pbkdf2';
      readonly encoding: Pbkdf2Encoding;
      readonly digest: 'sha1' | 'sha256' | 'sha512';
      readonly iterations: number;
      readonly salt: Uint8Array;
      readonly hash: Uint8Array;
    };

/** The outcome of {@link readPasswordHash}. */
export type HashReading =
  | { readonly ok: true; readonly spec: HashSpec }
  | { readonly ok: false; readonly refusal: HashRefusal; readonly reason: string };

/**
 * The caps on imported costs. Each is a few times the strongest setting in common use (bcrypt 12–13,
 * scrypt N=2^17 r=8, Django's 1,000,000 PBKDF2-SHA256 rounds) and well under a second or two of work.
 */
export const HASH_COST_CAPS = {
  bcryptCost: 14,
  /** scrypt memory, 128·N·r bytes: 128 MiB. */
  scryptMemoryBytes: 128 * 1024 * 1024,
  /** scrypt work, N·r·p (2^21: N=2^18 r=8 p=1, or N=2^17 r=8 p=2). */
  scryptWork: 2 ** 21,
  /** PBKDF2 iterations times output blocks, per digest (SHA-512 costs about 3x SHA-256 per round here). */
  pbkdf2Rounds: { sha1: 4_000_000, sha256: 2_000_000, sha512: 1_000_000 },
  /** 128 MiB, like scrypt's: each verification holds it, `concurrency` of them at once. */
  argon2MemoryKiB: 128 * 1024,
  argon2Passes: 10,
  argon2Lanes: 16,
  /** Salt and digest lengths, in bytes. */
  maxSaltBytes: 64,
  minHashBytes: 16,
  maxHashBytes: 64,
} as const;

const B64_STD = /^[A-Za-z0-9+/]*$/;
const B64_AB64 = /^[A-Za-z0-9./]*$/;
const BCRYPT_BODY = /^[./A-Za-z0-9]{53}$/;
const DIGEST_BYTES = { sha1: 20, sha256: 32, sha512: 64 } as const;

const refuse = (refusal: HashRefusal, reason: string): HashReading => ({
  ok: false,
  refusal,
  reason,
});

/**
 * Reads a stored password hash: its scheme and parameters, or why it cannot be used. Never throws.
 *
 * @example
 * ```ts
 * readPasswordHash('$2b$12$' + 'a'.repeat(53)); // { ok: true, spec: { scheme: 'bcrypt', variant: '2b', cost: 12 } }
 * readPasswordHash('$2x$10$' + 'a'.repeat(53)).ok; // false (refusal 'format-unknown')
 * ```
 */
export function readPasswordHash(text: string): HashReading {
  if (text.length > 512) return refuse('format-unknown', 'the hash is longer than 512 characters');
  const bcrypt = /^\$2([aby])\$/.exec(text);
  if (bcrypt !== null) return readBcrypt(text, bcrypt[1] as string);
  if (text.startsWith('$argon2id$')) return readArgon2id(text);
  if (text.startsWith('$scrypt$')) return readScrypt(text);
  const phc = /^\$pbkdf2-(sha256|sha512)\$/.exec(text);
  if (phc !== null) return readPbkdf2Phc(text, phc[1] as 'sha256' | 'sha512');
  const django = /^pbkdf2_(sha256|sha1)\$/.exec(text);
  if (django !== null) return readDjango(text, django[1] as 'sha256' | 'sha1');
  return refuse(
    'format-unknown',
    'not one of: bcrypt $2a$/$2b$/$2y$, $scrypt$, $pbkdf2-sha256$, $pbkdf2-sha512$, pbkdf2_sha256$, pbkdf2_sha1$, $argon2id$',
  );
}

function readBcrypt(text: string, variant: string): HashReading {
  const match = /^\$2[aby]\$(\d\d)\$(.*)$/s.exec(text);
  if (match === null) return refuse('encoding-invalid', 'bcrypt needs a two-digit cost: $2b$NN$');
  const body = match[2] as string;
  if (!BCRYPT_BODY.test(body))
    return refuse(
      'encoding-invalid',
      `bcrypt needs 53 characters of salt and hash in ./A-Za-z0-9 after the cost (got ${body.length})`,
    );
  const cost = Number(match[1]);
  if (cost < 4) return refuse('encoding-invalid', `bcrypt cost ${cost} is below 4, the minimum`);
  if (cost > HASH_COST_CAPS.bcryptCost)
    return refuse('cost-too-high', `bcrypt cost ${cost} is above ${HASH_COST_CAPS.bcryptCost}`);
  return { ok: true, spec: { scheme: 'bcrypt', variant: `2${variant}` as '2a', cost } };
}

/** Reads `k=v,k=v` with exactly the given keys (in order), each a decimal integer without sign. */
function readParams(text: string, keys: readonly string[]): number[] | undefined {
  const parts = text.split(',');
  if (parts.length !== keys.length) return undefined;
  const values: number[] = [];
  for (const [i, part] of parts.entries()) {
    const match = /^([a-z]+)=(0|[1-9]\d{0,9})$/.exec(part);
    if (match === null || match[1] !== keys[i]) return undefined;
    values.push(Number(match[2]));
  }
  return values;
}

/** Strict unpadded base64 in one alphabet: a value that re-encodes to itself, nothing else. */
function decodeB64(text: string, alphabet: 'std' | 'ab64', padded = false): Uint8Array | undefined {
  const body = padded ? text.replace(/={1,2}$/, '') : text;
  if (!(alphabet === 'std' ? B64_STD : B64_AB64).test(body) || body.length % 4 === 1)
    return undefined;
  const standard = alphabet === 'ab64' ? body.replaceAll('.', '+') : body;
  const bytes = Buffer.from(standard, 'base64');
  const again = bytes.toString('base64');
  if (padded ? again !== text : again.replace(/=+$/, '') !== standard) return undefined;
  return new Uint8Array(bytes);
}

function checkLengths(salt: Uint8Array, hash: Uint8Array): HashReading | undefined {
  if (salt.length === 0 || salt.length > HASH_COST_CAPS.maxSaltBytes)
    return refuse('encoding-invalid', `the salt must be 1 to ${HASH_COST_CAPS.maxSaltBytes} bytes`);
  if (hash.length < HASH_COST_CAPS.minHashBytes || hash.length > HASH_COST_CAPS.maxHashBytes)
    return refuse(
      'encoding-invalid',
      `the digest must be ${HASH_COST_CAPS.minHashBytes} to ${HASH_COST_CAPS.maxHashBytes} bytes (got ${hash.length})`,
    );
  return undefined;
}

function readArgon2id(text: string): HashReading {
  const match = /^\$argon2id\$v=19\$([^$]+)\$([^$]+)\$([^$]+)$/.exec(text);
  const params = match === null ? undefined : readParams(match[1] as string, ['m', 't', 'p']);
  if (match === null || params === undefined)
    return refuse('encoding-invalid', 'argon2id needs $argon2id$v=19$m=..,t=..,p=..$salt$hash');
  const salt = decodeB64(match[2] as string, 'std');
  const hash = decodeB64(match[3] as string, 'std');
  if (salt === undefined || hash === undefined)
    return refuse('encoding-invalid', 'argon2id salt and hash must be unpadded standard base64');
  const [memoryKiB, passes, lanes] = params as [number, number, number];
  if (memoryKiB > HASH_COST_CAPS.argon2MemoryKiB || passes > HASH_COST_CAPS.argon2Passes)
    return refuse('cost-too-high', `argon2id m=${memoryKiB} t=${passes} is above the cap`);
  if (lanes < 1 || lanes > HASH_COST_CAPS.argon2Lanes || passes < 1 || memoryKiB < 8 * lanes)
    return refuse('encoding-invalid', `argon2id parameters m=${memoryKiB} t=${passes} p=${lanes}`);
  return { ok: true, spec: { scheme: 'argon2id', memoryKiB, passes, lanes } };
}

function readScrypt(text: string): HashReading {
  const match = /^\$scrypt\$([^$]+)\$([^$]*)\$([^$]*)$/.exec(text);
  const params = match === null ? undefined : readParams(match[1] as string, ['ln', 'r', 'p']);
  if (match === null || params === undefined)
    return refuse('encoding-invalid', 'scrypt needs $scrypt$ln=..,r=..,p=..$salt$hash');
  const salt = decodeB64(match[2] as string, 'std');
  const hash = decodeB64(match[3] as string, 'std');
  if (salt === undefined || hash === undefined)
    return refuse('encoding-invalid', 'scrypt salt and hash must be unpadded standard base64');
  const [logN, r, p] = params as [number, number, number];
  if (logN < 1 || logN > 63 || r < 1 || p < 1)
    return refuse('encoding-invalid', `scrypt parameters ln=${logN} r=${r} p=${p}`);
  const lengths = checkLengths(salt, hash);
  if (lengths !== undefined) return lengths;
  const spec = { scheme: 'scrypt', logN, r, p, salt, hash } as const;
  if (scryptMemoryBytes(spec) > HASH_COST_CAPS.scryptMemoryBytes)
    return refuse('cost-too-high', `scrypt ln=${logN} r=${r} needs more than 128 MiB`);
  if (2 ** logN * r * p > HASH_COST_CAPS.scryptWork)
    return refuse('cost-too-high', `scrypt ln=${logN} r=${r} p=${p} is above N·r·p = 2^21`);
  return { ok: true, spec };
}

/**
 * The memory scrypt needs for a spec, as node:crypto counts it (`maxmem` must exceed it).
 *
 * @example
 * ```ts
 * scryptMemoryBytes({ logN: 15, r: 8 }); // 33554432
 * ```
 */
export function scryptMemoryBytes(spec: { logN: number; r: number }): number {
  return 128 * 2 ** spec.logN * spec.r;
}

function pbkdf2(
  encoding: Pbkdf2Encoding,
  digest: 'sha1' | 'sha256' | 'sha512',
  iterations: number,
  salt: Uint8Array | undefined,
  hash: Uint8Array | undefined,
): HashReading {
  if (salt === undefined || hash === undefined)
    return refuse('encoding-invalid', `PBKDF2 (${encoding}) salt or hash is not valid base64`);
  if (iterations < 1) return refuse('encoding-invalid', 'PBKDF2 needs at least one iteration');
  const lengths = checkLengths(salt, hash);
  if (lengths !== undefined) return lengths;
  const rounds = iterations * Math.ceil(hash.length / DIGEST_BYTES[digest]);
  if (rounds > HASH_COST_CAPS.pbkdf2Rounds[digest])
    return refuse(
      'cost-too-high',
      `PBKDF2-${digest.toUpperCase()} with ${iterations} iterations is above ${HASH_COST_CAPS.pbkdf2Rounds[digest]}`,
    );
  return { ok: true, spec: { scheme: 'pbkdf2', encoding, digest, iterations, salt, hash } };
}

function readPbkdf2Phc(text: string, digest: 'sha256' | 'sha512'): HashReading {
  // passlib writes the rounds bare and uses its "ab64" alphabet ('.' for '+'); the PHC form names them.
  const passlib = /^\$pbkdf2-sha(?:256|512)\$(0|[1-9]\d{0,9})\$([^$]*)\$([^$]*)$/.exec(text);
  if (passlib !== null)
    return pbkdf2(
      'passlib',
      digest,
      Number(passlib[1]),
      decodeB64(passlib[2] as string, 'ab64'),
      decodeB64(passlib[3] as string, 'ab64'),
    );
  const match = /^\$pbkdf2-sha(?:256|512)\$([^$]+)\$([^$]*)\$([^$]*)$/.exec(text);
  const params =
    match === null
      ? undefined
      : (readParams(match[1] as string, ['i', 'l']) ?? readParams(match[1] as string, ['i']));
  if (match === null || params === undefined)
    return refuse('encoding-invalid', `PBKDF2 needs $pbkdf2-${digest}$i=..[,l=..]$salt$hash`);
  const hash = decodeB64(match[3] as string, 'std');
  if (params[1] !== undefined && hash !== undefined && params[1] !== hash.length)
    return refuse('encoding-invalid', `PBKDF2 l=${params[1]} but the hash is ${hash.length} bytes`);
  return pbkdf2('phc', digest, params[0] as number, decodeB64(match[2] as string, 'std'), hash);
}

function readDjango(text: string, digest: 'sha256' | 'sha1'): HashReading {
  // Django's salt is text used as its UTF-8 bytes, not decoded; its hash is padded standard base64.
  const match = /^pbkdf2_sha(?:256|1)\$(0|[1-9]\d{0,9})\$([A-Za-z0-9]+)\$([^$]*)$/.exec(text);
  if (match === null)
    return refuse('encoding-invalid', `Django needs pbkdf2_${digest}$<iterations>$<salt>$<hash>`);
  return pbkdf2(
    'django',
    digest,
    Number(match[1]),
    new TextEncoder().encode(match[2] as string),
    decodeB64(match[3] as string, 'std', true),
  );
}

/**
 * A relative estimate of one verification's work, in milliseconds of this project's bench machine
 * (bench `passwords` measures the real figures): how the dummy for unknown emails picks the slowest.
 *
 * @example
 * ```ts
 * estimateHashCost({ scheme: 'bcrypt', variant: '2b', cost: 12 }) > estimateHashCost({ scheme: 'bcrypt', variant: '2b', cost: 10 }); // true
 * ```
 */
export function estimateHashCost(spec: HashSpec): number {
  switch (spec.scheme) {
    case 'argon2id':
      return (spec.memoryKiB * spec.passes) / 4500;
    case 'bcrypt':
      return 2 ** spec.cost * 0.07;
    case 'scrypt':
      return 2 ** spec.logN * spec.r * spec.p * 0.00042;
    case 'pbkdf2': {
      const perRound = { sha1: 0.00015, sha256: 0.00023, sha512: 0.00075 }[spec.digest];
      return spec.iterations * Math.ceil(spec.hash.length / DIGEST_BYTES[spec.digest]) * perRound;
    }
  }
}
