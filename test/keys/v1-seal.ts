// Builds key records the way Tessera wrote them before issue 15 (v1: HKDF of the secret, no stretching),
// so upgrade and re-seal tests start from a database as it really was.
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { StoredKey } from '../../src/keys/key-store.js';
import type { KeyringEntry } from '../../src/keys/keyring.js';

/** A record as Tessera before issue 15 wrote it: HKDF of the secret, no stretching. */
export function sealV1(source: KeyringEntry, secret: string, tagBytes = 16): StoredKey {
  const { key } = source;
  const der = key.privateKey.export({ format: 'der', type: 'pkcs8' });
  const kek = Buffer.from(hkdfSync('sha256', secret, 'tessera-keyring-v1', `kek|${key.kid}`, 32));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv, { authTagLength: tagBytes });
  cipher.setAAD(Buffer.from(`${key.kid}|${key.alg}`));
  const body = Buffer.concat([cipher.update(der), cipher.final()]);
  const sealed = Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  return {
    kid: key.kid,
    alg: key.alg,
    createdAt: 0,
    activatesAt: 0,
    retiresAt: null,
    sealedKey: `v1.${sealed}`,
  };
}
