/**
 * `tessera doctor --server URL` without a token: checks a running deployment end to end. Metadata and
 * JWKS, the server clock, and with test credentials the refresh cookie, SameSite reach, CORS and Origin
 * rules, and whether issued tokens carry what the server publishes.
 */
import { isAlgorithm } from '../jwa/algorithms.js';
import { REFRESH_COOKIE } from '../wire/names.js';
import type { ClockOffset, Finding } from './diagnosis.js';
import { measureClockOffset } from './clock-offset.js';
import { checkRefreshCookie, checkSameSite, parseSetCookie } from './cookie-checks.js';
import { checkOrigins, loginAndRefresh } from './session-checks.js';
import { reachableJwksUrl } from './diagnose-token.js';
import { fetchMetadata, timedFetch, type ServerMetadata } from './server-client.js';
import { describeClockFindings } from './token-findings.js';

/** Options of {@link checkDeployment}. */
export interface CheckDeploymentOptions {
  readonly server: string;
  /** The browser origin of the app, for SameSite and CORS. */
  readonly origin?: string | undefined;
  readonly email?: string | undefined;
  readonly password?: string | undefined;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly samples?: number;
}

/** The outcome of a deployment check. */
export interface DeploymentReport {
  readonly server: string;
  readonly passed: readonly string[];
  readonly findings: readonly Finding[];
  readonly skipped: readonly string[];
  readonly metadata: ServerMetadata;
  readonly clock: ClockOffset;
}

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/**
 * Checks a running deployment. Throws CannotJudgeError when the server cannot be reached at all.
 *
 * @example
 * ```ts
 * const report = await checkDeployment({ server: 'https://auth.example.com', origin: 'https://app.example.com' });
 * ```
 */
export async function checkDeployment(options: CheckDeploymentOptions): Promise<DeploymentReport> {
  const passed: string[] = [];
  const findings: Finding[] = [];
  const skipped: string[] = [];
  const fetcher = options.fetch;
  const withFetch = fetcher ? { fetch: fetcher } : {};
  const metadata = await fetchMetadata({ baseUrl: options.server, ...withFetch });
  passed.push(`metadata at /.well-known/oauth-authorization-server (issuer ${metadata.issuer})`);
  for (const problem of metadata.problems) {
    findings.push({
      id: 'metadata-member',
      severity: 'warning',
      bucket: null,
      what: `The metadata's ${problem}.`,
      why: 'Clients and the doctor read the audience, leeway, grace window and access TTL from it.',
      fix: "Serve the metadata from Tessera's discovery routes (or add the tessera_* members).",
    });
  }
  findings.push(...checkIssuer(metadata.issuer, options.server));
  await checkJwks(reachableJwksUrl(metadata, options.server), fetcher, passed, findings);

  const clock = await measureClockOffset({
    baseUrl: options.server,
    ...withFetch,
    ...(options.now ? { now: options.now } : {}),
    ...(options.samples ? { samples: options.samples } : {}),
  });
  const none = { ok: true, signatureChecked: true } as const;
  const clockFindings = describeClockFindings({
    clock,
    leewaySeconds: metadata.leewaySeconds ?? 60,
    primary: none,
    local: none,
  });
  if (clockFindings.length === 0)
    passed.push(
      `server clock within ${Math.round(clock.uncertaintyMs + 2000)} ms of this machine's (offset ${clock.offsetMs} ms)`,
    );
  findings.push(...clockFindings);

  const origin = options.origin ?? new URL(metadata.issuer).origin;
  const origins = await checkOrigins({ server: options.server, origin, ...withFetch });
  passed.push(...origins.passed);
  findings.push(...origins.findings);

  if (options.email === undefined || options.password === undefined) {
    skipped.push(
      'the refresh cookie, SameSite reach, refresh rotation and issued tokens: give --email and --password-env for a test account',
    );
  } else {
    const session = await loginAndRefresh({
      server: options.server,
      origin,
      email: options.email,
      password: options.password,
      metadata,
      clock,
      ...withFetch,
      ...(options.now ? { now: options.now } : {}),
    });
    passed.push(...session.passed);
    findings.push(...session.findings);
    skipped.push(...session.skipped);
    if (session.setCookie !== undefined) {
      const cookie = parseSetCookie(session.setCookie);
      const flags = checkRefreshCookie(cookie);
      const reach = checkSameSite({
        origin,
        server: options.server,
        sameSite:
          typeof cookie.attributes.samesite === 'string' ? cookie.attributes.samesite : undefined,
      });
      passed.push(...flags.passed, ...reach.passed);
      findings.push(...flags.findings, ...reach.findings);
    } else if (session.loggedIn) {
      findings.push({
        id: 'cookie-missing',
        severity: 'danger',
        bucket: 'storage',
        what: `The login response set no ${REFRESH_COOKIE} cookie.`,
        why: 'Browsers then have no refresh token: every reload logs the user out.',
        fix: 'Log in without "Token-Transport: body" from browsers; check no proxy strips Set-Cookie.',
      });
    }
  }
  return { server: options.server, passed, findings, skipped, metadata, clock };
}

function checkIssuer(issuer: string, server: string): Finding[] {
  const findings: Finding[] = [];
  let issuerUrl: URL;
  try {
    issuerUrl = new URL(issuer);
  } catch {
    return [
      {
        id: 'issuer-not-url',
        severity: 'danger',
        bucket: 'validation',
        what: `The issuer ${JSON.stringify(issuer)} is not a URL.`,
        why: 'RFC 8414 issuers are https URLs; APIs compare iss to it byte for byte.',
        fix: 'Set --issuer to the public https URL of the auth server.',
      },
    ];
  }
  if (issuerUrl.origin !== new URL(server).origin) {
    findings.push({
      id: 'issuer-elsewhere',
      severity: 'info',
      bucket: 'validation',
      what: `The issuer is ${issuer}, but the doctor reached the server at ${server}.`,
      why: 'Tokens carry the issuer; every API must expect exactly that string, whatever URL it uses internally.',
      fix: 'Make sure --issuer is the public URL and every API is configured with the same string.',
    });
  }
  if (
    issuerUrl.protocol === 'http:' &&
    !['localhost', '127.0.0.1', '[::1]'].includes(issuerUrl.hostname)
  ) {
    findings.push({
      id: 'issuer-http',
      severity: 'warning',
      bucket: 'validation',
      what: `The issuer ${issuer} is plain HTTP.`,
      why: 'Tokens, keys and cookies then travel unencrypted, and Secure cookies are not stored.',
      fix: 'Serve the auth server over HTTPS and set --issuer to its https URL.',
    });
  }
  return findings;
}

async function checkJwks(
  url: string,
  fetcher: typeof fetch | undefined,
  passed: string[],
  findings: Finding[],
): Promise<void> {
  const fail = (id: string, what: string, why: string, fix: string): void => {
    findings.push({ id, severity: 'danger', bucket: 'validation', what, why, fix });
  };
  const response = await timedFetch(fetcher, url, {
    headers: { accept: 'application/jwk-set+json, application/json' },
  });
  if (!response.ok)
    return fail(
      'jwks-unreachable',
      `The JWKS at ${url} answered HTTP ${response.status}.`,
      'APIs cannot verify any token without it.',
      'Serve the JWKS at the jwks_uri the metadata publishes.',
    );
  let body: { keys?: unknown };
  try {
    body = (await response.json()) as { keys?: unknown };
  } catch {
    return fail(
      'jwks-not-json',
      `The JWKS at ${url} is not JSON.`,
      'APIs cannot verify any token without it.',
      "Serve the keyring's jwks() as application/jwk-set+json.",
    );
  }
  if (!Array.isArray(body.keys) || body.keys.length === 0) {
    return fail(
      'jwks-empty',
      `The JWKS at ${url} has no keys.`,
      'APIs refuse every token (KEY_UNKNOWN); HS256-only deployments cannot be verified by separate APIs at all.',
      'Sign with an asymmetric key (EdDSA by default) so APIs can verify with the public half.',
    );
  }
  const seen = new Set<string>();
  let good = 0;
  for (const [index, jwk] of (body.keys as Record<string, unknown>[]).entries()) {
    const label = typeof jwk.kid === 'string' ? `key ${JSON.stringify(jwk.kid)}` : `key #${index}`;
    if (typeof jwk.kid !== 'string' || jwk.kid === '') {
      fail(
        'jwks-missing-kid',
        `${label} in the JWKS has no kid.`,
        'Tokens name their key by kid; a key without one is skipped by every Tessera API, and a rotation cannot overlap.',
        'Publish every key with its kid.',
      );
      continue;
    }
    if (seen.has(jwk.kid))
      fail(
        'jwks-duplicate-kid',
        `Two keys in the JWKS share the kid ${JSON.stringify(jwk.kid)}.`,
        'An API picks one of them; tokens signed by the other fail SIGNATURE_INVALID at random.',
        'Give every key its own kid (Tessera uses the RFC 7638 thumbprint).',
      );
    seen.add(jwk.kid);
    const leaked = PRIVATE_JWK_MEMBERS.filter((member) => member in jwk);
    if (leaked.length > 0) {
      fail(
        'jwks-private',
        `${label} in the JWKS publishes private members (${leaked.join(', ')}).`,
        'Anyone can download them and sign tokens for any user.',
        'Remove the key, rotate immediately, and publish only public members (exportPublicJwk).',
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
  if (good > 0)
    passed.push(
      `JWKS at ${url}: ${good} usable key${good === 1 ? '' : 's'}, each with a kid and an alg`,
    );
}
