import { randomBytes } from 'node:crypto';
import { estimateHashCost, type HashSpec, readPasswordHash } from './hash-format.js';
import { hashLikeLegacy } from './legacy-hash.js';
import type { Argon2Params } from './password-hasher.js';

/**
 * The work a login for an unknown email does instead of a real check. Were it always argon2id, an
 * email whose answer took as long as bcrypt cost 12 would be an imported account not yet signed in
 * since. So the dummy is a hash of the slowest scheme and cost the store holds (one sample per scheme
 * and cost, from the store), minted once and kept for `refreshMs`.
 */

/**
 * Picks the spec the dummy is made like: the most expensive of the usable samples and the baseline
 * (Tessera's own argon2id, always in use for new passwords). Unusable samples are ignored: their
 * logins are refused with a code before any work.
 *
 * @example
 * ```ts
 * chooseDummySpec(['$2b$12$' + 'a'.repeat(53)], { scheme: 'argon2id', memoryKiB: 19_456, passes: 2, lanes: 1 });
 * // { scheme: 'bcrypt', variant: '2b', cost: 12 }
 * ```
 */
export function chooseDummySpec(samples: readonly string[], baseline: HashSpec): HashSpec {
  let chosen = baseline;
  for (const sample of samples) {
    const reading = readPasswordHash(sample);
    if (reading.ok && estimateHashCost(reading.spec) > estimateHashCost(chosen))
      chosen = reading.spec;
  }
  return chosen;
}

/** Options of {@link createDummyWork}. */
export interface DummyWorkOptions {
  /** One stored hash per scheme and cost (`AccountStore.passwordHashSamples`). */
  readonly samples: () => Promise<readonly string[]>;
  /** Tessera's argon2id parameters for new passwords: the baseline. */
  readonly argon2: Argon2Params;
  readonly hashArgon2: (password: string, params: Argon2Params) => Promise<string>;
  readonly now: () => number;
  /** How long a chosen dummy stands before the store is sampled again (an import may add a scheme). */
  readonly refreshMs?: number;
}

/** The dummy hash source: `hash()` resolves to the current dummy. */
export interface DummyWork {
  hash(): Promise<string>;
}

/**
 * Creates the dummy source. The first call samples the store and mints; later calls answer from the
 * cache, and once it is older than `refreshMs` one call starts a new sample in the background while
 * every call keeps the old dummy until the new one is ready.
 *
 * @example
 * ```ts
 * const dummy = createDummyWork({ samples: () => store.passwordHashSamples(), argon2, hashArgon2, now: Date.now });
 * await hasher.verify(user?.passwordHash ?? dummy.hash(), password);
 * ```
 */
export function createDummyWork(options: DummyWorkOptions): DummyWork {
  const refreshMs = options.refreshMs ?? 10 * 60_000;
  const baseline: HashSpec = {
    scheme: 'argon2id',
    memoryKiB: options.argon2.memoryCost,
    passes: options.argon2.timeCost,
    lanes: options.argon2.parallelism,
  };
  const mint = async (): Promise<string> => {
    const spec = chooseDummySpec(await options.samples(), baseline);
    const password = randomBytes(16).toString('base64url');
    return spec.scheme === 'argon2id'
      ? options.hashArgon2(password, {
          memoryCost: spec.memoryKiB,
          timeCost: spec.passes,
          parallelism: spec.lanes,
        })
      : hashLikeLegacy(spec, password);
  };
  let current: { at: number; hash: Promise<string> } | undefined;
  let refreshing = false;
  return {
    hash() {
      const at = options.now();
      if (current === undefined) {
        const entry = { at, hash: mint() };
        current = entry;
        // A failed first sample is retried by the next call, not kept.
        entry.hash.catch(() => {
          if (current === entry) current = undefined;
        });
        return entry.hash;
      }
      if (at - current.at >= refreshMs && !refreshing) {
        refreshing = true;
        mint()
          .then((hashed) => void (current = { at, hash: Promise.resolve(hashed) }))
          .catch(() => undefined)
          .finally(() => (refreshing = false));
      }
      return current.hash;
    },
  };
}
