import { z } from 'zod';
import { normaliseEmail } from '../accounts/accounts.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { Transport } from '../wire/names.js';
import { serializeRefreshCookie } from './cookies.js';
import type { AuthRouteKey } from './auth-route-keys.js';
import type { Route, RouteDeps, RouteInput } from './handler-options.js';
import type { RequestFacts } from './request-facts.js';
import { REFRESH_COOKIE, REFRESH_COOKIE_PATH, TRANSPORT_HEADER } from '../wire/names.js';
import { addressBucket } from './client-address.js';
import { loginLimitsOf } from './login-limits.js';
import { enforceRate } from './rate-limit.js';
import { readBearerToken } from './request-context.js';
import { readJsonBody, validate } from './request-body.js';
import { TICKETS_PER_SESSION } from './ticket-auth.js';
import { logoutTokensOf, refreshCookiesOf, refreshTokenOf } from './refresh-cookies.js';
import { adoptRoute } from './adopt-route.js';

const credentials = z.strictObject({
  email: z.string().trim().max(254).pipe(z.email()),
  password: z.string().max(1024),
});
const refreshBody = z.strictObject({ refresh_token: z.string().max(512).optional() });
const logoutAllBody = z.strictObject({ keep_current: z.boolean().optional() });
const passwordBody = z.strictObject({
  current_password: z.string().max(1024),
  new_password: z.string().max(1024),
});
const resetBody = z.strictObject({ email: z.string().max(254) });
const verifyBody = z.strictObject({ token: z.string().max(256) });
const resetConfirmBody = z.strictObject({
  token: z.string().max(256),
  new_password: z.string().max(1024),
});

// Per address (an IPv4 address or an IPv6 /64, client-address.ts): every attempt counts, proven
// browsers' too. Per account across addresses: the growing delay of login-throttle.ts. Signup keeps its
// per account-and-address window (there is no account yet to protect).
const LOGIN_PER_IP = { limit: 60, windowSeconds: 60 };
const LOGIN_PER_ACCOUNT_AND_IP = { limit: 10, windowSeconds: 300 };

function cookieOf(request: RequestFacts): string | undefined {
  return refreshCookiesOf(request)[0];
}

function accountsOf(deps: RouteDeps): NonNullable<RouteDeps['options']['accounts']> {
  if (deps.options.accounts === undefined)
    throw new TesseraError(
      'NOT_FOUND',
      'This server has no built-in accounts; the application signs users in itself.',
    );
  return deps.options.accounts;
}

function transportOf(request: RequestFacts): Transport {
  const header = request.headers.get(TRANSPORT_HEADER);
  if (header === null) return 'cookie';
  if (header.toLowerCase() === 'body') return 'body';
  if (header.toLowerCase() === 'cookie') return 'cookie';
  throw new TesseraError(
    'REQUEST_INVALID',
    'The Token-Transport header must be "body" or "cookie".',
  );
}

async function presentedRefreshToken(
  request: RequestFacts,
): Promise<{ token: string | undefined; cookies: string[]; transport: Transport }> {
  const cookies = refreshCookiesOf(request);
  const hasBody =
    request.headers.get('content-length') !== '0' &&
    request.body !== null &&
    request.headers.has('content-type');
  const body = hasBody ? await readJsonBody(request, refreshBody) : {};
  if (cookies.length > 0 && body.refresh_token !== undefined) {
    throw new TesseraError(
      'REQUEST_INVALID',
      'The refresh token came both in a cookie and in the body; send it one way only.',
    );
  }
  return cookies.length > 0
    ? { token: cookies[0], cookies, transport: 'cookie' }
    : { token: body.refresh_token, cookies, transport: 'body' };
}

function authenticated(
  input: RouteInput,
  deps: RouteDeps,
): ReturnType<RouteDeps['options']['verifyAccessToken']> {
  return deps.options.verifyAccessToken(readBearerToken(input.request));
}

const clearCookie = (deps: RouteDeps): string =>
  serializeRefreshCookie(null, 0, {
    name: REFRESH_COOKIE,
    path: REFRESH_COOKIE_PATH,
    sameSite: deps.options.cookieSameSite ?? 'Lax',
  });

/** Flags a cookie-transport request from another site: a warning on the answer, never a refusal. */
function warnIfCrossSite(input: RouteInput, deps: RouteDeps, route: string): void {
  const warning = deps.origins.cookieWarning(input.request, route);
  if (warning !== undefined) input.warn(warning);
}

const signInWith =
  (mode: 'signup' | 'login'): Route =>
  async (input, deps) => {
    const { request, ip } = input;
    deps.origins.assertSafeStateChange(request, { usesCookie: false });
    const accounts = accountsOf(deps);
    if (mode === 'signup' && deps.options.signupEnabled === false)
      throw new TesseraError('SIGNUP_DISABLED', 'Sign-up is turned off on this server.');
    const transport = transportOf(request);
    if (transport === 'cookie') warnIfCrossSite(input, deps, mode);
    const { email, password } = await readJsonBody(request, credentials);
    const account = normaliseEmail(email);
    const limits = loginLimitsOf(deps);
    await enforceRate(deps.limiter, `${mode}:ip:${addressBucket(ip)}`, LOGIN_PER_IP);
    if (mode === 'signup')
      await enforceRate(
        deps.limiter,
        `${mode}:acct:${account}:${addressBucket(ip)}`,
        LOGIN_PER_ACCOUNT_AND_IP,
      );
    // With verification required, a new address and a taken one get these same bytes; the mail says which.
    if (mode === 'signup' && accounts.requiresVerifiedEmail) {
      await accounts.register(email, password);
      return Response.json(
        { status: 'verification_sent' },
        { status: 202, headers: { 'cache-control': 'no-store' } },
      );
    }
    // A browser proven for this account skips the account's delay (a guesser elsewhere cannot lock
    // its owner out); past its own limit it is an unproven browser again.
    const proven = mode === 'login' && (await limits.provenDevice(request, account));
    const user =
      mode === 'signup'
        ? await accounts.signup(email, password)
        : await accounts.login(
            email,
            password,
            proven ? {} : { admit: () => limits.throttle.admit(account) },
          );
    if (mode === 'login' && !proven) await limits.throttle.succeeded(account);
    const tokens = await deps.options.sessions.issueSession(user.id, {
      transport,
      ip,
      userAgent: request.headers.get('user-agent')?.slice(0, 256) ?? null,
    });
    const response = deps.tokenBody(tokens);
    // Browsers only: a body session is answered in the body alone, and native apps keep no cookies.
    if (transport === 'cookie')
      response.headers.append('set-cookie', limits.deviceCookie(request, account));
    return mode === 'signup'
      ? new Response(response.body, { status: 201, headers: response.headers })
      : response;
  };

/** The /auth routes, keyed by `METHOD path` (`:id` marks a parameter). */
export const AUTH_ROUTES: Readonly<Record<AuthRouteKey, Route>> = {
  'POST /auth/signup': signInWith('signup'),
  'POST /auth/login': signInWith('login'),

  'POST /auth/refresh': async (input, deps) => {
    const { request, ip } = input;
    const presented = await presentedRefreshToken(request);
    const { transport } = presented;
    deps.origins.assertSafeStateChange(request, { usesCookie: transport === 'cookie' });
    const token = await refreshTokenOf(presented, deps);
    // No cookie and no body token from a client that did not ask for the body transport: a browser whose
    // cookie stayed behind because the app is on another site (the refusal below is REFRESH_TOKEN_MISSING).
    if (token === undefined && request.headers.get(TRANSPORT_HEADER)?.toLowerCase() !== 'body')
      warnIfCrossSite(input, deps, 'refresh');
    const tokens = await deps.options.sessions.refresh(token, {
      ip,
      userAgent: request.headers.get('user-agent')?.slice(0, 256) ?? null,
      transport,
    });
    return deps.tokenBody(tokens);
  },

  'POST /auth/logout': async ({ request, ip }, deps) => {
    const { token, cookies, transport } = await presentedRefreshToken(request);
    deps.origins.assertSafeStateChange(request, { usesCookie: transport === 'cookie' });
    // Logout always ends with the cookie cleared, whatever the token was: a user who asks to leave leaves.
    for (const value of await logoutTokensOf({ token, cookies }, deps))
      await deps.options.sessions.revokeByRefreshToken(value, { ip }).catch((error: unknown) => {
        if (!(error instanceof TesseraError)) throw error;
      });
    return new Response(null, {
      status: 204,
      headers: { 'set-cookie': clearCookie(deps), 'cache-control': 'no-store' },
    });
  },

  'POST /auth/logout-all': async (input, deps) => {
    deps.origins.assertSafeStateChange(input.request, {
      usesCookie: cookieOf(input.request) !== undefined,
    });
    const claims = authenticated(input, deps);
    const { keep_current } = await readJsonBody(input.request, logoutAllBody);
    await deps.options.sessions.revokeUserSessions(claims.sub, {
      reason: 'logout-all',
      exceptSessionId: keep_current === true ? claims.sid : null,
    });
    const headers: Record<string, string> =
      keep_current === true ? {} : { 'set-cookie': clearCookie(deps) };
    return new Response(null, { status: 204, headers });
  },

  'POST /auth/password': async (input, deps) => {
    deps.origins.assertSafeStateChange(input.request, {
      usesCookie: cookieOf(input.request) !== undefined,
    });
    const claims = authenticated(input, deps);
    const body = await readJsonBody(input.request, passwordBody);
    await enforceRate(deps.limiter, `password:user:${claims.sub}`, LOGIN_PER_ACCOUNT_AND_IP);
    await accountsOf(deps).changePassword(claims.sub, body.current_password, body.new_password);
    await deps.options.sessions.revokeUserSessions(claims.sub, {
      reason: 'password-change',
      exceptSessionId: claims.sid,
    });
    return new Response(null, { status: 204 });
  },

  'POST /auth/password-reset': async ({ request, ip }, deps) => {
    deps.origins.assertSafeStateChange(request, { usesCookie: false });
    const { email } = await readJsonBody(request, resetBody);
    await enforceRate(deps.limiter, `reset:ip:${ip ?? '?'}`, LOGIN_PER_ACCOUNT_AND_IP);
    await accountsOf(deps).requestPasswordReset(email);
    return new Response(null, { status: 202 });
  },

  'POST /auth/password-reset/confirm': async ({ request, ip }, deps) => {
    deps.origins.assertSafeStateChange(request, { usesCookie: false });
    const body = await readJsonBody(request, resetConfirmBody);
    await enforceRate(deps.limiter, `reset-confirm:ip:${ip ?? '?'}`, LOGIN_PER_IP);
    const userId = await accountsOf(deps).confirmPasswordReset(body.token, body.new_password);
    await deps.options.sessions.revokeUserSessions(userId, {
      reason: 'password-reset',
      exceptSessionId: null,
    });
    return new Response(null, { status: 204 });
  },

  'POST /auth/verify-email': async ({ request, ip }, deps) => {
    deps.origins.assertSafeStateChange(request, { usesCookie: false });
    const { token } = await readJsonBody(request, verifyBody);
    await enforceRate(deps.limiter, `verify:ip:${addressBucket(ip)}`, LOGIN_PER_IP);
    await accountsOf(deps).confirmEmail(token);
    return new Response(null, { status: 204 });
  },

  'POST /auth/ticket': async (input, deps) => {
    deps.origins.assertSafeStateChange(input.request, {
      usesCookie: cookieOf(input.request) !== undefined,
    });
    const claims = authenticated(input, deps);
    // Per session, not per IP: the session is what asks, and a NAT must not share one budget.
    await enforceRate(deps.limiter, `ticket:${claims.sid}`, TICKETS_PER_SESSION);
    const { ticket, expiresIn } = await accountsOf(deps).createTicket({
      userId: claims.sub,
      sessionId: claims.sid,
    });
    return Response.json(
      { ticket, expires_in: expiresIn },
      { headers: { 'cache-control': 'no-store' } },
    );
  },

  'GET /auth/me': async (input, deps) => {
    const claims = authenticated(input, deps);
    const user = await deps.options.accounts?.findUser(claims.sub);
    return Response.json({
      user: {
        id: claims.sub,
        email: user?.email ?? null,
        email_verified: user?.emailVerified === true,
      },
      session: {
        id: claims.sid,
        client_id: claims.client_id,
        scope: claims.scope ?? null,
        roles: claims.roles ?? [],
        access_expires_at: new Date(claims.exp * 1000).toISOString(),
      },
    });
  },

  'GET /auth/sessions': async (input, deps) => {
    const claims = authenticated(input, deps);
    const at = deps.now();
    const rows = await deps.options.sessions.listSessions(claims.sub);
    const sessions = rows
      .filter(
        (row) => row.revokedAt === null && row.idleExpiresAt > at && row.absoluteExpiresAt > at,
      )
      .map((row) => ({
        id: row.id,
        created_at: new Date(row.createdAt).toISOString(),
        last_used_at: new Date(row.lastUsedAt).toISOString(),
        idle_expires_at: new Date(row.idleExpiresAt).toISOString(),
        absolute_expires_at: new Date(row.absoluteExpiresAt).toISOString(),
        user_agent: row.userAgent,
        ip: row.ip,
        current: row.id === claims.sid,
      }));
    return Response.json({ sessions });
  },

  'DELETE /auth/sessions/:id': async (input, deps) => {
    deps.origins.assertSafeStateChange(input.request, {
      usesCookie: cookieOf(input.request) !== undefined,
    });
    const claims = authenticated(input, deps);
    const id = validate(z.string().min(1).max(64), input.params.id);
    const revoked = await deps.options.sessions.revokeSession(id, {
      reason: 'revoked-by-user',
      userId: claims.sub,
    });
    if (!revoked)
      throw new TesseraError('NOT_FOUND', 'No live session with this id belongs to you.');
    return new Response(null, { status: 204 });
  },

  'POST /auth/adopt': adoptRoute,
};
