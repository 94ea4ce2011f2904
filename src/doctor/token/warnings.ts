/**
 * Warnings beyond the verdict: traps a token shows even when it verifies.
 */
import { describeUntrusted, formatDuration } from '../../errors/explain.js';
import { findSensitiveClaim } from '../../jwt/sensitive-claims.js';
import { assertStrongSecret } from '../../keys/secret-strength.js';
import type { Finding } from '../diagnosis.js';

const LONGEST_SANE_LIFETIME_S = 3600;
const LONGEST_TOLERABLE_LIFETIME_S = 86_400;
const SHORTEST_SANE_LIFETIME_S = 60;
// Personal data by OIDC standard claim names: readable by anyone holding the token, though not secret.
const PERSONAL_CLAIMS = [
  'email',
  'phone_number',
  'address',
  'birthdate',
  'name',
  'given_name',
  'family_name',
];

/**
 * Warnings about a decoded (untrusted) header and payload: alg none, a missing kid, a missing exp,
 * lifetimes far from sane ranges, secrets or personal data in the payload.
 *
 * @example
 * ```ts
 * warnAbout({ header: { alg: 'none' }, payload: {} }).map((w) => w.id); // ['alg-none', 'missing-kid', 'missing-exp']
 * ```
 */
export function warnAbout(decoded: {
  header: Readonly<Record<string, unknown>> | null;
  payload: Readonly<Record<string, unknown>> | null;
}): Finding[] {
  const { header, payload } = decoded;
  const warnings: Finding[] = [];
  if (header !== null) {
    if (typeof header.alg === 'string' && header.alg.toLowerCase() === 'none') {
      warnings.push({
        id: 'alg-none',
        severity: 'danger',
        bucket: 'validation',
        what: 'The header says alg "none": the token is unsigned.',
        why: 'Anyone can write such a token; a verifier that honours "none" accepts any claims at all.',
        fix: 'Never issue or accept unsigned tokens; pin the algorithm to the key on every verifier.',
      });
    }
    if (header.kid === undefined) {
      warnings.push({
        id: 'missing-kid',
        severity: 'warning',
        bucket: 'validation',
        what: 'The header has no "kid".',
        why: 'Without a key id a verifier cannot pick the right key during a rotation: either every rotation logs users out or it tries keys in turn.',
        fix: 'Sign with a kid that names the key (Tessera uses the RFC 7638 thumbprint) and publish it in the JWKS.',
      });
    }
  }
  if (payload === null) return warnings;
  const { exp, iat } = payload;
  if (exp === undefined) {
    warnings.push({
      id: 'missing-exp',
      severity: 'danger',
      bucket: 'time',
      what: 'The payload has no "exp": the token never expires.',
      why: 'A leaked token without exp works forever; nothing but a key rotation stops it.',
      fix: 'Issue access tokens with exp (15 minutes is the default) and refresh them.',
    });
  } else if (typeof exp === 'number' && typeof iat === 'number' && exp > iat) {
    warnings.push(...lifetimeWarnings(exp - iat));
  }
  const sensitive = findSensitiveClaim(payload);
  if (sensitive !== undefined) {
    warnings.push({
      id: 'sensitive-claim',
      severity: 'danger',
      bucket: 'validation',
      what: `The claim ${describeUntrusted(sensitive)} looks like a secret or personal data.`,
      why: 'A JWT payload is only base64url: anyone holding the token (logs, browser storage, proxies) can read it.',
      fix: 'Keep secrets and personal data on the server; put an id in the token and look the rest up.',
    });
  }
  const personal = PERSONAL_CLAIMS.filter((name) => payload[name] !== undefined);
  if (personal.length > 0) {
    warnings.push({
      id: 'personal-data',
      severity: 'warning',
      bucket: 'validation',
      what: `The payload carries personal data: ${personal.join(', ')}.`,
      why: 'Access tokens end up in logs, crash reports and browser storage, where personal data must not.',
      fix: 'Serve profile data from an API (GET /auth/me) instead of the access token.',
    });
  }
  return warnings;
}

function lifetimeWarnings(lifetime: number): Finding[] {
  if (lifetime > LONGEST_SANE_LIFETIME_S) {
    return [
      {
        id: 'long-lifetime',
        severity: lifetime > LONGEST_TOLERABLE_LIFETIME_S ? 'danger' : 'warning',
        bucket: 'time',
        what: `The token lives ${formatDuration(lifetime)} (iat to exp).`,
        why: 'A revoked session keeps working on stateless APIs until its access token expires, and a leaked token is usable as long.',
        fix: 'Keep access tokens short (5 to 15 minutes) and use the refresh token for long sessions.',
      },
    ];
  }
  if (lifetime < SHORTEST_SANE_LIFETIME_S) {
    return [
      {
        id: 'short-lifetime',
        severity: 'warning',
        bucket: 'time',
        what: `The token lives only ${formatDuration(lifetime)}.`,
        why: 'Clock drift between servers and network latency eat most of it; clients refresh constantly and log users out on any hiccup.',
        fix: 'Use at least a few minutes (15 minutes is the default).',
      },
    ];
  }
  return [];
}

/**
 * A warning when the HMAC secret the user gave is weak, in the words `assertStrongSecret` uses.
 *
 * @example
 * ```ts
 * warnAboutSecret('secret')?.what; // 'HS256 secret refused: it is a well-known example secret. ...'
 * ```
 */
export function warnAboutSecret(secret: string): Finding | undefined {
  try {
    assertStrongSecret(secret);
    return undefined;
  } catch (error) {
    return {
      id: 'weak-secret-given',
      severity: 'danger',
      bucket: 'validation',
      what: error instanceof Error ? error.message : 'The HS256 secret is weak.',
      why: 'A weak HMAC secret can be guessed offline from any one token, and then every token can be forged.',
      fix: 'Rotate to 32 random bytes (or an asymmetric key) and sign everyone in again.',
    };
  }
}
