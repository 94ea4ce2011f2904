/**
 * A JWT is a readable ID card, not a vault: anyone holding it can base64-decode the payload. These
 * checks refuse to sign secrets and personal data.
 */

const SENSITIVE_NAMES = new Set([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'clientsecret',
  'apikey',
  'apisecret',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'privatekey',
  'hash',
  'passwordhash',
  'salt',
  'ssn',
  'socialsecuritynumber',
  'creditcard',
  'cardnumber',
  'ccnumber',
  'cc',
  'cvv',
  'cvc',
  'pin',
  'iban',
  'dob',
  'dateofbirth',
  'otp',
  'totpsecret',
  'mfasecret',
]);
// Words that mark a secret wherever they appear in a name (userPassword, db_password, stripeSecretKey);
// short fragments such as "pin" or "token" only count as the whole name.
const SENSITIVE_FRAGMENTS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'privatekey',
  'apikey',
  'creditcard',
  'cardnumber',
  'socialsecurity',
];

/**
 * Finds the first claim path that holds a secret or personal data: a sensitive name at any depth, or a
 * string that is a payment card number (13 to 19 digits passing the Luhn check).
 *
 * @example
 * ```ts
 * findSensitiveClaim({ roles: ['admin'], user: { password: 'x' } }); // 'user.password'
 * ```
 */
export function findSensitiveClaim(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return looksLikeCardNumber(value) ? path || '(value)' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    if (!Array.isArray(value) && isSensitiveName(key.toLowerCase().replace(/[_\-\s]/g, '')))
      return childPath;
    const found = findSensitiveClaim(child, childPath);
    if (found !== undefined) return found;
  }
  return undefined;
}

function isSensitiveName(name: string): boolean {
  return (
    SENSITIVE_NAMES.has(name) || SENSITIVE_FRAGMENTS.some((fragment) => name.includes(fragment))
  );
}

function looksLikeCardNumber(text: string): boolean {
  const digits = text.replace(/[\s-]/g, '');
  if (!/^\d{13,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
