// The rules by which Tessera is stricter than jose on purpose, and a classifier that names the rules a
// token breaks from the token alone (test/jwt/differential.test.ts).
import type { ErrorCode, KeyMaterial } from '../../../src/index.js';
import { MAX_TOKEN_BYTES } from '../../../src/jws/compact.js';
import { P256_N, splitRS } from '../../support/forge.js';

/** The maximum access-token lifetime both sides are given, in seconds. */
export const MAX_LIFETIME = 3600;

/** Where Tessera is stricter than jose, and the codes it answers with for each. */
export const STRICTER_RULES = {
  'token-over-8kb': ['TOKEN_TOO_LARGE'],
  'non-canonical-base64url': ['TOKEN_MALFORMED', 'SIGNATURE_INVALID', 'CLAIM_INVALID'],
  'duplicate-member-name': ['HEADER_NOT_ALLOWED', 'CLAIM_INVALID'],
  'refused-header-parameter': ['HEADER_NOT_ALLOWED'],
  'nested-or-encrypted-header': ['TOKEN_UNSUPPORTED'],
  'kid-not-the-key': ['KEY_UNKNOWN'],
  'ecdsa-not-low-s': ['SIGNATURE_INVALID'],
  'claim-missing-or-wrong-type': ['CLAIM_INVALID'],
  'exp-not-after-iat': ['CLAIM_INVALID'],
  'lifetime-over-maximum': ['TOKEN_LIFETIME_TOO_LONG'],
} as const satisfies Record<string, readonly ErrorCode[]>;
export type StricterRule = keyof typeof STRICTER_RULES;

const CANONICAL = /^[A-Za-z0-9_-]*$/;
/** The base64url alphabet, in value order. */
export const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function isCanonicalBase64url(text: string): boolean {
  if (!CANONICAL.test(text) || text.length % 4 === 1) return false;
  const last = B64.indexOf(text.at(-1) ?? 'A');
  return text.length % 4 === 0 || (last & (text.length % 4 === 2 ? 15 : 3)) === 0;
}

/** Object member names seen twice at any depth, found by a tokenizer of its own (not Tessera's). */
function hasDuplicateName(text: string): boolean {
  const stack: { names: Set<string> | null; expectName: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const top = stack.at(-1);
    if (ch === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (top?.names && top.expectName) {
        const name = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.names.has(name)) return true;
        top.names.add(name);
        top.expectName = false;
      }
      i = end;
    } else if (ch === '{') stack.push({ names: new Set(), expectName: true });
    else if (ch === '[') stack.push({ names: null, expectName: false });
    else if (ch === '}' || ch === ']') stack.pop();
    else if (ch === ',' && top?.names) top.expectName = true;
  }
  return false;
}

function parseSegment(text: string): { value: unknown; json: string } | undefined {
  try {
    const json = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(text, 'base64url'));
    return { value: JSON.parse(json) as unknown, json };
  } catch {
    return undefined;
  }
}

const isNumericDate = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isStrings = (v: unknown): boolean =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Every stricter rule the token breaks, judged from the token alone. */
export function stricterRules(token: string, key: KeyMaterial): StricterRule[] {
  const rules: StricterRule[] = [];
  if (Buffer.byteLength(token) > MAX_TOKEN_BYTES) rules.push('token-over-8kb');
  const segments = token.split('.');
  if (segments.length !== 3) return rules;
  const [h, p, s] = segments as [string, string, string];
  if (![h, p, s].every(isCanonicalBase64url)) rules.push('non-canonical-base64url');
  const header = parseSegment(h);
  const payload = parseSegment(p);
  if ((header && hasDuplicateName(header.json)) || (payload && hasDuplicateName(payload.json)))
    rules.push('duplicate-member-name');
  if (header && typeof header.value === 'object' && header.value !== null) {
    const names = Object.keys(header.value);
    if (names.some((n) => ['jku', 'x5u', 'jwk', 'x5c', 'crit', 'b64'].includes(n)))
      rules.push('refused-header-parameter');
    if (names.some((n) => ['cty', 'enc', 'zip'].includes(n)))
      rules.push('nested-or-encrypted-header');
    if ((header.value as { kid?: unknown }).kid !== key.kid) rules.push('kid-not-the-key');
  }
  if (key.alg === 'ES256') {
    const sig = Buffer.from(s, 'base64url');
    if (sig.length === 64) {
      const { r, s: sv } = splitRS(sig);
      if (r === 0n || sv === 0n || r >= P256_N || sv > P256_N / 2n) rules.push('ecdsa-not-low-s');
    }
  }
  if (
    payload &&
    typeof payload.value === 'object' &&
    payload.value !== null &&
    !Array.isArray(payload.value)
  ) {
    const c = payload.value as Record<string, unknown>;
    const shapeOk =
      ['iss', 'sub', 'client_id', 'sid', 'jti'].every(
        (n) => typeof c[n] === 'string' && c[n] !== '',
      ) &&
      isNumericDate(c.exp) &&
      isNumericDate(c.iat) &&
      (c.nbf === undefined || isNumericDate(c.nbf)) &&
      (c.scope === undefined || typeof c.scope === 'string') &&
      (c.roles === undefined || isStrings(c.roles)) &&
      (typeof c.aud === 'string' || isStrings(c.aud));
    if (!shapeOk) rules.push('claim-missing-or-wrong-type');
    else if ((c.exp as number) <= (c.iat as number)) rules.push('exp-not-after-iat');
    else if ((c.exp as number) - (c.iat as number) > MAX_LIFETIME)
      rules.push('lifetime-over-maximum');
  }
  return rules;
}
