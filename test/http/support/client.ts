// A small HTTP client for the suites: real fetch against a real port, and checks every response makes
// whatever the route: a Date header from the server's clock, and CORS that never pairs credentials with `*`.
import { request as httpRequest } from 'node:http';
import { expect } from 'vitest';
import type { ErrorCode } from '../../../src/errors/codes.js';
import { APP_ORIGIN, freshEmail, freshIp, refreshCookieOf } from './server-kit.js';

export interface CallOptions {
  readonly method?: string;
  readonly json?: unknown;
  readonly body?: string;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
  readonly bearer?: string;
  readonly cookie?: string;
  /** A browser call: this Origin plus `Tessera-CSRF: 1` (unless csrf is false). */
  readonly origin?: string;
  readonly csrf?: boolean;
  /** X-Forwarded-For; the servers under test trust it. Default: a fresh address per call site that passes one. */
  readonly ip?: string;
}

/** What signup or login gave a test: the account, its tokens and how to present them. */
export interface SignedIn {
  readonly email: string;
  readonly password: string;
  readonly accessToken: string;
  readonly sessionId: string;
  /** The refresh token (body transport) or the cookie value (cookie transport). */
  readonly refreshToken: string;
  readonly transport: 'cookie' | 'body';
}

export interface Client {
  readonly baseUrl: string;
  call(path: string, options?: CallOptions): Promise<Response>;
  signup(options?: {
    transport?: 'cookie' | 'body';
    email?: string;
    password?: string;
    ip?: string;
  }): Promise<SignedIn>;
  login(
    user: Pick<SignedIn, 'email' | 'password'>,
    options?: { transport?: 'cookie' | 'body'; ip?: string },
  ): Promise<SignedIn>;
  /** One refresh of a signed-in session on its own transport, as a browser (cookie) or native app (body) would. */
  refresh(user: SignedIn): Promise<Response>;
}

/**
 * Creates the client. `serverNow` is the server's clock: every response's Date header must be within a few
 * seconds of it (the test servers run five hours ahead of the wall clock, so Node's own Date would fail).
 */
export function createClient(baseUrl: string, serverNow: () => number): Client {
  const call = async (path: string, options: CallOptions = {}): Promise<Response> => {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
    if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
    if (options.cookie !== undefined) headers.cookie = `__Secure-tessera_rt=${options.cookie}`;
    if (options.origin !== undefined) {
      headers.origin = options.origin;
      if (options.csrf !== false) headers['tessera-csrf'] = '1';
    }
    if (options.ip !== undefined) headers['x-forwarded-for'] = options.ip;
    const response = await fetch(`${baseUrl}${path}`, {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
    });
    // The app's own routes (requireAuth) are dated by their framework, the auth routes by the server's clock.
    checkEveryResponse(response, path.startsWith('/api/') ? Date.now : serverNow);
    return response;
  };

  const signIn = async (
    path: '/auth/signup' | '/auth/login',
    email: string,
    password: string,
    transport: 'cookie' | 'body',
    ip: string,
  ): Promise<SignedIn> => {
    const response = await call(path, {
      json: { email, password },
      headers: transport === 'body' ? { 'token-transport': 'body' } : {},
      ip,
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(body)).toBe(path === '/auth/signup' ? 201 : 200);
    const refreshToken =
      transport === 'body' ? (body.refresh_token as string) : refreshCookieOf(response);
    expect(typeof refreshToken).toBe('string');
    return {
      email,
      password,
      accessToken: body.access_token as string,
      sessionId: body.session_id as string,
      refreshToken: refreshToken as string,
      transport,
    };
  };

  return {
    baseUrl,
    call,
    signup: (options = {}) =>
      signIn(
        '/auth/signup',
        options.email ?? freshEmail(),
        options.password ?? 'correct horse battery',
        options.transport ?? 'body',
        options.ip ?? freshIp(),
      ),
    login: (user, options = {}) =>
      signIn(
        '/auth/login',
        user.email,
        user.password,
        options.transport ?? 'body',
        options.ip ?? freshIp(),
      ),
    refresh: (user) =>
      user.transport === 'cookie'
        ? call('/auth/refresh', { method: 'POST', cookie: user.refreshToken, origin: APP_ORIGIN })
        : call('/auth/refresh', { json: { refresh_token: user.refreshToken } }),
  };
}

/** Properties every response has, whatever the route or outcome: a Date from `clock`, no `*` CORS. */
export function checkEveryResponse(response: Response, clock: () => number): void {
  const date = response.headers.get('date');
  expect(date, `${response.url} has no Date header`).not.toBeNull();
  expect(Math.abs(Date.parse(date as string) - clock())).toBeLessThan(5_000);
  expect(response.headers.get('access-control-allow-origin')).not.toBe('*');
}

/** Asserts a problem+json answer with exactly this status and code; returns the body. */
export async function expectProblem(
  response: Response,
  status: number,
  code: ErrorCode,
): Promise<Record<string, unknown>> {
  const text = await response.text();
  expect({ status: response.status, body: text }).toMatchObject({ status });
  // Express and Fastify append `; charset=utf-8` to what requireAuth() sets; the media type is what counts.
  expect(response.headers.get('content-type')).toMatch(
    /^application\/problem\+json(; ?charset=utf-8)?$/i,
  );
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body.code).toBe(code);
  expect(body.status).toBe(status);
  return body;
}

/**
 * Sends the first `sendBytes` of a body that claims to be `totalBytes` long (or is chunked when
 * `totalBytes` is undefined) and resolves with the answer without ever sending the rest: a server that
 * buffered the whole body before answering would never answer, and the test times out.
 */
export function postWithoutFinishing(
  url: string,
  options: { totalBytes?: number; sendBytes: number; headers?: Record<string, string> },
): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const target = new URL(url);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      ...options.headers,
    };
    if (options.totalBytes !== undefined) headers['content-length'] = options.totalBytes;
    const req = httpRequest({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'POST',
      headers,
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(
        new Error(
          'no answer while the body was still being sent: the server waited for the whole body',
        ),
      );
    }, 10_000);
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolvePromise({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // Write in 16 KB pieces; the request is never ended.
    const piece = Buffer.alloc(16 * 1024, 0x20);
    for (let sent = 0; sent < options.sendBytes; sent += piece.length) req.write(piece);
  });
}
