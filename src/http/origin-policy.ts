import { describeUntrusted } from '../errors/explain.js';
import { TesseraError } from '../errors/tessera-error.js';
import { CSRF_HEADER, type ServerWarning } from '../wire/names.js';
import { isCrossSite } from './cookies.js';
import type { RequestFacts } from './request-facts.js';

/**
 * One origin allow-list drives both CORS and the CSRF check, so they can never disagree. A refused origin
 * is logged (rate-limited), because the browser only shows its page an opaque "Failed to fetch".
 *
 * @example
 * ```ts
 * const policy = createOriginPolicy({ allowedOrigins: ['https://app.example.com'] });
 * ```
 */
export interface OriginPolicy {
  /** CORS headers for a request (empty when its Origin is not allowed). Credentials are never combined with `*`. */
  corsHeaders(request: RequestFacts): Record<string, string>;
  /** The answer to a CORS preflight. */
  preflight(request: RequestFacts): Response;
  /** Throws CSRF_FAILED unless a browser-originated state change carries an allowed Origin and the CSRF header. */
  assertSafeStateChange(request: RequestFacts, options: { usesCookie: boolean }): void;
  /**
   * `'cookie-cross-site'` (and a rate-limited log line) when a cookie-transport request comes from another
   * site, so the browser will not send the refresh cookie back; undefined otherwise, and always with
   * `SameSite=None`, where cross-site is the configured intent.
   */
  cookieWarning(request: RequestFacts, route: string): ServerWarning | undefined;
}

/** The one logger method the policy uses; the handler's `LoggerLike` satisfies it. */
export interface WarnLogger {
  warn(object: object, message?: string): void;
}

/** Options of {@link createOriginPolicy}. */
export interface OriginPolicyOptions {
  readonly allowedOrigins: readonly string[];
  /** The refresh cookie's SameSite; `None` silences the cross-site warning. Default `Lax`. */
  readonly cookieSameSite?: 'Lax' | 'Strict' | 'None';
  /** Read X-Forwarded-Host as the server's own host (as a proxy in front would set it). */
  readonly trustProxy?: boolean;
  readonly logger?: WarnLogger;
  readonly now?: () => number;
}

/** Lets a log line through, or not: `{ suppressed }` counts the lines held back since the last one let through. */
export type LogGate = (key: string) => { suppressed: number } | undefined;

/**
 * A log rate limit: each key at most once per window, and at most `maxLines` lines per window across keys,
 * so a flood of requests (or of forged Origins, each a new key) writes a few lines, not one per request.
 * Remembers at most `maxLines` keys.
 *
 * @example
 * ```ts
 * const gate = createLogGate({ now: Date.now });
 * const permit = gate(`refused:${origin}`);
 * if (permit !== undefined) logger.warn({ origin, suppressed: permit.suppressed }, 'refused origin');
 * ```
 */
export function createLogGate(options: {
  now: () => number;
  windowMs?: number;
  maxLines?: number;
}): LogGate {
  const windowMs = options.windowMs ?? 60_000;
  const maxLines = options.maxLines ?? 10;
  const seen = new Set<string>();
  let windowStart = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (key) => {
    const at = options.now();
    // A clock stepped backwards also starts a new window, so a bad clock cannot silence the log for good.
    if (at - windowStart >= windowMs || at < windowStart) {
      windowStart = at;
      seen.clear();
    }
    if (seen.has(key) || seen.size >= maxLines) {
      suppressed++;
      return undefined;
    }
    seen.add(key);
    const permit = { suppressed };
    suppressed = 0;
    return permit;
  };
}

const REFUSED_MESSAGE =
  'refused a browser request from an origin that is not in --allowed-origins; the browser shows its page only "Failed to fetch". Add the origin to --allowed-origins (TESSERA_ALLOWED_ORIGINS) if it is your app.';
const CROSS_SITE_MESSAGE =
  'cookie-transport sign-in or refresh from another site: the browser will not send the SameSite refresh cookie back, so every reload looks signed out. Serve the app and the auth server from one site (one registrable domain, or proxy /auth through the app), or set --cookie-same-site None.';

/**
 * Creates the origin policy.
 *
 * @example
 * ```ts
 * const policy = createOriginPolicy({ allowedOrigins: ['https://app.example.com'], logger });
 * policy.assertSafeStateChange(request, { usesCookie: true });
 * ```
 */
export function createOriginPolicy(options: OriginPolicyOptions): OriginPolicy {
  const allowed = new Set(options.allowedOrigins.map((origin) => origin.replace(/\/$/, '')));
  const now = options.now ?? Date.now;
  const refusedGate = createLogGate({ now });
  const crossSiteGate = createLogGate({ now });
  const isAllowed = (origin: string | null): origin is string =>
    origin !== null && allowed.has(origin);
  // Only the escaped, cut form of a request's Origin is ever logged or keyed on: it is untrusted text.
  const logRefused = (origin: string, kind: 'preflight' | 'state-change'): void => {
    const shown = describeUntrusted(origin);
    const permit = refusedGate(shown);
    if (permit === undefined) return;
    options.logger?.warn(
      { origin: shown, kind, flag: '--allowed-origins', suppressed: permit.suppressed },
      `origin ${shown} ${REFUSED_MESSAGE}`,
    );
  };
  const cors = (request: RequestFacts): Record<string, string> => {
    const origin = request.headers.get('origin');
    if (!isAllowed(origin)) return { vary: 'Origin' };
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'WWW-Authenticate, Date, Retry-After, Tessera-Warning',
      vary: 'Origin',
    };
  };
  return {
    corsHeaders: cors,
    preflight(request) {
      const headers = cors(request);
      if (headers['access-control-allow-origin'] !== undefined) {
        headers['access-control-allow-methods'] = 'GET, POST, DELETE, OPTIONS';
        headers['access-control-allow-headers'] =
          'Content-Type, Authorization, Tessera-CSRF, Token-Transport';
        headers['access-control-max-age'] = '600';
      } else {
        const origin = request.headers.get('origin');
        if (origin !== null) logRefused(origin, 'preflight');
      }
      return new Response(null, { status: 204, headers });
    },
    assertSafeStateChange(request, { usesCookie }) {
      const origin = request.headers.get('origin');
      // Native and server clients send neither a cookie nor an Origin: nothing for a CSRF to ride on.
      if (!usesCookie && origin === null) return;
      if (origin === null) {
        throw new TesseraError(
          'CSRF_FAILED',
          'A request that relies on the refresh cookie must carry an Origin header; this one has none.',
          { reason: 'origin-missing' },
        );
      }
      if (!isAllowed(origin)) {
        logRefused(origin, 'state-change');
        // Browsers send "null" from sandboxed frames, file:// pages and some redirects: no origin to allow.
        const hint =
          origin === 'null'
            ? ' Browsers send "null" from sandboxed frames, file:// pages and cross-origin redirects: load the app from its real origin.'
            : ' If it is your app, add it to --allowed-origins (TESSERA_ALLOWED_ORIGINS), scheme and port included.';
        throw new TesseraError(
          'CSRF_FAILED',
          `The request comes from origin ${describeUntrusted(origin)}, which is not in the allowed origins (--allowed-origins).${hint}`,
          { reason: 'origin-not-allowed' },
        );
      }
      if (request.headers.get(CSRF_HEADER) !== '1') {
        throw new TesseraError(
          'CSRF_FAILED',
          'The request lacks the "Tessera-CSRF: 1" header that browser state changes must send.',
          { reason: 'header-missing' },
        );
      }
    },
    cookieWarning(request, route) {
      if (options.cookieSameSite === 'None') return undefined;
      if (!isCrossSite(request, { trustProxy: options.trustProxy === true })) return undefined;
      const origin = describeUntrusted(request.headers.get('origin'));
      const permit = crossSiteGate(origin);
      if (permit !== undefined)
        options.logger?.warn(
          {
            warning: 'cookie-cross-site',
            route,
            origin,
            secFetchSite: describeUntrusted(request.headers.get('sec-fetch-site')),
            sameSite: options.cookieSameSite ?? 'Lax',
            suppressed: permit.suppressed,
          },
          CROSS_SITE_MESSAGE,
        );
      return 'cookie-cross-site';
    },
  };
}
