/**
 * Checks the JWKS a deployment publishes the way an API will use it: reachable, JSON, and every key
 * with its own kid, a supported alg, and no private members.
 */
import { isAlgorithm } from '../../jwa/algorithms.js';
import type { CheckResult, Finding } from '../diagnosis.js';
import { timedFetch } from '../server-client.js';

// The private members of RSA, EC, OKP and oct JWKs: any of them in a published key is a leak.
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/**
 * Reads the JWKS at `url` and checks every key in it.
 *
 * @example
 * ```ts
 * const { passed, findings } = await checkJwks({ url: 'https://auth.example.com/.well-known/jwks.json' });
 * ```
 */
export async function checkJwks(options: {
  url: string;
  fetch?: typeof fetch;
}): Promise<CheckResult> {
  const { url } = options;
  const findings: Finding[] = [];
  // Most JWKS problems are failures: APIs reading this JWKS refuse good tokens, or accept forged ones.
  const failure = (id: string, what: string, why: string, fix: string): Finding => ({
    id,
    severity: 'danger',
    bucket: 'validation',
    what,
    why,
    fix,
  });
  const response = await timedFetch(options.fetch, url, {
    headers: { accept: 'application/jwk-set+json, application/json' },
  });
  if (!response.ok)
    return {
      passed: [],
      findings: [
        failure(
          'jwks-unreachable',
          `The JWKS at ${url} answered HTTP ${response.status}.`,
          'APIs cannot verify any token without it.',
          'Serve the JWKS at the jwks_uri the metadata publishes.',
        ),
      ],
    };
  let body: { keys?: unknown };
  try {
    body = (await response.json()) as { keys?: unknown };
  } catch {
    return {
      passed: [],
      findings: [
        failure(
          'jwks-not-json',
          `The JWKS at ${url} is not JSON.`,
          'APIs cannot verify any token without it.',
          "Serve the keyring's jwks() as application/jwk-set+json.",
        ),
      ],
    };
  }
  if (!Array.isArray(body.keys) || body.keys.length === 0) {
    return {
      passed: [],
      findings: [
        failure(
          'jwks-empty',
          `The JWKS at ${url} has no keys.`,
          'APIs refuse every token (KEY_UNKNOWN); HS256-only deployments cannot be verified by separate APIs at all.',
          'Sign with an asymmetric key (EdDSA by default) so APIs can verify with the public half.',
        ),
      ],
    };
  }
  const seen = new Set<string>();
  let good = 0;
  for (const [index, jwk] of (body.keys as Record<string, unknown>[]).entries()) {
    const label = typeof jwk.kid === 'string' ? `key ${JSON.stringify(jwk.kid)}` : `key #${index}`;
    if (typeof jwk.kid !== 'string' || jwk.kid === '') {
      findings.push(
        failure(
          'jwks-missing-kid',
          `${label} in the JWKS has no kid.`,
          'Tokens name their key by kid; a key without one is skipped by every Tessera API, and a rotation cannot overlap.',
          'Publish every key with its kid.',
        ),
      );
      continue;
    }
    if (seen.has(jwk.kid))
      findings.push(
        failure(
          'jwks-duplicate-kid',
          `Two keys in the JWKS share the kid ${JSON.stringify(jwk.kid)}.`,
          'An API picks one of them; tokens signed by the other fail SIGNATURE_INVALID at random.',
          'Give every key its own kid (Tessera uses the RFC 7638 thumbprint).',
        ),
      );
    seen.add(jwk.kid);
    const leaked = PRIVATE_JWK_MEMBERS.filter((member) => member in jwk);
    if (leaked.length > 0) {
      findings.push(
        failure(
          'jwks-private',
          `${label} in the JWKS publishes private members (${leaked.join(', ')}).`,
          'Anyone can download them and sign tokens for any user.',
          'Remove the key, rotate immediately, and publish only public members (exportPublicJwk).',
        ),
      );
      continue;
    }
    if (!isAlgorithm(jwk.alg) || jwk.alg === 'HS256') {
      findings.push({
        id: 'jwks-alg',
        severity: 'warning',
        bucket: 'validation',
        what: `${label} has no supported "alg" (${JSON.stringify(jwk.alg ?? null)}).`,
        why: 'Tessera APIs pin the algorithm to the key and skip keys without one.',
        fix: 'Publish alg with every key (EdDSA, ES256, RS256 or PS256).',
      });
      continue;
    }
    good++;
  }
  const passed =
    good > 0
      ? [`JWKS at ${url}: ${good} usable key${good === 1 ? '' : 's'}, each with a kid and an alg`]
      : [];
  return { passed, findings };
}
