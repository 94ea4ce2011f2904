import { parseArgs } from 'node:util';
import { PUBLISHABLE_ALGORITHMS, type PublishableAlgorithm } from '../jwa/algorithms.js';
import { sealKeyringEntry } from '../keys/key-store.js';
import { resealStoredKeyring } from '../keys/keyring-reseal.js';
import { loadKeyring } from '../keys/load-keyring.js';
import { generateSecret } from '../keys/secret-strength.js';
import { formatInstant } from '../errors/explain.js';
import { isTesseraError } from '../errors/tessera-error.js';
import { resolveConfig } from '../server/config.js';
import { openStore } from '../server/open-store.js';
import { usageError, type CliCommand } from './command.js';

const USAGE = `Usage: tessera keys list|rotate|reseal [--db PATH | --database-url postgres://...] [--alg ALG]
       tessera keys secret

  list     the keyring in the server's store: each key's algorithm, state and times
  rotate   publish a new key (--alg ES256 by default; EdDSA, RS256 or PS256); it signs after the
           pre-publication delay, so remote JWKS caches learn it first; every node picks it up
  reseal   re-seal the stored keys under TESSERA_KEY_SECRET, opening old ones with
           TESSERA_KEY_SECRET_PREVIOUS
  secret   print a fresh TESSERA_KEY_SECRET (stdout holds only the secret)

  --alg ALG           the new key's algorithm: ES256 (default), EdDSA, RS256 or PS256
  --db PATH           the SQLite file (default ./tessera.db)   --database-url URL   or PostgreSQL

Signing keys are asymmetric: HS256 is refused, since its secret could never be published in the JWKS.`;

// HS256 has no public half: a keyring key signed with it could be verified by no separate API.
const isSigningAlgorithm = (alg: string): alg is PublishableAlgorithm =>
  (PUBLISHABLE_ALGORITHMS as readonly string[]).includes(alg);

/**
 * `tessera keys list|rotate|reseal|secret`: shows the keyring the server uses (in its SQLite file or
 * PostgreSQL database), starts a staged rotation that every node picks up within a minute, re-seals
 * the stored keys under the current TESSERA_KEY_SECRET (opening them with
 * TESSERA_KEY_SECRET_PREVIOUS where needed), or prints a fresh secret (stdout holds only the secret).
 *
 * @example
 * ```sh
 * npx tessera keys rotate --alg EdDSA
 * ```
 */
export const command: CliCommand = {
  summary: 'list the signing keys, or rotate them in stages (publish, then sign, then retire)',
  usage: USAGE,
  async run(args) {
    if (args[0] === 'secret' && args.length === 1) {
      process.stdout.write(`${generateSecret()}\n`);
      return 0;
    }
    let values: {
      db?: string;
      'database-url'?: string;
      alg: string;
      'access-ttl'?: string;
      leeway?: string;
    };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args: [...args],
        allowPositionals: true,
        options: {
          db: { type: 'string' },
          'database-url': { type: 'string' },
          alg: { type: 'string', default: 'ES256' },
          'access-ttl': { type: 'string' },
          leeway: { type: 'string' },
        },
      }));
    } catch (error) {
      return usageError('keys', (error as Error).message);
    }
    const action = positionals[0];
    if (action !== 'list' && action !== 'rotate' && action !== 'reseal')
      return usageError(
        'keys',
        `expected list, rotate, reseal or secret, got ${action ?? 'nothing'}`,
      );
    const { alg, ...flags } = values;
    if (!isSigningAlgorithm(alg)) {
      const why =
        alg === 'HS256'
          ? 'HS256 is symmetric: its secret cannot be published in /.well-known/jwks.json, so no separate API could verify its tokens'
          : `${JSON.stringify(alg.slice(0, 40))} is not an algorithm`;
      process.stderr.write(
        `tessera keys: CONFIG_INVALID: --alg ${why}; signing keys take ${PUBLISHABLE_ALGORITHMS.join(', ')}\n`,
      );
      return 2;
    }
    try {
      const config = await resolveConfig({ flags, env: process.env, cwd: process.cwd() });
      const store = await openStore({ databaseUrl: config['database-url'], sqlitePath: config.db });
      try {
        const encryptionSecret = config.keySecret;
        if (action === 'reseal') {
          const resealed = await resealStoredKeyring({
            store,
            secret: encryptionSecret,
            previousSecret: config.keySecretPrevious,
          });
          process.stderr.write(
            resealed === 0
              ? 'every stored key is already sealed (v2) under TESSERA_KEY_SECRET; nothing to do\n'
              : `re-sealed ${resealed} stored keys under TESSERA_KEY_SECRET (v2, scrypt); TESSERA_KEY_SECRET_PREVIOUS can be removed\n`,
          );
        }
        const keyring = await loadKeyring({
          store,
          encryptionSecret,
          previousEncryptionSecret: config.keySecretPrevious,
          onWarning: (warning) => process.stderr.write(`tessera keys: ${warning.message}\n`),
          production: config.production,
          verifyOverlapSeconds: config['access-ttl'] + config.leeway,
        });
        if (action === 'rotate') {
          const entry = await keyring.rotate({ alg });
          await store.saveKeys(
            keyring.entries.map((e) => sealKeyringEntry(e, { encryptionSecret })),
          );
          process.stdout.write(
            `published ${entry.key.kid} (${entry.key.alg}); it signs from ${formatInstant(entry.activatesAt / 1000)}\n`,
          );
        }
        const now = Date.now();
        for (const { key, activatesAt, retiresAt } of keyring.entries) {
          const state =
            retiresAt !== undefined && retiresAt <= now
              ? 'retired'
              : activatesAt > now
                ? 'published'
                : retiresAt !== undefined
                  ? 'verifying'
                  : 'signing';
          const retire =
            retiresAt === undefined ? '' : ` retires ${formatInstant(retiresAt / 1000)}`;
          process.stdout.write(
            `${key.kid}  ${key.alg.padEnd(5)}  ${state.padEnd(9)}  signs from ${formatInstant(activatesAt / 1000)}${retire}\n`,
          );
        }
        return 0;
      } finally {
        await store.close();
      }
    } catch (error) {
      if (!isTesseraError(error)) throw error;
      process.stderr.write(`tessera keys: ${error.code}: ${error.message}\n`);
      return 1;
    }
  },
};
