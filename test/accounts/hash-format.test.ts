// The accepted encodings, read and verified against hashes made by other implementations (CPython's
// hashlib for scrypt and PBKDF2 in the Django, passlib and PHC layouts; the OpenBSD bcrypt vector),
// and hostile spellings refused with the exact refusal before any work.
import { describe, expect, it } from 'vitest';
import {
  HASH_COST_CAPS,
  readPasswordHash,
  type HashRefusal,
} from '../../src/accounts/hash-format.js';
import { hashLikeLegacy, verifyLegacyHash } from '../../src/accounts/legacy-hash.js';

const PASSWORD = 'correct horse battery';

// Computed with CPython 3 hashlib (pbkdf2_hmac, scrypt) and base64, not with Tessera's code.
const FOREIGN: Record<string, string> = {
  django: 'pbkdf2_sha256$1000$seasalt1234$dVCseRolHWXn3dKCrJlqQnEHNpty/gC2g6pUYtCGT/4=',
  djangoSha1: 'pbkdf2_sha1$1000$seasalt1234$9RVOHg+1Tt+Q+cIzIj7An13yqIM=',
  passlib: '$pbkdf2-sha256$1200$AAECAwQFBgcICQoLDA0ODw$VWv7GkwXJx7zAm0EVDN0S1GXHRg4Up7lJjxYCMst2lk',
  passlib512:
    '$pbkdf2-sha512$1200$AAECAwQFBgcICQoLDA0ODw$XZncuHaSHzNAj4MmuUcXhm/pNnXDuDAQ1HUiCv4R5CGW7PFr0pO9.zVK61/dFWln7xxDi6WmEDj5sITVG/MR.Q',
  phc: '$pbkdf2-sha256$i=1500,l=32$AAECAwQFBgcICQoLDA0ODw$6yLtjYHsCgOuDNS9dXt1oim5z6Tv2zj4fWg5rPRLzzQ',
  phc512:
    '$pbkdf2-sha512$i=1500,l=64$AAECAwQFBgcICQoLDA0ODw$LN9ejvrHQOOozH5MqG8RMQ97xUZxuCTb4YlKOYhhY3Z0lCrzYVMhU2xIsbrQrabDolzpHiRDIvbZtkuJPDTDLw',
  scrypt:
    '$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk',
};
// OpenBSD's test vector for "U*U", in each accepted bcrypt prefix.
const BCRYPT_BODY = '05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW';

function refusalOf(text: string): HashRefusal | undefined {
  const reading = readPasswordHash(text);
  return reading.ok ? undefined : reading.refusal;
}

describe('accepted encodings', () => {
  it.each(Object.entries(FOREIGN))(
    '%s: the right password matches, a wrong one does not',
    async (_, hash) => {
      expect(readPasswordHash(hash).ok).toBe(true);
      expect(await verifyLegacyHash(hash, PASSWORD)).toBe(true);
      expect(await verifyLegacyHash(hash, `${PASSWORD}!`)).toBe(false);
    },
  );

  it.each(['$2a$', '$2b$', '$2y$'])('bcrypt %s matches the OpenBSD vector', async (prefix) => {
    const hash = `${prefix}${BCRYPT_BODY}`;
    expect(readPasswordHash(hash)).toEqual({
      ok: true,
      spec: { scheme: 'bcrypt', variant: prefix.slice(1, 3), cost: 5 },
    });
    expect(await verifyLegacyHash(hash, 'U*U')).toBe(true);
    expect(await verifyLegacyHash(hash, 'U*V')).toBe(false);
  });

  it('reads the parameters of each layout', () => {
    expect(readPasswordHash(FOREIGN.scrypt as string)).toMatchObject({
      ok: true,
      spec: { scheme: 'scrypt', logN: 10, r: 8, p: 1 },
    });
    expect(readPasswordHash(FOREIGN.django as string)).toMatchObject({
      ok: true,
      spec: { scheme: 'pbkdf2', encoding: 'django', digest: 'sha256', iterations: 1000 },
    });
    expect(readPasswordHash(FOREIGN.passlib512 as string)).toMatchObject({
      ok: true,
      spec: { scheme: 'pbkdf2', encoding: 'passlib', digest: 'sha512', iterations: 1200 },
    });
  });

  it('mints a dummy of the same scheme and cost that verifies like a real one', async () => {
    for (const hash of [...Object.values(FOREIGN), `$2y$${BCRYPT_BODY}`]) {
      const reading = readPasswordHash(hash);
      if (!reading.ok || reading.spec.scheme === 'argon2id') throw new Error(hash);
      const dummy = await hashLikeLegacy(reading.spec, 'a random password');
      expect(dummy).not.toBe(hash);
      const again = readPasswordHash(dummy);
      if (!again.ok) throw new Error(dummy);
      // Same scheme and cost; a fresh salt and so another digest.
      const costOf = (spec: object): object =>
        Object.fromEntries(
          Object.entries(spec).filter(([key]) => key !== 'salt' && key !== 'hash'),
        );
      expect(costOf(again.spec)).toEqual(costOf(reading.spec));
      expect(await verifyLegacyHash(dummy, 'a random password')).toBe(true);
    }
  });
});

describe('hostile hashes, refused before any work', () => {
  const salt = 'AAECAwQFBgcICQoLDA0ODw';
  const digest = 'hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk';
  it.each([
    ['bcrypt $2x$ (a crypt_blowfish bug marker)', `$2x$${BCRYPT_BODY}`, 'format-unknown'],
    ['bcrypt $2$', `$2$${BCRYPT_BODY}`, 'format-unknown'],
    [
      'argon2i',
      '$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
      'format-unknown',
    ],
    ['md5-crypt', '$1$saltsalt$qjXMvbEw8oaL.CzflDugX/', 'format-unknown'],
    ['plain text', 'hunter2', 'format-unknown'],
    ['empty', '', 'format-unknown'],
    ['bcrypt truncated', `$2b$${BCRYPT_BODY.slice(0, -1)}`, 'encoding-invalid'],
    ['bcrypt with a base64 +', `$2b$${BCRYPT_BODY.slice(0, -1)}+`, 'encoding-invalid'],
    ['bcrypt one-digit cost', `$2b$5$${BCRYPT_BODY.slice(3)}`, 'encoding-invalid'],
    ['bcrypt cost 31', `$2b$31$${BCRYPT_BODY.slice(3)}`, 'cost-too-high'],
    ['bcrypt cost 15', `$2b$15$${BCRYPT_BODY.slice(3)}`, 'cost-too-high'],
    ['scrypt ln=20 r=8 (1 GiB)', `$scrypt$ln=20,r=8,p=1$${salt}$${digest}`, 'cost-too-high'],
    ['scrypt p=64', `$scrypt$ln=16,r=8,p=64$${salt}$${digest}`, 'cost-too-high'],
    ['scrypt params reordered', `$scrypt$r=8,ln=10,p=1$${salt}$${digest}`, 'encoding-invalid'],
    ['scrypt with padding', `$scrypt$ln=10,r=8,p=1$${salt}==$${digest}`, 'encoding-invalid'],
    [
      'scrypt with url-safe base64',
      `$scrypt$ln=10,r=8,p=1$${salt}$${digest.replace('W', '_')}`,
      'encoding-invalid',
    ],
    [
      'scrypt non-canonical last char',
      `$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODx$${digest}`,
      'encoding-invalid',
    ],
    ['scrypt truncated digest', `$scrypt$ln=10,r=8,p=1$${salt}$hKGW`, 'encoding-invalid'],
    ['scrypt leading zero', `$scrypt$ln=010,r=8,p=1$${salt}$${digest}`, 'encoding-invalid'],
    [
      'PBKDF2 10^8 iterations',
      `$pbkdf2-sha256$i=100000000,l=32$${salt}$${digest}`,
      'cost-too-high',
    ],
    ['PBKDF2 l disagrees', `$pbkdf2-sha256$i=1000,l=64$${salt}$${digest}`, 'encoding-invalid'],
    ['PBKDF2 zero iterations', `$pbkdf2-sha256$i=0,l=32$${salt}$${digest}`, 'encoding-invalid'],
    [
      'Django 10^9 iterations',
      'pbkdf2_sha256$999999999$seasalt$dVCseRolHWXn3dKCrJlqQnEHNpty/gC2g6pUYtCGT/4=',
      'cost-too-high',
    ],
    [
      'Django unpadded hash',
      'pbkdf2_sha256$1000$seasalt1234$dVCseRolHWXn3dKCrJlqQnEHNpty/gC2g6pUYtCGT/4',
      'encoding-invalid',
    ],
    [
      'Django salt with a quote',
      `pbkdf2_sha256$1000$sea"salt$dVCseRolHWXn3dKCrJlqQnEHNpty/gC2g6pUYtCGT/4=`,
      'encoding-invalid',
    ],
    [
      'argon2id 4 GiB',
      '$argon2id$v=19$m=4194304,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
      'cost-too-high',
    ],
    ['a 10 kB string', `$2b$10$${'a'.repeat(10_000)}`, 'format-unknown'],
  ])('%s', async (_, hash, refusal) => {
    expect(refusalOf(hash)).toBe(refusal);
    expect(await verifyLegacyHash(hash, PASSWORD)).toBe(false);
  });

  it('caps bcrypt at 14 and accepts 04 to 14', () => {
    expect(HASH_COST_CAPS.bcryptCost).toBe(14);
    expect(refusalOf(`$2b$04$${BCRYPT_BODY.slice(3)}`)).toBeUndefined();
    expect(refusalOf(`$2b$14$${BCRYPT_BODY.slice(3)}`)).toBeUndefined();
    expect(refusalOf(`$2b$03$${BCRYPT_BODY.slice(3)}`)).toBe('encoding-invalid');
  });
});
