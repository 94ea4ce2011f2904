/**
 * The JWS algorithms Tessera signs and verifies (RFC 7518, RFC 8037). EdDSA means Ed25519.
 *
 * @example
 * ```ts
 * const alg: Algorithm = 'ES256';
 * ```
 */
export type Algorithm = 'EdDSA' | 'ES256' | 'RS256' | 'PS256' | 'HS256';

/**
 * The supported algorithms, default first. ES256 is the default because every common JWT stack
 * verifies it (several refuse Ed25519 keys: see the README's verifier table); EdDSA, RS256 and PS256
 * are there by choice.
 *
 * @example
 * ```ts
 * ALGORITHMS[0]; // 'ES256'
 * ```
 */
export const ALGORITHMS: readonly Algorithm[] = ['ES256', 'EdDSA', 'RS256', 'PS256', 'HS256'];

/**
 * The algorithm of a new keyring's first key, and of `tessera keys rotate` without `--alg`.
 *
 * @example
 * ```ts
 * DEFAULT_ALGORITHM; // 'ES256'
 * ```
 */
export const DEFAULT_ALGORITHM: PublishableAlgorithm = 'ES256';

/**
 * An algorithm whose verification key can be published in a JWKS (every one but HS256).
 *
 * @example
 * ```ts
 * const alg: PublishableAlgorithm = 'PS256';
 * ```
 */
export type PublishableAlgorithm = Exclude<Algorithm, 'HS256'>;

/**
 * The algorithms a server may sign with from a published JWKS: all but HS256, whose secret can never
 * be published, so no separate API could verify its tokens.
 *
 * @example
 * ```ts
 * PUBLISHABLE_ALGORITHMS; // ['ES256', 'EdDSA', 'RS256', 'PS256']
 * ```
 */
export const PUBLISHABLE_ALGORITHMS: readonly PublishableAlgorithm[] = [
  'ES256',
  'EdDSA',
  'RS256',
  'PS256',
];

/**
 * Narrows a string to a supported algorithm.
 *
 * @example
 * ```ts
 * isAlgorithm('HS256'); // true
 * ```
 */
export function isAlgorithm(value: unknown): value is Algorithm {
  return typeof value === 'string' && (ALGORITHMS as readonly string[]).includes(value);
}
