/**
 * Deployment checks that talk to the auth endpoints: CORS and Origin rules, and with a test account a
 * real login, refresh and logout. Token and cookie values stay in memory; none is ever printed.
 */
import { CSRF_HEADER, REFRESH_COOKIE } from '../wire/names.js';
import { describeUntrusted } from '../errors/explain.js';
import type { ClockOffset, Finding } from './diagnosis.js';
import { judgeToken } from './judge-token.js';
import { loadJwks } from './key-sources.js';
import { reachableJwksUrl } from './diagnose-token.js';
import { timedFetch, type ServerMetadata } from './server-client.js';

// An origin no deployment allows: if it gets CORS headers, the server reflects any origin.
const FOREIGN_ORIGIN = 'https://doctor-probe.invalid';

/**
 * Checks CORS for the auth endpoints: the app's origin gets a credentialed preflight answer, a foreign
 * origin gets none.
 *
 * @example
 * ```ts
 * const { passed, findings } = await checkOrigins({ server, origin: 'https://app.example.com' });
 * ```
 */
export async function checkOrigins(options: {
  server: string;
  origin: string;
  fetch?: typeof fetch;
}): Promise<{ passed: string[]; findings: Finding[] }> {
  const passed: string[] = [];
  const findings: Finding[] = [];
  const url = `${options.server.replace(/\/$/, '')}/auth/refresh`;
  const preflight = (origin: string): Promise<Response> =>
    timedFetch(options.fetch, url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,tessera-csrf',
      },
    });
  if (new URL(options.origin).origin !== new URL(options.server).origin) {
    const answer = await preflight(options.origin);
    const allowOrigin = answer.headers.get('access-control-allow-origin');
    const allowHeaders = (answer.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    if (
      allowOrigin !== options.origin ||
      answer.headers.get('access-control-allow-credentials') !== 'true'
    ) {
      findings.push({
        id: 'cors-origin-refused',
        severity: 'danger',
        bucket: 'storage',
        what: `A CORS preflight from ${options.origin} to /auth/refresh gets no credentialed answer (Access-Control-Allow-Origin: ${allowOrigin ?? 'none'}).`,
        why: "The browser blocks the app's refresh and login calls before they are sent: users cannot stay signed in.",
        fix: `Add ${options.origin} to --allowed-origins (TESSERA_ALLOWED_ORIGINS).`,
      });
    } else if (!allowHeaders.includes(CSRF_HEADER)) {
      findings.push({
        id: 'cors-headers',
        severity: 'danger',
        bucket: 'storage',
        what: 'The preflight does not allow the Tessera-CSRF header.',
        why: 'Browser state changes must send it; without it every refresh fails the CSRF check.',
        fix: 'Allow Content-Type, Authorization, Tessera-CSRF and Token-Transport in Access-Control-Allow-Headers.',
      });
    } else
      passed.push(
        `CORS preflight from ${options.origin} to /auth/refresh is allowed with credentials and the Tessera-CSRF header`,
      );
  } else passed.push(`app origin ${options.origin} is the API's own origin: no CORS needed`);
  const foreign = (await preflight(FOREIGN_ORIGIN)).headers.get('access-control-allow-origin');
  if (foreign !== null) {
    findings.push({
      id: 'cors-reflects-any',
      severity: 'danger',
      bucket: 'storage',
      what: `A preflight from an unknown origin (${FOREIGN_ORIGIN}) is answered with Access-Control-Allow-Origin: ${foreign}.`,
      why: "Any website can then call the auth endpoints with the user's cookies and read the answers.",
      fix: 'Allow only the app\'s own origins; never reflect the Origin header or answer "*".',
    });
  } else passed.push('CORS refuses an unknown origin');
  return { passed, findings };
}

/** What a real login, refresh and logout showed. */
export interface SessionCheckResult {
  readonly passed: string[];
  readonly findings: Finding[];
  readonly skipped: string[];
  readonly loggedIn: boolean;
  /** The Set-Cookie header of the refresh cookie (its value is only used to send it back). */
  readonly setCookie: string | undefined;
}

/**
 * Logs in with a test account, judges the issued access token against what the server publishes,
 * checks the Origin rules on refresh, refreshes once, and logs out.
 *
 * @example
 * ```ts
 * const result = await loginAndRefresh({ server, origin, email, password, metadata, clock });
 * ```
 */
export async function loginAndRefresh(options: {
  server: string;
  origin: string;
  email: string;
  password: string;
  metadata: ServerMetadata;
  clock: ClockOffset;
  fetch?: typeof fetch;
  now?: () => number;
}): Promise<SessionCheckResult> {
  const base = options.server.replace(/\/$/, '');
  const result: SessionCheckResult = {
    passed: [],
    findings: [],
    skipped: [],
    loggedIn: false,
    setCookie: undefined,
  };
  const post = (path: string, headers: Record<string, string>, body?: unknown): Promise<Response> =>
    timedFetch(options.fetch, `${base}${path}`, {
      method: 'POST',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const browser = { origin: options.origin, [CSRF_HEADER]: '1' };
  const credentials = { email: options.email, password: options.password };
  let login = await post('/auth/login', browser, credentials);
  if (login.status === 403) {
    const problem = await readProblem(login);
    result.findings.push({
      id: 'login-origin-refused',
      severity: 'danger',
      bucket: null,
      what: `POST /auth/login from ${options.origin} is refused: ${problem.code ?? login.status}: ${problem.detail ?? ''}`.trim(),
      why: 'The app cannot sign anyone in from this origin.',
      fix: `Add ${options.origin} to --allowed-origins.`,
    });
    login = await post('/auth/login', {}, credentials);
  }
  if (!login.ok) {
    const problem = await readProblem(login);
    result.findings.push({
      id: 'login-failed',
      severity: 'warning',
      bucket: null,
      what: `The test login failed: HTTP ${login.status} ${problem.code ?? ''}.`,
      why: 'Without a session the cookie and refresh checks cannot run.',
      fix: 'Check --email and --password-env name a working test account (and that the server has accounts).',
    });
    result.skipped.push(
      'the refresh cookie, SameSite reach and refresh rotation: the test login failed',
    );
    return result;
  }
  const body = (await login.json()) as { access_token?: unknown; expires_in?: unknown };
  const setCookie = findRefreshCookie(login);
  Object.assign(result, { loggedIn: true, setCookie });
  result.passed.push('test login succeeded');
  if (typeof body.access_token === 'string')
    await judgeIssuedToken(body.access_token, options, result);
  if (setCookie === undefined) return result;
  const cookie = setCookie.split(';')[0] as string;
  const noOrigin = await post('/auth/refresh', { cookie });
  const noOriginProblem = await readProblem(noOrigin);
  if (noOrigin.status === 403 && noOriginProblem.code === 'CSRF_FAILED')
    result.passed.push('a cookie refresh without an Origin header is refused (CSRF_FAILED)');
  else
    result.findings.push({
      id: 'csrf-open',
      severity: 'danger',
      bucket: null,
      what: `A cookie refresh without an Origin header answers HTTP ${noOrigin.status}.`,
      why: 'A cross-site form or script can ride the refresh cookie.',
      fix: 'Require an allowed Origin and the Tessera-CSRF header on every cookie-authenticated state change.',
    });
  const refreshed = await post('/auth/refresh', { ...browser, cookie });
  let latest = cookie;
  if (refreshed.ok) {
    const next = findRefreshCookie(refreshed);
    await refreshed.body?.cancel();
    if (next !== undefined) latest = next.split(';')[0] as string;
    result.passed.push(
      next !== undefined && latest !== cookie
        ? `a refresh from ${options.origin} rotates the refresh cookie`
        : `a refresh from ${options.origin} succeeds`,
    );
  } else {
    const problem = await readProblem(refreshed);
    result.findings.push({
      id: 'refresh-failed',
      severity: 'danger',
      bucket: null,
      what: `A refresh from ${options.origin} with the cookie fails: HTTP ${refreshed.status} ${problem.code ?? ''}: ${problem.detail ?? ''}`.trim(),
      why: 'Browsers at this origin lose the session when the access token expires.',
      fix: 'Follow the code above; docs/doctor.md lists each.',
    });
  }
  const logout = await post('/auth/logout', { ...browser, cookie: latest });
  await logout.body?.cancel();
  return result;
}

async function judgeIssuedToken(
  token: string,
  options: {
    server: string;
    metadata: ServerMetadata;
    clock: ClockOffset;
    fetch?: typeof fetch;
    now?: () => number;
  },
  result: SessionCheckResult,
): Promise<void> {
  const { metadata } = options;
  const keys = await loadJwks({
    location: reachableJwksUrl(metadata, options.server),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const diagnosis = judgeToken({
    input: token,
    issuer: metadata.issuer,
    audience: metadata.audience,
    leewaySeconds: metadata.leewaySeconds,
    keys,
    now: options.now ?? Date.now,
    clock: options.clock,
  });
  const payload = diagnosis.decoded?.payload ?? {};
  const aud = payload.aud;
  const carriesAudience =
    metadata.audience !== undefined &&
    (aud === metadata.audience || (Array.isArray(aud) && aud.includes(metadata.audience)));
  if (payload.iss === metadata.issuer && carriesAudience)
    result.passed.push(
      `issued tokens carry the published iss and aud (${metadata.issuer}, ${metadata.audience ?? ''})`,
    );
  else {
    result.findings.push({
      id: 'claims-vs-metadata',
      severity: 'danger',
      bucket: 'validation',
      what: `Issued tokens carry iss ${describeUntrusted(payload.iss)} and aud ${describeUntrusted(aud)}; the metadata publishes ${metadata.issuer} and ${String(metadata.audience)}.`,
      why: 'APIs configured from the metadata refuse every token (ISSUER_MISMATCH or AUDIENCE_MISMATCH).',
      fix: 'Serve the metadata and sign tokens from the same configuration.',
    });
  }
  if (diagnosis.verdict.status === 'valid')
    result.passed.push(
      'an issued access token verifies with the published JWKS, issuer, audience and leeway',
    );
  else
    result.findings.push({
      id: 'issued-token-fails',
      severity: 'danger',
      bucket: diagnosis.verdict.bucket,
      what: `A token the server just issued fails its own published expectations: ${diagnosis.verdict.code ?? 'not judged'}: ${diagnosis.verdict.explanation}`,
      why: 'Every API that verifies with the published JWKS refuses it.',
      fix: diagnosis.verdict.fix,
    });
}

function findRefreshCookie(response: Response): string | undefined {
  const cookies = response.headers.getSetCookie();
  return (
    cookies.find((c) => c.startsWith(`${REFRESH_COOKIE}=`)) ??
    cookies.find((c) => /_rt=|refresh/i.test(c.split(';')[0] ?? ''))
  );
}

async function readProblem(
  response: Response,
): Promise<{ code: string | null; detail: string | null }> {
  try {
    const body = (await response.json()) as {
      code?: unknown;
      detail?: unknown;
      tessera_code?: unknown;
    };
    const code =
      typeof body.code === 'string'
        ? body.code
        : typeof body.tessera_code === 'string'
          ? body.tessera_code
          : null;
    return {
      code,
      detail: typeof body.detail === 'string' ? body.detail.replace(/[^\x20-\x7e]/g, '?') : null,
    };
  } catch {
    return { code: null, detail: null };
  }
}
