import type { JWK } from 'jose';
import type { Algorithm } from '../jwa/algorithms.js';
import { TesseraError } from '../errors/tessera-error.js';
import { exportPublicJwk, generateKeyMaterial, type KeyMaterial } from './key-material.js';

/**
 * A key with its schedule, all instants in epoch milliseconds. A key is published from `createdAt`,
 * signs from `activatesAt` until a newer key activates, and verifies until `retiresAt`.
 *
 * @example
 * ```ts
 * const entry: KeyringEntry = { key, createdAt: 0, activatesAt: 0 };
 * ```
 */
export interface KeyringEntry {
  readonly key: KeyMaterial;
  readonly createdAt: number;
  readonly activatesAt: number;
  readonly retiresAt?: number;
}

/** Options of {@link Keyring}. */
export interface KeyringOptions {
  readonly entries: readonly KeyringEntry[];
  /** Clock in epoch milliseconds. */
  readonly now?: () => number;
  /** How long a new key is published before it signs, so remote JWKS caches learn it first. Default 10 min. */
  readonly prepublishSeconds?: number;
  /** The longest access-token lifetime plus leeway: how long a replaced key keeps verifying. Default 1 h 5 min. */
  readonly verifyOverlapSeconds?: number;
}

/**
 * The signing and verification keys of one deployment. State is derived from each key's schedule and the
 * clock on every call, so every node that shares the same entries agrees without coordination.
 *
 * @example
 * ```ts
 * const keyring = new Keyring({ entries: [{ key: await generateKeyMaterial({ alg: 'EdDSA' }), createdAt: Date.now(), activatesAt: Date.now() }] });
 * keyring.signingKey().kid;
 * ```
 */
export class Keyring {
  readonly #now: () => number;
  readonly #prepublishMs: number;
  readonly #overlapMs: number;
  #entries: KeyringEntry[];
  #byKid = new Map<string, KeyringEntry>();

  constructor(options: KeyringOptions) {
    this.#now = options.now ?? Date.now;
    this.#prepublishMs = (options.prepublishSeconds ?? 600) * 1000;
    this.#overlapMs = (options.verifyOverlapSeconds ?? 3900) * 1000;
    this.#entries = [...options.entries].sort((a, b) => a.activatesAt - b.activatesAt);
    this.#index();
  }

  /** All entries, oldest first, for persistence. */
  get entries(): readonly KeyringEntry[] {
    return this.#entries;
  }

  /**
   * The key that signs now: the most recently activated one that has not retired.
   *
   * @example
   * ```ts
   * const { kid, alg } = keyring.signingKey();
   * ```
   */
  signingKey(): KeyMaterial {
    const now = this.#now();
    let current: KeyringEntry | undefined;
    for (const entry of this.#entries) {
      if (entry.activatesAt <= now && (entry.retiresAt === undefined || entry.retiresAt > now))
        current = entry;
    }
    if (current === undefined)
      throw new TesseraError('KEY_INVALID', 'The keyring has no key that may sign now.');
    return current.key;
  }

  /**
   * The key a token names by `kid`, if it is published and not retired. There is no fallback key.
   *
   * @example
   * ```ts
   * keyring.verificationKey(header.kid)?.publicKey;
   * ```
   */
  verificationKey(kid: string): KeyMaterial | undefined {
    const entry = this.#byKid.get(kid);
    if (entry === undefined) return undefined;
    if (entry.retiresAt !== undefined && entry.retiresAt <= this.#now()) return undefined;
    return entry.key;
  }

  /**
   * The public keys as an RFC 7517 JWK Set: every published, unretired asymmetric key. Never private material.
   *
   * @example
   * ```ts
   * new Response(JSON.stringify(keyring.jwks()), { headers: { 'content-type': 'application/jwk-set+json' } });
   * ```
   */
  jwks(): { keys: JWK[] } {
    const now = this.#now();
    const keys: JWK[] = [];
    for (const entry of this.#entries) {
      if (entry.retiresAt !== undefined && entry.retiresAt <= now) continue;
      const jwk = exportPublicJwk(entry.key);
      if (jwk !== undefined) keys.push(jwk);
    }
    return { keys };
  }

  /**
   * Starts a rotation: publishes a new key now, lets it sign after the pre-publication delay, and schedules
   * the keys it replaces to retire once every token they signed has expired. Returns the new entry; persist
   * `keyring.entries` afterwards.
   *
   * @example
   * ```ts
   * await keyring.rotate({ alg: 'EdDSA' });
   * await keyStore.save(keyring.entries);
   * ```
   */
  async rotate(options: { alg: Algorithm; key?: KeyMaterial }): Promise<KeyringEntry> {
    const now = this.#now();
    const key = options.key ?? (await generateKeyMaterial({ alg: options.alg }));
    const activatesAt = now + this.#prepublishMs;
    const retiresAt = activatesAt + this.#overlapMs;
    this.#entries = this.#entries.map((entry) =>
      entry.retiresAt === undefined || entry.retiresAt > retiresAt
        ? { ...entry, retiresAt }
        : entry,
    );
    const entry: KeyringEntry = { key, createdAt: now, activatesAt };
    this.#entries.push(entry);
    this.#index();
    return entry;
  }

  /**
   * Drops keys that retired more than a day ago, so the persisted keyring does not grow forever.
   *
   * @example
   * ```ts
   * keyring.prune();
   * ```
   */
  prune(): void {
    const cutoff = this.#now() - 86_400_000;
    this.#entries = this.#entries.filter(
      (entry) => entry.retiresAt === undefined || entry.retiresAt > cutoff,
    );
    this.#index();
  }

  #index(): void {
    this.#byKid = new Map(this.#entries.map((entry) => [entry.key.kid, entry]));
  }
}
