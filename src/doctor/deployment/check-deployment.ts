/**
 * `tessera doctor --server URL` without a token: checks a running deployment end to end. Metadata and
 * JWKS, the server clock, and with test credentials the refresh cookie, SameSite reach, CORS and Origin
 * rules, and whether issued tokens carry what the server publishes.
 */
import { DEFAULT_LEEWAY_SECONDS } from '../../jwt/time-options.js';
import { REFRESH_COOKIE } from '../../wire/names.js';
import { clockNoiseMs, describeClockOffset, measureClockOffset } from '../clock-offset.js';
import type { DeploymentReport, Finding, IssuedTokenJudge } from '../diagnosis.js';
import { fetchMetadata, reachableJwksUrl } from '../server-client.js';
import { checkRefreshCookie, checkSameSite, parseSetCookie } from './cookie-checks.js';
import { checkOrigins } from './cors-checks.js';
import { checkJwks } from './jwks-checks.js';
import { checkMetadata } from './metadata-checks.js';
import { loginAndRefresh } from './session-checks.js';

/**
 * Options of {@link checkDeployment}.
 *
 * @example
 * ```ts
 * const options: CheckDeploymentOptions = { server: 'https://auth.example.com', judgeIssuedToken: diagnoseIssuedToken };
 * ```
 */
export interface CheckDeploymentOptions {
  readonly server: string;
  /** The browser origin of the app, for SameSite and CORS. */
  readonly origin?: string | undefined;
  readonly email?: string | undefined;
  readonly password?: string | undefined;
  /** Judges the access token the test login issues; the token path provides `diagnoseIssuedToken`. */
  readonly judgeIssuedToken: IssuedTokenJudge;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly samples?: number;
}

/**
 * Checks a running deployment. Throws CannotJudgeError when the server cannot be reached at all.
 *
 * @example
 * ```ts
 * const report = await checkDeployment({
 *   server: 'https://auth.example.com',
 *   origin: 'https://app.example.com',
 *   judgeIssuedToken: diagnoseIssuedToken,
 * });
 * ```
 */
export async function checkDeployment(options: CheckDeploymentOptions): Promise<DeploymentReport> {
  const passed: string[] = [];
  const findings: Finding[] = [];
  const skipped: string[] = [];
  const withFetch = options.fetch ? { fetch: options.fetch } : {};
  const metadata = await fetchMetadata({ baseUrl: options.server, ...withFetch });
  const published = checkMetadata({ metadata, server: options.server });
  passed.push(...published.passed);
  findings.push(...published.findings);
  const jwks = await checkJwks({ url: reachableJwksUrl(metadata, options.server), ...withFetch });
  passed.push(...jwks.passed);
  findings.push(...jwks.findings);

  const clock = await measureClockOffset({
    baseUrl: options.server,
    ...withFetch,
    ...(options.now ? { now: options.now } : {}),
    ...(options.samples ? { samples: options.samples } : {}),
  });
  const offset = describeClockOffset({
    clock,
    leewaySeconds: metadata.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS,
  });
  if (offset === undefined)
    passed.push(
      `server clock within ${Math.round(clockNoiseMs(clock))} ms of this machine's (offset ${clock.offsetMs} ms)`,
    );
  else findings.push(offset);

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
      judgeIssuedToken: options.judgeIssuedToken,
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
