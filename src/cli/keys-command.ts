import { parseArgs } from 'node:util';
import { isAlgorithm } from '../jwa/algorithms.js';
import { createFileKeyStore } from '../keys/file-key-store.js';
import { sealKeyringEntry } from '../keys/key-store.js';
import { loadKeyring } from '../keys/load-keyring.js';
import { formatInstant } from '../errors/explain.js';
import type { CliCommand } from './main.js';

const USAGE = 'Usage: tessera keys list|rotate [--keys-file PATH] [--alg EdDSA|ES256|RS256|PS256|HS256]';

/**
 * `tessera keys list|rotate`: shows the keyring's schedule, or starts a staged rotation.
 *
 * @example
 * ```sh
 * npx tessera keys rotate --alg EdDSA
 * ```
 */
export const command: CliCommand = {
  summary: 'list the signing keys, or rotate them in stages (publish, then sign, then retire)',
  async run(args) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { 'keys-file': { type: 'string', default: process.env.TESSERA_KEYS_FILE ?? '.tessera/keys.json' }, alg: { type: 'string', default: 'EdDSA' } },
    });
    const action = positionals[0];
    if ((action !== 'list' && action !== 'rotate') || !isAlgorithm(values.alg)) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    const store = createFileKeyStore({ path: values['keys-file'] });
    const encryptionSecret = process.env.TESSERA_KEY_SECRET;
    const keyring = await loadKeyring({ store, encryptionSecret });
    if (action === 'rotate') {
      const entry = await keyring.rotate({ alg: values.alg });
      await store.saveKeys(keyring.entries.map((e) => sealKeyringEntry(e, { encryptionSecret })));
      process.stdout.write(`published ${entry.key.kid} (${entry.key.alg}); it signs from ${formatInstant(entry.activatesAt / 1000)}\n`);
    }
    const now = Date.now();
    for (const { key, activatesAt, retiresAt } of keyring.entries) {
      const state = retiresAt !== undefined && retiresAt <= now ? 'retired' : activatesAt > now ? 'published' : retiresAt !== undefined ? 'verifying' : 'signing';
      const retire = retiresAt === undefined ? '' : ` retires ${formatInstant(retiresAt / 1000)}`;
      process.stdout.write(`${key.kid}  ${key.alg.padEnd(5)}  ${state.padEnd(9)}  signs from ${formatInstant(activatesAt / 1000)}${retire}\n`);
    }
    return 0;
  },
};
