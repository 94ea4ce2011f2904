import { DEVICE_COOKIE } from '../wire/names.js';
import { readCookie } from './cookies.js';
import type { RequestFacts } from './request-facts.js';
import { createDeviceProof, serializeDeviceCookie } from './device-cookie.js';
import { createMemoryFailureStreaks } from './failure-streaks.js';
import type { RouteDeps } from './handler-options.js';
import { createLoginThrottle, type LoginThrottle } from './login-throttle.js';
import type { RateRule } from './rate-limit.js';

/**
 * A proven browser's own limit: 10 attempts in 15 min. Past it the device cookie is set aside and the
 * attempt takes the account's delay like any other, so a stolen device cookie buys a guesser no more
 * than 10 guesses a quarter hour, and the owner is never refused because of it.
 */
export const LOGIN_PER_DEVICE: RateRule = { limit: 10, windowSeconds: 900 };

/** The login route's limits beyond the per-address window, resolved once per handler. */
export interface LoginLimits {
  readonly throttle: LoginThrottle;
  /** Whether the request's device cookie proves this browser for the account, within its own limit. */
  provenDevice(request: RequestFacts, account: string): Promise<boolean>;
  /** The device cookie's Set-Cookie value after a successful login (or signup) to the account. */
  deviceCookie(request: RequestFacts, account: string): string;
}

const resolved = new WeakMap<RouteDeps, LoginLimits>();

// Two cookies of that name mean something shadows ours; neither is trusted (the login is then ordinary).
function deviceCookieOf(request: RequestFacts): string | undefined {
  const { value, duplicated } = readCookie(request.headers.get('cookie'), DEVICE_COOKIE);
  return duplicated ? undefined : value;
}

/**
 * The login limits of a handler: streaks from its rate limiter (memory or Redis, shared like its
 * windows; per node in memory if the limiter has none) and the device proof keyed from `deviceSecret`.
 *
 * @example
 * ```ts
 * const limits = loginLimitsOf(deps);
 * const proven = await limits.provenDevice(request, 'ada@example.com');
 * ```
 */
export function loginLimitsOf(deps: RouteDeps): LoginLimits {
  const known = resolved.get(deps);
  if (known !== undefined) return known;
  const devices = createDeviceProof({ secret: deps.options.deviceSecret });
  const sameSite = deps.options.cookieSameSite ?? 'Lax';
  const limits: LoginLimits = {
    throttle: createLoginThrottle({
      streaks: deps.limiter.streaks ?? createMemoryFailureStreaks({ now: deps.now }),
      now: deps.now,
    }),
    async provenDevice(request, account) {
      const device = devices.provenDevice(deviceCookieOf(request), account, deps.now());
      if (device === undefined) return false;
      return (await deps.limiter.hit(`login:device:${device}`, LOGIN_PER_DEVICE)).allowed;
    },
    deviceCookie: (request, account) =>
      serializeDeviceCookie(devices.renew(deviceCookieOf(request), account, deps.now()), sameSite),
  };
  resolved.set(deps, limits);
  return limits;
}
