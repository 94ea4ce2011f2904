/**
 * The deployment check with a test account: a real login, the Origin rules on refresh, one refresh and
 * a logout, as a browser at the app's origin would make them. Token and cookie values stay in memory;
 * none is ever printed.
 */
import { CSRF_HEADER, REFRESH_COOKIE } from '../../wire/names.js';
import type { ClockOffset, Finding, IssuedTokenJudge } from '../diagnosis.js';
import { timedFetch, type ServerMetadata } from '../server-client.js';
import { checkIssuedToken } from './issued-token-checks.js';

/**
 * What a real login, refresh and logout showed.
 *
 * @example
 * ```ts
 * const result: SessionCheckResult = await loginAndRefresh({ server, origin, email, password, metadata, clock, judgeIssuedToken });
 * if (result.setCookie !== undefined) checkRefreshCookie(parseSetCookie(result.setCookie));
 * ```
 */
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
 * const result = await loginAndRefresh({ server, origin, email, password, metadata, clock, judgeIssuedToken: diagnoseIssuedToken });
 * ```
 */
export async function loginAndRefresh(options: {
  server: string;
  origin: string;
  email: string;
  password: string;
  metadata: ServerMetadata;
  clock: ClockOffset;
  /** Judges the access token the login issued (the token path's, handed in by the caller). */
  judgeIssuedToken: IssuedTokenJudge;
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
  if (typeof body.access_token === 'string') {
    const issued = await checkIssuedToken({
      token: body.access_token,
      server: options.server,
      metadata: options.metadata,
      clock: options.clock,
      judge: options.judgeIssuedToken,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    result.passed.push(...issued.passed);
    result.findings.push(...issued.findings);
  }
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
