import { availableParallelism } from 'node:os';
import { TesseraError } from '../errors/tessera-error.js';
import { readPasswordHash } from './hash-format.js';
import { verifyLegacyHash } from './legacy-hash.js';

/**
 * argon2id with a cap on how many run at once. Each hash or verification takes a libuv thread-pool
 * thread (4 by default) for tens of milliseconds, and the thread pool is shared with everything else
 * asynchronous in the process: WebCrypto signing of access tokens (every refresh), file reads, DNS. A
 * flood of logins with no cap queues hundreds of verifications there, and refreshes wait behind them.
 * With the cap, at most `concurrency` verifications hold threads (by default one fewer than the pool
 * has, and no more than the CPUs), at most `queue` more wait their turn here, and the rest are refused
 * at once with PASSWORD_CHECK_BUSY (503, Retry-After) instead of being held open.
 */

/** Options of {@link createPasswordHasher}. */
export interface PasswordHasherOptions {
  /** How many hashes or verifications may run at once. Default: CPUs, at most the thread pool less one. */
  readonly concurrency?: number;
  /** How many may wait for a turn before the next is refused. Default 64. */
  readonly queue?: number;
}

/** Hashes and verifies passwords under the cap. */
export interface PasswordHasher {
  hash(password: string, params: Argon2Params): Promise<string>;
  /**
   * Verifies a password against a hash (argon2id, or an imported bcrypt, scrypt or PBKDF2 hash);
   * false for a wrong password or an unreadable hash. `admit` runs
   * once a turn is held, just before the verification, and may throw to refuse the attempt unchecked.
   */
  verify(
    hashed: string | Promise<string>,
    password: string,
    options?: { admit?: () => Promise<void> },
  ): Promise<boolean>;
}

/** argon2id cost parameters for a new hash (verification reads them from the hash). */
export interface Argon2Params {
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/**
 * The default concurrency: the CPUs, but always at least one thread-pool thread left for the rest.
 *
 * @example
 * ```ts
 * defaultPasswordConcurrency({ cpus: 8, threadPool: 4 }); // 3
 * ```
 */
export function defaultPasswordConcurrency(input: { cpus: number; threadPool: number }): number {
  return Math.max(1, Math.min(input.cpus, input.threadPool - 1));
}

/**
 * Creates a capped argon2id hasher. argon2 loads on first use, not at import: a resource server or a
 * client-side import never needs the native binary.
 *
 * @example
 * ```ts
 * const hasher = createPasswordHasher({ concurrency: 2, queue: 32 });
 * const params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
 * const ok = await hasher.verify(await hasher.hash('correct horse battery', params), 'correct horse battery');
 * ```
 */
export function createPasswordHasher(options: PasswordHasherOptions = {}): PasswordHasher {
  const threadPool = Number(process.env.UV_THREADPOOL_SIZE ?? 4) || 4;
  const concurrency =
    options.concurrency ?? defaultPasswordConcurrency({ cpus: availableParallelism(), threadPool });
  const queueLimit = options.queue ?? 64;
  let running = 0;
  const waiting: (() => void)[] = [];

  const turn = async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= concurrency) {
      if (waiting.length >= queueLimit)
        throw new TesseraError(
          'PASSWORD_CHECK_BUSY',
          'Too many password checks are waiting; try again in 1 s.',
          { retryAfterSeconds: 1 },
        );
      // The finishing turn hands its slot over, so `running` stays counted for this one.
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else running++;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next === undefined) running--;
      else next();
    }
  };

  return {
    hash: (password, params) => turn(async () => (await loadArgon2()).hash(password, params)),
    verify: (hashed, password, verifyOptions = {}) =>
      turn(async () => {
        await verifyOptions.admit?.();
        const stored = await hashed;
        // Read first: a hash over the cost caps (hash-format.ts) is refused before it can run long.
        const reading = readPasswordHash(stored);
        if (!reading.ok) return false;
        // Imported hashes (bcrypt, scrypt, PBKDF2) take the same turn: they are as slow as argon2id.
        if (reading.spec.scheme !== 'argon2id')
          return verifyLegacyHash(stored, password).catch(() => false);
        const argon2 = await loadArgon2();
        return argon2.verify(stored, password).catch(() => false);
      }),
  };
}

type Argon2 = typeof import('@node-rs/argon2');
let argon2: Promise<Argon2> | undefined;

function loadArgon2(): Promise<Argon2> {
  argon2 ??= import('@node-rs/argon2');
  return argon2;
}
